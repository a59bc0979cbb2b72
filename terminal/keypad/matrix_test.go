package keypad_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/posd/posd/terminal/keypad"
	"github.com/posd/posd/terminal/keypad/keypadtest"
)

const testDebounce = 2 * time.Millisecond

func startMatrix(t *testing.T, rows, cols int, layout [][]keypad.Key) (*keypadtest.Matrix, <-chan keypad.Key, context.Context) {
	t.Helper()
	pad := keypadtest.NewMatrix(rows, cols)
	m, err := keypad.NewMatrix(keypad.MatrixConfig{
		Rows: pad.Rows(), Cols: pad.Cols(), Layout: layout,
		Debounce: testDebounce, Settle: time.Microsecond, ScanEvery: 200 * time.Microsecond,
		IdlePoll: 5 * time.Millisecond, EdgeWait: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return pad, m.Keys(ctx), ctx
}

func receive(t *testing.T, ctx context.Context, keys <-chan keypad.Key) keypad.Key {
	t.Helper()
	select {
	case k := <-keys:
		return k
	case <-ctx.Done():
		t.Fatal("no key reported")
	}
	return keypad.Key{}
}

// quiet waits until the scanner has seen the pad with no key down for a
// whole debounce period, so the next press is a new one.
func quiet(t *testing.T, ctx context.Context, pad *keypadtest.Matrix) {
	t.Helper()
	if err := pad.WaitScans(ctx, time.Now().Add(testDebounce), 2); err != nil {
		t.Fatal(err)
	}
}

func TestMatrixEveryKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout [][]keypad.Key
	}{{"4x4", keypad.Layout4x4()}, {"4x3", keypad.Layout4x3()}} {
		t.Run(tc.name, func(t *testing.T) {
			pad, keys, ctx := startMatrix(t, len(tc.layout), len(tc.layout[0]), tc.layout)
			for r, row := range tc.layout {
				for c, want := range row {
					pad.Press(r, c)
					if got := receive(t, ctx, keys); got != want {
						t.Fatalf("key at %d,%d: got %v, want %v", r, c, got, want)
					}
					pad.Release(r, c)
					quiet(t, ctx, pad)
				}
			}
		})
	}
}

func TestMatrixHeldKeyReportedOnce(t *testing.T) {
	layout := keypad.Layout4x4()
	pad, keys, ctx := startMatrix(t, 4, 4, layout)
	pad.Press(0, 0)
	if k := receive(t, ctx, keys); k != keypad.DigitKey('1') {
		t.Fatalf("got %v", k)
	}
	// Held for many debounce periods: no repeat.
	if err := pad.WaitScans(ctx, time.Now().Add(5*testDebounce), 2); err != nil {
		t.Fatal(err)
	}
	pad.Release(0, 0)
	quiet(t, ctx, pad)
	pad.Press(1, 1)
	if k := receive(t, ctx, keys); k != keypad.DigitKey('5') {
		t.Fatalf("after holding 1 then pressing 5 got %v", k)
	}
}

func TestMatrixSeveralKeysAndGhostsReportNothing(t *testing.T) {
	layout := keypad.Layout4x4()
	pad, keys, ctx := startMatrix(t, 4, 4, layout)
	// Three corners of a rectangle: (1,1) reads as pressed too.
	pad.Press(0, 0)
	pad.Press(0, 1)
	pad.Press(1, 0)
	if err := pad.WaitScans(ctx, time.Now().Add(3*testDebounce), 2); err != nil {
		t.Fatal(err)
	}
	pad.Release(0, 1)
	pad.Release(1, 0)
	// Only 1 stays down: now it is a real single press.
	if k := receive(t, ctx, keys); k != keypad.DigitKey('1') {
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
	pad, keys, ctx := startMatrix(t, 4, 4, keypad.Layout4x4())
	pad.Fail(errors.New("gpiochip0: no such device"))
	pad.Press(0, 0) // wake the scanner
	select {
	case k, ok := <-keys:
		if ok {
			t.Fatalf("got %v from a failed pad", k)
		}
	case <-ctx.Done():
		t.Fatal("the keypad channel stayed open after a GPIO failure")
	}
}
