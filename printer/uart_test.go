package printer

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// uartLine is one direction of a simulated 8N1 serial line: each byte takes
// 10 bit times at the baud rate (start, 8 data, stop), one after another,
// and reaches the reader only when its stop bit has gone by. A pty passes
// bytes at memory speed whatever baud it is told, so this is what wire-time
// figures are measured on.
type uartLine struct {
	char time.Duration

	mu      sync.Mutex
	pending []byte      // sent, not yet read
	due     []time.Time // when each pending byte has fully arrived
	free    time.Time   // when the transmitter is idle again
	closed  bool
	wake    chan struct{} // closed and replaced when bytes are sent or the line closes
}

func newUARTLine(baud int) *uartLine {
	return &uartLine{char: time.Second * 10 / time.Duration(baud), wake: make(chan struct{})}
}

// send queues p behind what is still on the wire and returns when the last
// byte will have arrived.
func (u *uartLine) send(p []byte) (time.Time, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return time.Time{}, net.ErrClosed
	}
	t := time.Now()
	if u.free.After(t) {
		t = u.free
	}
	for _, b := range p {
		t = t.Add(u.char)
		u.pending = append(u.pending, b)
		u.due = append(u.due, t)
	}
	u.free = t
	close(u.wake)
	u.wake = make(chan struct{})
	return t, nil
}

// read returns the bytes that have fully arrived, waiting for the first.
func (u *uartLine) read(p []byte) (int, error) {
	for {
		u.mu.Lock()
		if u.closed {
			u.mu.Unlock()
			return 0, net.ErrClosed
		}
		now := time.Now()
		n := 0
		for n < len(p) && n < len(u.pending) && !u.due[n].After(now) {
			n++
		}
		if n > 0 {
			copy(p, u.pending[:n])
			u.pending, u.due = u.pending[n:], u.due[n:]
			u.mu.Unlock()
			return n, nil
		}
		wake := u.wake
		var wait <-chan time.Time
		if len(u.pending) > 0 {
			t := time.NewTimer(u.due[0].Sub(now))
			defer t.Stop()
			wait = t.C
		}
		u.mu.Unlock()
		select {
		case <-wake:
		case <-wait:
		}
	}
}

func (u *uartLine) close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.closed {
		u.closed = true
		close(u.wake)
	}
}

// uartEnd is one end of a simulated serial cable: it reads from one line
// and writes to the other.
type uartEnd struct {
	in, out *uartLine
	drain   bool // Write returns only once the bytes are on the wire
	writes  atomic.Int64

	mu     sync.Mutex
	log    [][]byte // every write, when record is set
	record bool
}

func (e *uartEnd) Read(p []byte) (int, error) { return e.in.read(p) }

// Write queues p; with drain it also waits until p has left, as the serial
// link's Write does (tcdrain) before it asks for status.
func (e *uartEnd) Write(p []byte) (int, error) {
	e.writes.Add(1)
	e.mu.Lock()
	if e.record {
		e.log = append(e.log, append([]byte(nil), p...))
	}
	e.mu.Unlock()
	done, err := e.out.send(p)
	if err != nil {
		return 0, err
	}
	if e.drain {
		time.Sleep(time.Until(done))
	}
	return len(p), nil
}

func (e *uartEnd) Close() error {
	e.in.close()
	e.out.close()
	return nil
}

// uartCable is a null-modem cable at one baud rate: host is the driver's
// link (writes drain like the serial link's), printer the device's end.
func uartCable(baud int) (host, printer *uartEnd) {
	toPrinter, toHost := newUARTLine(baud), newUARTLine(baud)
	return &uartEnd{in: toHost, out: toPrinter, drain: true}, &uartEnd{in: toPrinter, out: toHost}
}

// uartDialer hands the driver the host end of a cable once.
func uartDialer(host *uartEnd) Dialer {
	return func(ctx context.Context) (Link, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return host, nil
	}
}
