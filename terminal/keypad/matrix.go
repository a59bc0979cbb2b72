package keypad

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Layout4x4 is the usual membrane pad (1 2 3 A / 4 5 6 B / 7 8 9 C / * 0 # D)
// mapped for a cashier: * is the decimal point, # Enter, A Cancel, B Back,
// C Clear and D opens the manager menu (F1).
func Layout4x4() [][]Key {
	d := DigitKey
	return [][]Key{
		{d('1'), d('2'), d('3'), {Kind: Cancel}},
		{d('4'), d('5'), d('6'), {Kind: Back}},
		{d('7'), d('8'), d('9'), {Kind: Clear}},
		{{Kind: Point}, d('0'), {Kind: Enter}, FunctionKey(1)},
	}
}

// Layout4x3 is the phone-style pad (1 2 3 / 4 5 6 / 7 8 9 / * 0 #): * is
// Cancel and # Enter. It has no decimal point, so use it with amounts typed
// in minor units (terminal.Config.ImpliedDecimal).
func Layout4x3() [][]Key {
	d := DigitKey
	return [][]Key{
		{d('1'), d('2'), d('3')},
		{d('4'), d('5'), d('6')},
		{d('7'), d('8'), d('9')},
		{{Kind: Cancel}, d('0'), {Kind: Enter}},
	}
}

// MatrixConfig describes a keypad wired as a matrix on GPIO lines.
// The durations have working defaults for membrane pads.
type MatrixConfig struct {
	Rows   []gpio.PinIO // driven low one at a time, floating otherwise
	Cols   []gpio.PinIO // inputs with pull-up; a pressed key pulls its column low
	Layout [][]Key      // Layout[row][col]

	Debounce  time.Duration // a key must stay down alone this long; default 20 ms
	Settle    time.Duration // wait after driving a row before reading; default 20 µs
	ScanEvery time.Duration // scan period while a key is down; default 2 ms
	IdlePoll  time.Duration // scan period when idle, in case an edge was missed; default 100 ms
	EdgeWait  time.Duration // longest single WaitForEdge; default 100 ms

	Logger *slog.Logger // nil: slog.Default()
}

// Matrix scans a row/column keypad. One key at a time is reported, once per
// press, after it has been down alone for the debounce period; two or more
// keys down at once report nothing, which also hides ghost keys. A key
// rolled onto from another is reported once it is down alone; the same key
// again only after it has been seen up for the debounce period.
type Matrix struct {
	cfg MatrixConfig
	mu  sync.Mutex // serialises scans and Halt
}

// NewMatrix checks the wiring description and configures the pins: columns
// as pulled-up inputs with falling-edge detection, rows driven low so that
// any key press wakes the scanner.
func NewMatrix(cfg MatrixConfig) (*Matrix, error) {
	if len(cfg.Rows) == 0 || len(cfg.Cols) == 0 {
		return nil, fmt.Errorf("%w: %d rows, %d columns", ErrLayout, len(cfg.Rows), len(cfg.Cols))
	}
	for i, p := range cfg.Rows {
		if p == nil {
			return nil, fmt.Errorf("%w: row %d (is this a Raspberry Pi, is the name right?)", ErrPinMissing, i)
		}
	}
	for i, p := range cfg.Cols {
		if p == nil {
			return nil, fmt.Errorf("%w: column %d (is this a Raspberry Pi, is the name right?)", ErrPinMissing, i)
		}
	}
	if len(cfg.Layout) != len(cfg.Rows) {
		return nil, fmt.Errorf("%w: %d layout rows for %d row pins", ErrLayout, len(cfg.Layout), len(cfg.Rows))
	}
	for r, row := range cfg.Layout {
		if len(row) != len(cfg.Cols) {
			return nil, fmt.Errorf("%w: layout row %d has %d keys for %d column pins", ErrLayout, r, len(row), len(cfg.Cols))
		}
		for c, k := range row {
			if !k.Valid() || k.Kind == Scan {
				return nil, fmt.Errorf("%w: key at row %d column %d is not a keypad key", ErrLayout, r, c)
			}
		}
	}
	setDefault(&cfg.Debounce, 20*time.Millisecond)
	setDefault(&cfg.Settle, 20*time.Microsecond)
	setDefault(&cfg.ScanEvery, 2*time.Millisecond)
	setDefault(&cfg.IdlePoll, 100*time.Millisecond)
	setDefault(&cfg.EdgeWait, 100*time.Millisecond)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	for _, p := range cfg.Cols {
		if err := p.In(gpio.PullUp, gpio.FallingEdge); err != nil {
			return nil, fmt.Errorf("keypad: column %s: %w", p, err)
		}
	}
	m := &Matrix{cfg: cfg}
	if err := m.driveAllRows(); err != nil {
		return nil, err
	}
	return m, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

func (m *Matrix) driveAllRows() error {
	for _, p := range m.cfg.Rows {
		if err := p.Out(gpio.Low); err != nil {
			return fmt.Errorf("keypad: row %s: %w", p, err)
		}
	}
	return nil
}

func (m *Matrix) floatAllRows() error {
	for _, p := range m.cfg.Rows {
		if err := p.In(gpio.Float, gpio.NoEdge); err != nil {
			return fmt.Errorf("keypad: row %s: %w", p, err)
		}
	}
	return nil
}

// Halt leaves the rows floating so the pad draws no current.
func (m *Matrix) Halt() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.floatAllRows()
}

// scan returns the positions (row*cols+col) of the keys that read as down.
// Unselected rows float rather than being driven high, so two keys in one
// column never short a high output to a low one.
func (m *Matrix) scan() ([]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.floatAllRows(); err != nil {
		return nil, err
	}
	var down []int
	for r, row := range m.cfg.Rows {
		if err := row.Out(gpio.Low); err != nil {
			return nil, fmt.Errorf("keypad: row %s: %w", row, err)
		}
		time.Sleep(m.cfg.Settle) // RC settling of the column pull-ups, not a test wait
		for c, col := range m.cfg.Cols {
			if col.Read() == gpio.Low {
				down = append(down, r*len(m.cfg.Cols)+c)
			}
		}
		if err := row.In(gpio.Float, gpio.NoEdge); err != nil {
			return nil, fmt.Errorf("keypad: row %s: %w", row, err)
		}
	}
	return down, m.driveAllRows()
}

// Keys implements Source. It scans until ctx is done, then halts the pad.
// A GPIO error is logged and ends the channel.
func (m *Matrix) Keys(ctx context.Context) <-chan Key {
	out := make(chan Key)
	wake := make(chan struct{}, 1)
	var watchers sync.WaitGroup
	watchCtx, stopWatching := context.WithCancel(ctx)
	for _, col := range m.cfg.Cols {
		watchers.Go(func() {
			// A finite timeout: gpioioctl and gpiotest disagree on what 0 and -1 mean.
			for watchCtx.Err() == nil {
				if col.WaitForEdge(m.cfg.EdgeWait) {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			}
		})
	}
	go func() {
		defer close(out)
		defer func() { stopWatching(); watchers.Wait(); _ = m.Halt() }()
		deb := debouncer{period: m.cfg.Debounce}
		busy := true // scan once at start: a key may already be down
		timer := time.NewTimer(0)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-timer.C:
			}
			down, err := m.scan()
			if err != nil {
				m.cfg.Logger.Error("keypad: matrix scan failed; keypad stopped", "err", err)
				return
			}
			var pos int
			var ok bool
			// Timed after the read: the last moment a key seen down could
			// still have been down, so a release is never measured as longer
			// than it was.
			pos, ok, busy = deb.observe(time.Now(), down)
			if ok {
				k := m.cfg.Layout[pos/len(m.cfg.Cols)][pos%len(m.cfg.Cols)]
				select {
				case out <- k:
				case <-ctx.Done():
					return
				}
			}
			if busy {
				timer.Reset(m.cfg.ScanEvery)
			} else {
				timer.Reset(m.cfg.IdlePoll)
			}
		}
	}()
	return out
}

