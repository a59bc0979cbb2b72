package posapi

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in   string
		end  bool
		want time.Time
	}{
		{"2026-11-23", false, time.Date(2026, 11, 23, 0, 0, 0, 0, time.Local)},
		{"2026-11-23", true, time.Date(2026, 11, 24, 0, 0, 0, 0, time.Local)},
		{"2026-12-31", true, time.Date(2027, 1, 1, 0, 0, 0, 0, time.Local)},
		{"2026-11-23T08:30:00Z", true, time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)},
		{"2026-11-23T08:30:00+08:00", false, time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)},
	} {
		got, err := ParseDate(c.in, c.end)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseDate(%q, %v) = %v, %v; want %v", c.in, c.end, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-13-01", "2026-11-23 08:30", "23/11/2026"} {
		if _, err := ParseDate(bad, false); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-23", "2026-11-23T08:30:00Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, err := ParseDate(s, false)
		if err != nil {
			return
		}
		end, err := ParseDate(s, true)
		if err != nil || end.Before(start) {
			t.Fatalf("%q: start %v end %v err %v", s, start, end, err)
		}
	})
}
