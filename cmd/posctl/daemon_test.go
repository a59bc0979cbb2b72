package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDaemonCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"show"},
		{"show", "a", "b"},
		{"refund", "P1"},
		{"keys"},
		{"list", "--since", "last tuesday"},
		{"export", "--from", "2026-11-01"},
		{"export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx"},
		{"receipt-preview", "--out", "x.png"},
		{"--bogus", "status"},
	} {
		if code, _, stderr := posctl("", args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d (%s)", args, code, exitUsage, stderr)
		}
	}
}

func TestDaemonUnreachable(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	code, _, stderr := posctl("", "--socket", sock, "status")
	if code != exitFail || !strings.Contains(stderr, sock) || !strings.Contains(stderr, "is posd running") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Flags after the command name and between arguments work too.
	code, _, stderr = posctl("", "refund", "P1", "--socket", sock, "1.00", "--json")
	if code != exitFail || !strings.Contains(stderr, sock) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"2h":                   now.Add(-2 * time.Hour),
		"2026-11-20T08:00:00Z": time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
		"2026-11-20":           time.Date(2026, 11, 20, 0, 0, 0, 0, time.Local),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"-2h", "yesterday", "2026-13-01"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"2h", "90m", "2026-11-23", "2026-11-23T08:00:00Z", "-1h", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseSince(s, now)
		if err != nil {
			if !strings.Contains(err.Error(), "--since") {
				t.Fatalf("%q: error %q does not name the flag", s, err)
			}
			return
		}
		if d, derr := time.ParseDuration(s); derr == nil && d > 0 && !got.Before(now) {
			t.Fatalf("%q: a duration back from now gave %v", s, got)
		}
	})
}