// debouncer decides, from successive scans, which key presses are real.
// It is pure: time comes in with each observation.
//
// A key is reported once it has been the only key down in every scan for a
// whole period. The key last reported is not reported again until scans
// have seen it up for a whole period, so chatter on release and a held key
// that loses contact for a moment never type a second digit. That wait
// holds back only the same key: another key is judged on its own presses,
// so a key rolled onto, or pressed while the scanner was too busy to see
// the pad go quiet for a period, is still reported. Scans further apart than
// a period cannot tell a quick double tap of one key from a held key that
// flickered; the debouncer then reports one press, never an invented one.
type debouncer struct {
	period time.Duration

	candidate int // position of the single key down, -1 for none
	since     time.Time
	held      int       // the key last reported, until seen up for a period; -1 for none
	heldSeen  time.Time // last scan with held down
	lastDown  time.Time // last scan with any key down
	anyDown   bool
	init      bool
}

// observe takes the keys down at now and returns a key to report, if any,
// and whether the scanner must keep scanning fast (a key is down, the key
// last reported has not been up for a period, or a key was down less than
// a period ago).
func (d *debouncer) observe(now time.Time, down []int) (pos int, report bool, busy bool) {
	if !d.init {
		d.candidate, d.held, d.init = -1, -1, true
	}
	if len(down) > 0 {
		d.lastDown, d.anyDown = now, true
	}
	if d.held >= 0 {
		if slices.Contains(down, d.held) {
			d.heldSeen = now
		} else if now.Sub(d.heldSeen) >= d.period {
			d.held = -1
		}
	}
	switch {
	case len(down) != 1: // nothing, or several keys (or a ghost): no candidate
		d.candidate = -1
	case d.candidate != down[0]:
		d.candidate, d.since = down[0], now
	}
	if d.candidate >= 0 && d.candidate != d.held && now.Sub(d.since) >= d.period {
		d.held, d.heldSeen = d.candidate, now
		report, pos = true, d.candidate
	}
	busy = len(down) > 0 || d.held >= 0 || (d.anyDown && now.Sub(d.lastDown) < d.period)
	return pos, report, busy
}
