package keypadtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// Matrix is a membrane keypad without diodes, wired to fake GPIO pins.
// A column reads low when a chain of pressed keys connects it to a row
// that is driven low, so three keys at the corners of a rectangle make the
// fourth read as pressed, as on real hardware. Pressing a key sends a
// falling edge to its column, which wakes a scanner in WaitForEdge.
//
// A scan starts when the scanner first reads a column with row 0 alone
// driven. Tests wait for scans (WaitScans, NextScan) rather than for time,
// and can hold the scanner at the start of a scan (Stall, Step, Resume) as
// a busy machine would.
type Matrix struct {
	mu      sync.Mutex
	rows    []*row
	cols    []*col
	pressed map[[2]int]bool

	rowZeroDriven bool          // row 0 was driven alone and no column read since
	scanStarts    []time.Time   // one per scan
	scanned       chan struct{} // closed and replaced at each scan start
	gate          chan struct{} // non-nil: a scan waits at its start until it is closed
	atGate        chan struct{} // closed when a scan reaches gate
	fail          error         // returned by every row operation once set
}

// Fail makes every later row operation return err, as a GPIO line that
// was taken away or a chip that stopped answering.
func (m *Matrix) Fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

type row struct {
	*gpiotest.Pin
	m      *Matrix
	driven bool
}

// In floats the row (the scanner releases it).
func (r *row) In(pull gpio.Pull, edge gpio.Edge) error {
	r.m.mu.Lock()
	r.driven = false
	if r == r.m.rows[0] {
		r.m.rowZeroDriven = false
	}
	err := r.m.fail
	r.m.mu.Unlock()
	if err != nil {
		return err
	}
	return r.Pin.In(pull, edge)
}

// Out drives the row. Driving it high is recorded as not pulling anything low.
func (r *row) Out(l gpio.Level) error {
	m := r.m
	m.mu.Lock()
	if m.fail != nil {
		defer m.mu.Unlock()
		return m.fail
	}
	r.driven = l == gpio.Low
	// Driving all rows low when idle also starts with row 0 alone; only
	// a column read tells a scan apart.
	m.rowZeroDriven = r.driven && r == m.rows[0] && m.drivenCountLocked() == 1
	m.mu.Unlock()
	return r.Pin.Out(l)
}

type col struct {
	*gpiotest.Pin
	m     *Matrix
	index int
}

// Read reports the column as the wires make it: low when connected to a
// driven-low row through pressed keys, high (pull-up) otherwise.
func (c *col) Read() gpio.Level {
	m := c.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rowZeroDriven {
		m.rowZeroDriven = false
		if gate := m.gate; gate != nil {
			close(m.atGate)
			m.mu.Unlock()
			<-gate
			m.mu.Lock()
		}
		m.scanStarts = append(m.scanStarts, time.Now())
		close(m.scanned)
		m.scanned = make(chan struct{})
	}
	if m.columnLowLocked(c.index) {
		return gpio.Low
	}
	return gpio.High
}

// NewMatrix returns a pad of rows x cols keys.
func NewMatrix(rows, cols int) *Matrix {
	m := &Matrix{pressed: map[[2]int]bool{}, scanned: make(chan struct{})}
	for i := range rows {
		m.rows = append(m.rows, &row{Pin: &gpiotest.Pin{N: fmt.Sprintf("ROW%d", i), Num: i}, m: m})
	}
	for i := range cols {
		m.cols = append(m.cols, &col{
			Pin:   &gpiotest.Pin{N: fmt.Sprintf("COL%d", i), Num: rows + i, EdgesChan: make(chan gpio.Level, 16)},
			m:     m,
			index: i,
		})
	}
	return m
}

// Rows returns the row pins, for keypad.MatrixConfig.Rows.
func (m *Matrix) Rows() []gpio.PinIO {
	out := make([]gpio.PinIO, len(m.rows))
	for i, r := range m.rows {
		out[i] = r
	}
	return out
}

// Cols returns the column pins, for keypad.MatrixConfig.Cols.
func (m *Matrix) Cols() []gpio.PinIO {
	out := make([]gpio.PinIO, len(m.cols))
	for i, c := range m.cols {
		out[i] = c
	}
	return out
}

// Press closes the contact at (r, c) and signals a falling edge on column c.
func (m *Matrix) Press(r, c int) {
	m.PressAll([2]int{r, c})
}

