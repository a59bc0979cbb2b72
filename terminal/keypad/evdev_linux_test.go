package keypad

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posd/posd/terminal/keypad/keypadtest"
)

// TestEvdevComesBack unplugs a device (its stream ends), fails to find it
// once, then plugs it back: keys keep coming on the same channel.
func TestEvdevComesBack(t *testing.T) {
	size := NativeEventSize()
	t0 := time.Unix(1_763_900_000, 0)
	first, firstW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	second, secondW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	opens := make(chan string, 100)
	var tries atomic.Int32
	e := &Evdev{
		path: "/dev/input/by-id/usb-test-event-kbd",
		cfg:  EvdevConfig{Keymap: DefaultEvdevKeymap(), EventSize: size, Logger: slog.New(slog.DiscardHandler)},
		file: first,
		reopen: func(path string) (io.ReadCloser, error) {
			select {
			case opens <- path:
			default: // retries after the first hundred are not looked at
			}
			if tries.Add(1) != 2 { // not plugged back yet (or unplugged again at the end)
				return nil, errors.New("no such device")
			}
			return second, nil
		},
		reopenPeriod: time.Millisecond,
	}
	ctx, cancel := context.WithCancel(t.Context())
	keys := e.Keys(ctx)
	defer func() { // the source has stopped before the test returns
		cancel()
		for range keys {
		}
	}()
	firstW.Write(keypadtest.Strokes(size, t0, time.Second, 79, 96)) // 1 Enter
	if k := <-keys; k != DigitKey('1') {
		t.Fatalf("got %v", k)
	}
	if k := <-keys; k.Kind != Enter {
		t.Fatalf("got %v", k)
	}
	firstW.Close()                                                                // unplugged
	secondW.Write(keypadtest.Strokes(size, t0.Add(time.Minute), time.Second, 80)) // 2
	if k := <-keys; k != DigitKey('2') {
		t.Fatalf("after reconnecting got %v", k)
	}
	if p := <-opens; p != e.path {
		t.Errorf("reopened %q", p)
	}
	if n := tries.Load(); n != 2 {
		t.Errorf("%d tries to reopen, want 2", n)
	}
	secondW.Close()
}
