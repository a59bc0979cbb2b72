package virtual

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// DeviceConfig adds the link-side behaviour to a Machine's Config.
type DeviceConfig struct {
	Config
	// BufferSize is the receive buffer in bytes; 0 means unlimited. Bytes
	// arriving with the buffer full are lost, as on the hardware.
	BufferSize int
	// XonXoff makes the device send XOFF when fewer than 256 bytes of the
	// buffer are left and XON when it has drained to half.
	XonXoff bool
}

// State is a snapshot of what a test may wait for.
type State struct {
	Cuts           int  // slips cut so far
	Pending        int  // bytes received but not yet printed
	StatusRequests int  // DLE EOT requests received
	Printing       bool // online with paper and cover closed
	XOFF           bool // XOFF sent and not yet revoked
	XOFFSent       int  // how many times XOFF was sent
	Lost           int  // bytes dropped on a full buffer
}

// Device is a virtual printer behind a byte link. Its methods are safe for
// concurrent use: a test scripts it while Serve talks to the driver.
type Device struct {
	cfg DeviceConfig

	mu       sync.Mutex
	m        *Machine
	buf      []byte
	carry    []byte
	offline  bool
	cover    bool
	paperEnd bool
	nearEnd  bool
	silent   bool
	stalled  bool
	endAtCut int
	delay    time.Duration
	requests int
	xoff     bool
	lost     int
	xoffSent int
	changed  chan struct{} // closed and replaced on every change
	kick     chan struct{}
	writeMu  sync.Mutex
	rw       io.Writer
}

// NewDevice returns an online printer with paper.
func NewDevice(cfg DeviceConfig) *Device {
	return &Device{cfg: cfg, m: NewMachine(cfg.Config), changed: make(chan struct{}), kick: make(chan struct{}, 1)}
}

// notify wakes waiters and the executor; call with d.mu held.
func (d *Device) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

func (d *Device) set(f func()) {
	d.mu.Lock()
	f()
	d.notify()
	d.mu.Unlock()
}

// SetOffline takes the printer offline (true) or back online.
func (d *Device) SetOffline(v bool) { d.set(func() { d.offline = v }) }

// SetCoverOpen opens or closes the cover.
func (d *Device) SetCoverOpen(v bool) { d.set(func() { d.cover = v }) }

// SetPaperEnd runs out of paper (true) or loads a new roll.
func (d *Device) SetPaperEnd(v bool) { d.set(func() { d.paperEnd = v }) }

// SetPaperNearEnd sets the near-end sensor.
func (d *Device) SetPaperNearEnd(v bool) { d.set(func() { d.nearEnd = v }) }

// SetSilent makes the printer never answer anything (it still prints).
func (d *Device) SetSilent(v bool) { d.set(func() { d.silent = v }) }

// SetStalled stops (true) or restarts the print mechanism while the printer
// stays online and keeps answering status: bytes pile up in the receive
// buffer as they do behind a slow head, so tests can fill it on purpose
// instead of racing the host.
func (d *Device) SetStalled(v bool) { d.set(func() { d.stalled = v }) }

// SetLineDelay makes every printed line, image or cut take d: a slow printer.
func (d *Device) SetLineDelay(delay time.Duration) { d.set(func() { d.delay = delay }) }

// PaperEndAfterCut runs out of paper right after the n-th cut.
func (d *Device) PaperEndAfterCut(n int) { d.set(func() { d.endAtCut = n }) }

func (d *Device) stateLocked() State {
	return State{Cuts: d.m.Cuts(), Pending: len(d.buf), StatusRequests: d.requests,
		Printing: d.printingLocked(), XOFF: d.xoff, XOFFSent: d.xoffSent, Lost: d.lost}
}

func (d *Device) printingLocked() bool { return !d.offline && !d.cover && !d.paperEnd }

// State returns a snapshot.
func (d *Device) State() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stateLocked()
}

// Wait blocks until cond holds for the device state or ctx ends.
func (d *Device) Wait(ctx context.Context, cond func(State) bool) error {
	for {
		d.mu.Lock()
		s, ch := d.stateLocked(), d.changed
		d.mu.Unlock()
		if cond(s) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("virtual printer: waiting (last state %+v): %w", s, ctx.Err())
		}
	}
}

// Transcript is the text of everything printed.
func (d *Device) Transcript() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m.Transcript()
}

// PNG renders the paper printed so far.
func (d *Device) PNG() ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m.PNG()
}