// PressAll closes the contacts at the given {row, column} positions at the
// same instant, as no scan can fall between them, and signals falling
// edges on their columns.
func (m *Matrix) PressAll(keys ...[2]int) {
	m.mu.Lock()
	for _, k := range keys {
		m.pressed[k] = true
	}
	m.mu.Unlock()
	for _, k := range keys {
		select {
		case m.cols[k[1]].EdgesChan <- gpio.Low:
		default: // a scanner that is not waiting will still see the key when it polls
		}
	}
}

// Release opens the contact at (r, c).
func (m *Matrix) Release(r, c int) {
	m.mu.Lock()
	delete(m.pressed, [2]int{r, c})
	m.mu.Unlock()
}

// AnyRowDriven reports whether some row is driven low (false once the
// scanner has halted the pad).
func (m *Matrix) AnyRowDriven() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rows {
		if r.driven {
			return true
		}
	}
	return false
}

func (m *Matrix) drivenCountLocked() int {
	n := 0
	for _, r := range m.rows {
		if r.driven {
			n++
		}
	}
	return n
}

// WaitScans blocks until n scans have started at or after the time after,
// or ctx is done. Once it returns, at least n-1 whole scans have been read
// and handed to the scanner's decision since then: the way a test knows the
// scanner has seen the pad in its current state.
func (m *Matrix) WaitScans(ctx context.Context, after time.Time, n int) error {
	_, err := m.nthScan(ctx, after, n)
	return err
}

// NextScan waits for the first scan that starts at or after the time after
// and returns when it started. Every scan before it had been handed to the
// scanner's decision by then.
func (m *Matrix) NextScan(ctx context.Context, after time.Time) (time.Time, error) {
	return m.nthScan(ctx, after, 1)
}

func (m *Matrix) nthScan(ctx context.Context, after time.Time, n int) (time.Time, error) {
	for {
		m.mu.Lock()
		count := 0
		var nth time.Time
		for _, t := range m.scanStarts {
			if !t.Before(after) {
				if count++; count == n {
					nth = t
				}
			}
		}
		wait := m.scanned
		m.mu.Unlock()
		if count >= n {
			return nth, nil
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("keypadtest: %d of %d scans after %v: %w", count, n, after, ctx.Err())
		}
	}
}

// Stall holds the scanner at the start of its next scan, before it reads
// anything, as a machine too busy to run it would. It returns once the
// scanner is held there; every earlier scan has been handed to the
// scanner's decision by then.
func (m *Matrix) Stall(ctx context.Context) error {
	m.mu.Lock()
	if m.gate == nil {
		m.gate, m.atGate = make(chan struct{}), make(chan struct{})
	}
	arrived := m.atGate
	m.mu.Unlock()
	return waitFor(ctx, arrived, "stall")
}

// Step lets the held scan run whole and holds the scanner again at the
// start of the next one, so that scan has been handed to the decision
// when Step returns. Without a Stall first it acts as Stall.
func (m *Matrix) Step(ctx context.Context) error {
	m.mu.Lock()
	held := m.gate
	m.gate, m.atGate = make(chan struct{}), make(chan struct{})
	arrived := m.atGate
	if held != nil {
		close(held)
	}
	m.mu.Unlock()
	return waitFor(ctx, arrived, "step")
}

// Resume lets the scanner run freely again.
func (m *Matrix) Resume() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gate != nil {
		close(m.gate)
		m.gate, m.atGate = nil, nil
	}
}

func waitFor(ctx context.Context, arrived <-chan struct{}, what string) error {
	select {
	case <-arrived:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("keypadtest: %s: the scanner never reached a scan: %w", what, ctx.Err())
	}
}

// columnLowLocked walks the graph of wires joined by pressed keys, from
// column c, looking for a driven row.
func (m *Matrix) columnLowLocked(c int) bool {
	seenRow := make([]bool, len(m.rows))
	seenCol := make([]bool, len(m.cols))
	seenCol[c] = true
	stack := []int{c}
	for len(stack) > 0 {
		cc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for r := range m.rows {
			if seenRow[r] || !m.pressed[[2]int{r, cc}] {
				continue
			}
			if m.rows[r].driven {
				return true
			}
			seenRow[r] = true
			for c2 := range m.cols {
				if !seenCol[c2] && m.pressed[[2]int{r, c2}] {
					seenCol[c2] = true
					stack = append(stack, c2)
				}
			}
		}
	}
	return false
}
