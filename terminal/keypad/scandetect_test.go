package keypad

import (
	"slices"
	"testing"
	"time"
)

// typed turns a script into timed keys gap apart, starting at t0.
func typed(t *testing.T, script string, t0 time.Time, gap time.Duration) []Timed {
	t.Helper()
	keys, err := ParseScript(script)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]Timed, len(keys))
	for i, k := range keys {
		out[i] = Timed{Key: k, At: t0.Add(time.Duration(i) * gap)}
	}
	return out
}

func feedAll(d *ScanDetector, in []Timed) []Key {
	var out []Key
	for _, t := range in {
		out = append(out, d.Feed(t)...)
	}
	return append(out, d.Expire()...)
}

func TestScanDetector(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	ms := time.Millisecond
	code := "281234567890123456"
	tests := []struct {
		name   string
		in     []Timed
		detect ScanDetector
		want   string
	}{
		{"scanner", typed(t, code+"<ENTER>", t0, 3*ms), ScanDetector{}, "<SCAN:" + code + ">"},
		{"person typing", typed(t, "1250<ENTER>", t0, 120*ms), ScanDetector{}, "1250<ENTER>"},
		{"fast but short", typed(t, "1250<ENTER>", t0, 3*ms), ScanDetector{}, "1250<ENTER>"},
		{"exactly MinLen", typed(t, "1234567890<ENTER>", t0, 3*ms), ScanDetector{}, "<SCAN:1234567890>"},
		{"fast digits, slow Enter", append(typed(t, code, t0, 3*ms), Timed{Key{Kind: Enter}, t0.Add(time.Second)}),
			ScanDetector{}, code + "<ENTER>"},
		{"other key passes through", typed(t, "12<CANCEL>3", t0, 3*ms), ScanDetector{}, "12<CANCEL>3"},
		{"typed digit then a scan", append(typed(t, "7", t0, 0), typed(t, code+"<ENTER>", t0.Add(time.Second), 3*ms)...),
			ScanDetector{}, "7<SCAN:" + code + ">"},
		{"custom thresholds", typed(t, "12345<ENTER>", t0, 40*ms), ScanDetector{MaxGap: 50 * ms, MinLen: 5}, "<SCAN:12345>"},
		{"clock going backwards is not fast", typed(t, code+"<ENTER>", t0, -3*ms), ScanDetector{}, code + "<ENTER>"},
		{"dedicated slow scanner", typed(t, "1234<ENTER>", t0, time.Second), ScanDetector{Dedicated: true}, "<SCAN:1234>"},
		{"dedicated drops other keys", typed(t, "12<CANCEL>34<ENTER><ENTER><F1>", t0, ms), ScanDetector{Dedicated: true}, "<SCAN:34>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.detect
			if got := FormatScript(feedAll(&d, tt.in)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestScanDetectorTooLongIsTyping(t *testing.T) {
	var d ScanDetector
	long := make([]byte, MaxCodeLen+5)
	for i := range long {
		long[i] = '9'
	}
	got := feedAll(&d, typed(t, string(long)+"<ENTER>", time.Unix(0, 0), time.Millisecond))
	for _, k := range got {
		if k.Kind == Scan && len(k.Code) > MaxCodeLen {
			t.Fatalf("scan longer than MaxCodeLen: %d digits", len(k.Code))
		}
	}
	if n := len(got); n == 0 || got[n-1].Kind != Enter && got[n-1].Kind != Scan {
		t.Fatalf("last key %v", got[n-1])
	}
}

func TestDetectScansReleasesHeldDigits(t *testing.T) {
	ctx := t.Context()
	in := make(chan Timed)
	out := DetectScans(ctx, in, &ScanDetector{MaxGap: 5 * time.Millisecond})
	in <- Timed{DigitKey('4'), time.Now()}
	// No further key: the digit must come out on its own once MaxGap passes.
	if k := <-out; k != DigitKey('4') {
		t.Fatalf("got %v", k)
	}
	// A scan whose keys were queued before the detector got to them (a busy
	// process): the decision uses the keys' own times, so it is one scan.
	queued := make(chan Timed, 32)
	now := time.Now()
	for i, c := range []byte("2812345678901234") {
		queued <- Timed{DigitKey(c), now.Add(time.Duration(i) * time.Millisecond)}
	}
	queued <- Timed{Key{Kind: Enter}, now.Add(16 * time.Millisecond)}
	close(queued)
	var got []Key
	for k := range DetectScans(ctx, queued, &ScanDetector{MaxGap: 5 * time.Millisecond}) {
		got = append(got, k)
	}
	if want := []Key{ScanKey("2812345678901234")}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestScanDetectorLostInput(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	ms := time.Millisecond
	lost := func(at time.Duration) Timed { return Timed{At: t0.Add(at)} }
	at := func(script string, from time.Duration, gap time.Duration) []Timed {
		return typed(t, script, t0.Add(from), gap)
	}
	tests := []struct {
		name   string
		in     []Timed
		detect ScanDetector
		want   string
	}{
		{"typed digit survives a later loss", append(at("7", 0, 0), lost(time.Second)), ScanDetector{}, "7"},
		{"scan cut by a loss is dropped with its tail",
			append(append(at("28123456", 0, 2*ms), lost(17*ms)), at("7890<ENTER>", 19*ms, 2*ms)...), ScanDetector{}, ""},
		{"keys after a pause count again",
			append(append(at("2812", 0, 2*ms), lost(9*ms)), at("5<ENTER>", time.Second, 200*ms)...), ScanDetector{}, "5<ENTER>"},
		{"dedicated: rest of the code dropped up to Enter",
			append(append(at("2812", 0, 2*ms), lost(9*ms)), at("3456<ENTER>99<ENTER>", 10*ms, 2*ms)...), ScanDetector{Dedicated: true}, "<SCAN:99>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.detect
			if got := FormatScript(feedAll(&d, tt.in)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
