package keypad_test

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/posd/posd/terminal/keypad"
	"github.com/posd/posd/terminal/keypad/keypadtest"
)

// Linux key codes used below.
const (
	kp0, kp1, kp2, kp5, kpEnter, kpDot = 82, 79, 80, 76, 96, 83
	key1, key2, key8, key0, keyEnter   = 2, 3, 9, 11, 28
	keyEsc, keyA                       = 1, 30
)

var t0 = time.Unix(1_763_900_000, 250_000_000)

func TestDecodeEventLayouts(t *testing.T) {
	for _, size := range []int{keypad.EventSize32, keypad.EventSize64} {
		rec := keypadtest.EventRecord(size, t0, 1, kpEnter, 1)
		ev, err := keypad.DecodeEvent(rec)
		if err != nil {
			t.Fatal(err)
		}
		if !ev.Time.Equal(t0) || ev.Type != 1 || ev.Code != kpEnter || ev.Value != 1 {
			t.Errorf("size %d: %+v", size, ev)
		}
	}
	if _, err := keypad.DecodeEvent(make([]byte, 20)); !errors.Is(err, keypad.ErrNotInputDevice) {
		t.Errorf("20-byte record: %v", err)
	}
	want := 24
	if runtime.GOARCH == "arm" || runtime.GOARCH == "386" {
		want = 16
	}
	if keypad.NativeEventSize() != want {
		t.Errorf("NativeEventSize on %s = %d", runtime.GOARCH, keypad.NativeEventSize())
	}
}

// readAll decodes a byte stream from a real pipe. The whole stream is in
// the pipe, written in small odd-sized pieces, before reading starts, as
// the kernel keeps events a busy process has not read yet: decisions must
// come from the events' own times however slowly this process runs.
func readAll(t *testing.T, stream []byte, cfg keypad.EvdevConfig) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(stream) > 4096 { // the smallest pipe buffer Linux has
		t.Fatalf("a %d-byte stream may not fit in the pipe", len(stream))
	}
	for piece := range slices.Chunk(stream, 7) {
		if _, err := w.Write(piece); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var got []keypad.Key
	for k := range keypad.NewEvdevReader(r, cfg).Keys(t.Context()) {
		got = append(got, k)
	}
	return keypad.FormatScript(got)
}

func TestEvdevReader(t *testing.T) {
	slow, fast := 150*time.Millisecond, 2*time.Millisecond
	scan := []uint16{key2, key8, key1, key2, key1, key2, key1, key2, key1, key2, key1, key2, key1, key2, key1, key2, keyEnter}
	for _, size := range []int{keypad.EventSize32, keypad.EventSize64} {
		cfg := keypad.EvdevConfig{EventSize: size}
		for _, tc := range []struct {
			name   string
			stream []byte
			want   string
		}{
			{"typing on the keypad", keypadtest.Strokes(size, t0, slow, kp1, kp2, kpDot, kp5, kp0, kpEnter), "12.50<ENTER>"},
			{"escape and unknown keys", keypadtest.Strokes(size, t0, slow, kp1, keyA, keyEsc), "1<CANCEL>"},
			{"wedge scanner", keypadtest.Strokes(size, t0, fast, scan...), "<SCAN:2812121212121212>"},
			{"autorepeat is ignored", append(keypadtest.Strokes(size, t0, slow, kp5),
				keypadtest.EventRecord(size, t0.Add(time.Second), keypadtest.EvKey, kp5, 2)...), "5"},
			{"dropped packet", bytes.Join([][]byte{
				keypadtest.Strokes(size, t0, slow, kp1),
				keypadtest.EventRecord(size, t0.Add(time.Second), keypadtest.EvSyn, keypadtest.SynDropped, 0),
				keypadtest.EventRecord(size, t0.Add(time.Second), keypadtest.EvKey, kp2, 1),
				keypadtest.EventRecord(size, t0.Add(time.Second), keypadtest.EvSyn, keypadtest.SynReport, 0),
				keypadtest.Strokes(size, t0.Add(2*time.Second), slow, kp5),
			}, nil), "15"},
			{"scan cut by dropped events is discarded", bytes.Join([][]byte{
				keypadtest.Strokes(size, t0, fast, scan[:8]...),
				keypadtest.EventRecord(size, t0.Add(20*time.Millisecond), keypadtest.EvSyn, keypadtest.SynDropped, 0),
				keypadtest.EventRecord(size, t0.Add(20*time.Millisecond), keypadtest.EvSyn, keypadtest.SynReport, 0),
				keypadtest.Strokes(size, t0.Add(22*time.Millisecond), fast, scan[12:]...),
				keypadtest.Strokes(size, t0.Add(time.Second), slow, kp5),
			}, nil), "5"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := readAll(t, tc.stream, cfg); got != tc.want {
					t.Errorf("%d-byte records: got %s, want %s", size, got, tc.want)
				}
			})
		}
	}
}

func TestEvdevDedicatedScanner(t *testing.T) {
	size := keypad.NativeEventSize()
	stream := keypadtest.Strokes(size, t0, 200*time.Millisecond, key1, key2, key0, keyEnter)
	if got := readAll(t, stream, keypad.EvdevConfig{Scan: keypad.ScanDetector{Dedicated: true}}); got != "<SCAN:120>" {
		t.Errorf("got %s", got)
	}
}

func TestEvdevCustomKeymap(t *testing.T) {
	size := keypad.NativeEventSize()
	stream := keypadtest.Strokes(size, t0, time.Second, keyA, kp1)
	cfg := keypad.EvdevConfig{Keymap: map[uint16]keypad.Key{keyA: keypad.FunctionKey(2)}}
	if got := readAll(t, stream, cfg); got != "<F2>" {
		t.Errorf("got %s", got)
	}
}

func TestOpenEvdevRejects(t *testing.T) {
	if _, err := keypad.OpenEvdev("/dev/null", keypad.EvdevConfig{}); !errors.Is(err, keypad.ErrNotInputDevice) && !errors.Is(err, keypad.ErrUnsupported) {
		t.Errorf("/dev/null: %v", err)
	}
	_, err := keypad.OpenEvdev(t.TempDir()+"/event99", keypad.EvdevConfig{})
	if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, keypad.ErrUnsupported) {
		t.Errorf("missing device: %v", err)
	}
}
