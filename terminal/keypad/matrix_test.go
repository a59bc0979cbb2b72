package keypad_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/posd/posd/terminal/keypad"
	"github.com/posd/posd/terminal/keypad/keypadtest"
)

const testDebounce = 2 * time.Millisecond

type matrixRig struct {
	pad      *keypadtest.Matrix
	keys     <-chan keypad.Key
	ctx      context.Context
	debounce time.Duration
	logs     *bytes.Buffer // read it only once keys is closed
}

// startMatrix runs a scanner on a fake pad. The scanner has stopped, and
// the pad is halted, before the test returns.
func startMatrix(t *testing.T, rows, cols int, layout [][]keypad.Key) *matrixRig {
	t.Helper()
	return startMatrixDebounce(t, rows, cols, layout, testDebounce)
}

func startMatrixDebounce(t *testing.T, rows, cols int, layout [][]keypad.Key, debounce time.Duration) *matrixRig {
	t.Helper()
	pad := keypadtest.NewMatrix(rows, cols)
	logs := new(bytes.Buffer)
	m, err := keypad.NewMatrix(keypad.MatrixConfig{
		Rows: pad.Rows(), Cols: pad.Cols(), Layout: layout,
		Debounce: debounce, Settle: time.Microsecond, ScanEvery: 200 * time.Microsecond,
		IdlePoll: 5 * time.Millisecond, EdgeWait: 5 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	// The deadline only turns a lost key into a failure instead of a hang.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	keys := m.Keys(ctx)
	t.Cleanup(func() {
		pad.Resume()
		cancel()
		for range keys {
		}
	})
	return &matrixRig{pad: pad, keys: keys, ctx: ctx, debounce: debounce, logs: logs}
}

func (r *matrixRig) receive(t *testing.T) keypad.Key {
	t.Helper()
	select {
	case k := <-r.keys:
		return k
	case <-r.ctx.Done():
		t.Fatal("no key reported")
	}
	return keypad.Key{}
}

// released waits until the scanner has seen the pad with every key up for
// a whole debounce period, so pressing the same key again is a new press.
// It counts on the scanner timing each scan once it has read it.
func (r *matrixRig) released(t *testing.T) {
	t.Helper()
	// The first scan to start now sees the keys up; the scanner timed its
	// last sight of them down before that scan started.
	first, err := r.pad.NextScan(r.ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A scan starting a period later sees them still up, and the start of
	// the one after shows it has been decided on.
	if err := r.pad.WaitScans(r.ctx, first.Add(r.debounce), 2); err != nil {
		t.Fatal(err)
	}
}

func TestMatrixEveryKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout [][]keypad.Key
	}{{"4x4", keypad.Layout4x4()}, {"4x3", keypad.Layout4x3()}} {
		t.Run(tc.name, func(t *testing.T) {
			r := startMatrix(t, len(tc.layout), len(tc.layout[0]), tc.layout)
			// Each key is pressed as soon as the one before is let go, however
			// soon the scanner gets to see the pad.
			for row, keys := range tc.layout {
				for col, want := range keys {
					r.pad.Press(row, col)
					if got := r.receive(t); got != want {
						t.Fatalf("key at %d,%d: got %v, want %v", row, col, got, want)
					}
					r.pad.Release(row, col)
				}
			}
		})
	}
}

func TestMatrixHeldKeyReportedOnce(t *testing.T) {
	r := startMatrix(t, 4, 4, keypad.Layout4x4())
	r.pad.Press(0, 0)
	if k := r.receive(t); k != keypad.DigitKey('1') {
		t.Fatalf("got %v", k)
	}
	// Held for many debounce periods: no repeat.
	if err := r.pad.WaitScans(r.ctx, time.Now().Add(5*testDebounce), 2); err != nil {
		t.Fatal(err)
	}
	r.pad.Release(0, 0)
	r.released(t)
	r.pad.Press(1, 1)
	if k := r.receive(t); k != keypad.DigitKey('5') {
		t.Fatalf("after holding 1 then pressing 5 got %v", k)
	}
}

func TestMatrixSameKeyTwice(t *testing.T) {
	r := startMatrix(t, 4, 4, keypad.Layout4x4())
	for range 2 {
		r.pad.Press(3, 1)
		if k := r.receive(t); k != keypad.DigitKey('0') {
			t.Fatalf("got %v", k)
		}
		r.pad.Release(3, 1)
		r.released(t)
	}
}

// TestMatrixKeyAfterReleaseWhileScansDelayed is a cashier typing on a busy
// Pi: the scanner sees 1 let go in one scan, then gets no time to scan
// again until 5 is already down. 5 must still be typed. The debounce
// period is long enough that the scan seeing the pad quiet always comes
// less than a period after the last one seeing 1 down.
func TestMatrixKeyAfterReleaseWhileScansDelayed(t *testing.T) {
	r := startMatrixDebounce(t, 4, 4, keypad.Layout4x4(), 50*time.Millisecond)
	r.pad.Press(0, 0)
	if k := r.receive(t); k != keypad.DigitKey('1') {
		t.Fatalf("got %v", k)
	}
	if err := r.pad.Stall(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.pad.Release(0, 0)
	if err := r.pad.Step(r.ctx); err != nil { // one scan sees the pad quiet
		t.Fatal(err)
	}
	r.pad.Press(1, 1)
	r.pad.Resume()
	if k := r.receive(t); k != keypad.DigitKey('5') {
		t.Fatalf("got %v, want 5", k)
	}
}

// TestMatrixRolledKey: the next key goes down before the last comes up.
func TestMatrixRolledKey(t *testing.T) {
	r := startMatrix(t, 4, 4, keypad.Layout4x4())
	r.pad.Press(0, 1)
	if k := r.receive(t); k != keypad.DigitKey('2') {
		t.Fatalf("got %v", k)
	}
	r.pad.Press(2, 2)
	if err := r.pad.WaitScans(r.ctx, time.Now(), 2); err != nil { // both seen down
		t.Fatal(err)
	}
	r.pad.Release(0, 1)
	if k := r.receive(t); k != keypad.DigitKey('9') {
		t.Fatalf("got %v, want 9", k)
	}
}

func TestMatrixSeveralKeysAndGhostsReportNothing(t *testing.T) {
	layout := keypad.Layout4x4()
	r := startMatrix(t, 4, 4, layout)
	// Three corners of a rectangle: (1,1) reads as pressed too.
	r.pad.PressAll([2]int{0, 0}, [2]int{0, 1}, [2]int{1, 0})
	if err := r.pad.WaitScans(r.ctx, time.Now().Add(3*testDebounce), 2); err != nil {
		t.Fatal(err)
	}
	r.pad.Release(0, 1)
	r.pad.Release(1, 0)
	// Only 1 stays down: now it is a real single press.
	if k := r.receive(t); k != keypad.DigitKey('1') {
		t.Fatalf("got %v, want 1 (and nothing before it)", k)
	}
}

func TestMatrixHaltsOnCancel(t *testing.T) {
	pad := keypadtest.NewMatrix(4, 3)
	m, err := keypad.NewMatrix(keypad.MatrixConfig{Rows: pad.Rows(), Cols: pad.Cols(), Layout: keypad.Layout4x3(),
		EdgeWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !pad.AnyRowDriven() {
		t.Fatal("rows not driven low while idle: a press would not wake the scanner")
	}
	ctx, cancel := context.WithCancel(t.Context())
	keys := m.Keys(ctx)
	cancel()
	for range keys {
	}
	if pad.AnyRowDriven() {
		t.Error("a row is still driven after the scanner stopped")
	}
}

func TestNewMatrixRejects(t *testing.T) {
	pad := keypadtest.NewMatrix(4, 4)
	rows, cols := pad.Rows(), pad.Cols()
	withNil := append([]gpio.PinIO{nil}, rows[1:]...)
	short := keypad.Layout4x4()[:3]
	bad := keypad.Layout4x4()
	bad[2][2] = keypad.ScanKey("1")
	for _, tc := range []struct {
		name string
		cfg  keypad.MatrixConfig
		want error
	}{
		{"nil row", keypad.MatrixConfig{Rows: withNil, Cols: cols, Layout: keypad.Layout4x4()}, keypad.ErrPinMissing},
		{"nil col", keypad.MatrixConfig{Rows: rows, Cols: []gpio.PinIO{cols[0], nil, cols[2], cols[3]}, Layout: keypad.Layout4x4()}, keypad.ErrPinMissing},
		{"no pins", keypad.MatrixConfig{}, keypad.ErrLayout},
		{"short layout", keypad.MatrixConfig{Rows: rows, Cols: cols, Layout: short}, keypad.ErrLayout},
		{"4x3 layout on 4x4", keypad.MatrixConfig{Rows: rows, Cols: cols, Layout: keypad.Layout4x3()}, keypad.ErrLayout},
		{"scan key in layout", keypad.MatrixConfig{Rows: rows, Cols: cols, Layout: bad}, keypad.ErrLayout},
	} {
		if _, err := keypad.NewMatrix(tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestMatrixPinsMissing(t *testing.T) {
	// No machine running these tests has a GPIO line called this.
	_, _, err := keypad.MatrixPins([]string{"POSD_NO_SUCH_LINE"}, []string{"GPIO6"})
	if !errors.Is(err, keypad.ErrPinMissing) {
		t.Fatalf("got %v, want ErrPinMissing", err)
	}
	if !strings.Contains(err.Error(), `row 0 is "POSD_NO_SUCH_LINE"`) {
		t.Errorf("error does not name the pin: %v", err)
	}
}

func TestMatrixStopsOnGPIOFailure(t *testing.T) {
	r := startMatrix(t, 4, 4, keypad.Layout4x4())
	r.pad.Fail(errors.New("gpiochip0: no such device"))
	r.pad.Press(0, 0) // wake the scanner
	select {
	case k, ok := <-r.keys:
		if ok {
			t.Fatalf("got %v from a failed pad", k)
		}
	case <-r.ctx.Done():
		t.Fatal("the keypad channel stayed open after a GPIO failure")
	}
	if logs := r.logs.String(); !strings.Contains(logs, "keypad stopped") || !strings.Contains(logs, "no such device") {
		t.Errorf("the failure was not logged: %q", logs)
	}
}