// Serve answers and prints what arrives on rw until reading fails (the
// link was closed) or ctx ends; it then returns the error.
func (d *Device) Serve(ctx context.Context, rw io.ReadWriter) error {
	d.mu.Lock()
	d.rw = rw
	d.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.execute(ctx)
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()
	p := make([]byte, 512)
	for {
		n, err := rw.Read(p)
		if n > 0 {
			d.receive(p[:n])
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (d *Device) send(b []byte) {
	d.mu.Lock()
	w, silent := d.rw, d.silent
	d.mu.Unlock()
	if len(b) == 0 || w == nil || silent {
		return
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	_, _ = w.Write(b) // a printer does not care whether anyone listens
}

// receive takes bytes off the wire: real-time commands are executed at
// once, wherever they appear; the rest goes into the receive buffer.
func (d *Device) receive(p []byte) {
	d.mu.Lock()
	data := append(d.carry, p...)
	d.carry = nil
	var answers []byte
	for i := 0; i < len(data); i++ {
		if data[i] == 0x10 {
			if i+1 == len(data) || i+2 == len(data) && isRealtimeSecond(data[i+1]) {
				d.carry = append([]byte(nil), data[i:]...)
				break
			}
			if isRealtimeSecond(data[i+1]) && d.realtime(data[i+1], data[i+2], &answers) {
				i += 2
				continue
			}
		}
		if d.cfg.BufferSize > 0 && len(d.buf) >= d.cfg.BufferSize {
			d.lost++
			continue
		}
		d.buf = append(d.buf, data[i])
		// XOFF goes out at once, ahead of any status answer to a request
		// that followed these bytes on the wire.
		if d.cfg.XonXoff && d.cfg.BufferSize > 0 && !d.xoff && len(d.buf) > d.cfg.BufferSize-256 {
			d.xoff = true
			d.xoffSent++
			answers = append(answers, 0x13)
		}
	}
	d.notify()
	d.mu.Unlock()
	d.send(answers)
}

func isRealtimeSecond(b byte) bool { return b == 0x04 || b == 0x05 || b == 0x14 }

// realtime executes DLE EOT / DLE ENQ / DLE DC4; false means the bytes
// were not a valid real-time command and are ordinary data.
func (d *Device) realtime(c, n byte, answers *[]byte) bool {
	switch c {
	case 0x04:
		if n < 1 || n > 4 {
			return false
		}
		d.requests++
		*answers = append(*answers, d.statusByte(n))
	case 0x05:
		if n > 2 {
			return false
		}
		if n == 2 { // clear receive and print buffers
			d.buf = nil
			d.m.line, d.m.x = nil, 0
		}
	case 0x14:
		if n < 1 || n > 8 {
			return false
		}
	}
	return true
}

func (d *Device) statusByte(n byte) byte {
	b := byte(0x12)
	set := func(cond bool, bits byte) {
		if cond {
			b |= bits
		}
	}
	switch n {
	case 1:
		set(!d.printingLocked(), 0x08)
	case 2:
		set(d.cover, 0x04)
		set(d.paperEnd, 0x20)
	case 4:
		set(d.nearEnd, 0x0C)
		set(d.paperEnd, 0x60)
	}
	return b
}

// execute prints buffered bytes whenever the printer can print.
func (d *Device) execute(ctx context.Context) {
	for {
		d.mu.Lock()
		var replies []byte
		var pause time.Duration
		if d.printingLocked() && !d.stalled && len(d.buf) > 0 {
			d.m.paperSensor = 0
			if d.nearEnd {
				d.m.paperSensor |= 0x03
			}
			before := len(d.m.paper)
			n := d.m.step(d.buf)
			if n > 0 {
				d.buf = d.buf[n:]
				replies = d.m.TakeReplies()
				if d.endAtCut > 0 && d.m.Cuts() >= d.endAtCut {
					d.paperEnd, d.endAtCut = true, 0
				}
				if len(d.m.paper) != before {
					pause = d.delay
				}
				if d.xoff && len(d.buf) <= d.cfg.BufferSize/2 {
					d.xoff = false
					replies = append(replies, 0x11)
				}
				d.notify()
				d.mu.Unlock()
				d.send(replies)
				if pause > 0 {
					select {
					case <-time.After(pause): // the print head's own pace
					case <-ctx.Done():
						return
					}
				}
				continue
			}
		}
		d.mu.Unlock()
		select {
		case <-d.kick:
		case <-ctx.Done():
			return
		}
	}
}
