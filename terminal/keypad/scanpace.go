package keypad

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"time"
)

// A source read through an *os.File that can wait with a deadline (an input
// device, a terminal, a pipe) runs its ScanDetector in the goroutine that
// reads it. Held digits are then released only when a read finds nothing
// waiting by the time they are due: a reading goroutine the machine is slow
// to run never splits a scan into typed digits. DetectScans, whose clock
// cannot see keys the reader has not passed on yet, is the fallback.

// waitReader is a reader that can give up at a deadline and be asked
// whether input is waiting.
type waitReader interface {
	io.Reader
	SetReadDeadline(time.Time) error
	SyscallConn() (syscall.RawConn, error)
}

// errHeldDue is returned by pacedReader.Read when held digits are due and
// nothing is waiting to be read.
var errHeldDue = errors.New("keypad: held digits are due")

// pacedReader reads for a goroutine that runs a ScanDetector.
type pacedReader struct {
	f   waitReader
	due time.Time // when held digits must be released; zero: none held
}

// newPacedReader returns r as a pacedReader, or false when r cannot wait
// with a deadline (a regular file, an in-memory reader).
func newPacedReader(r io.Reader) (*pacedReader, bool) {
	f, ok := r.(waitReader)
	if !ok || f.SetReadDeadline(time.Time{}) != nil {
		return nil, false
	}
	return &pacedReader{f: f}, true
}

// Read reads as f does, but while digits are held it returns errHeldDue
// once they are due and no input is waiting.
func (p *pacedReader) Read(b []byte) (int, error) {
	if p.due.IsZero() {
		return p.f.Read(b)
	}
	if err := p.f.SetReadDeadline(p.due); err != nil {
		return 0, err
	}
	n, err := p.f.Read(b)
	if clearErr := p.f.SetReadDeadline(time.Time{}); clearErr != nil && err == nil {
		err = clearErr
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return n, err
	}
	if n > 0 {
		return n, nil
	}
	// The deadline may have passed while this goroutine waited for the CPU
	// with input already there: ask the kernel, not the clock.
	if inputWaiting(p.f) {
		return p.f.Read(b) // no deadline now; returns at once
	}
	return 0, errHeldDue
}

// scanRunner runs a ScanDetector in a source's reading goroutine.
type scanRunner struct {
	ctx context.Context
	d   ScanDetector
	out chan<- Key
	r   *pacedReader
}

// feed takes one key; false means ctx is done.
func (s *scanRunner) feed(t Timed) bool {
	if !sendKeys(s.ctx, s.out, s.d.Feed(t)) {
		return false
	}
	s.r.due = time.Time{}
	if s.d.Pending() {
		s.r.due = time.Now().Add(s.d.maxGap())
	}
	return true
}

// expire releases the held digits; false means ctx is done.
func (s *scanRunner) expire() bool {
	s.r.due = time.Time{}
	return sendKeys(s.ctx, s.out, s.d.Expire())
}

// sendKeys sends keys in order; false means ctx was done first.
func sendKeys(ctx context.Context, out chan<- Key, keys []Key) bool {
	for _, k := range keys {
		if !send(ctx, out, k) {
			return false
		}
	}
	return true
}

// send sends v unless ctx is done first (then false).
func send[T any](ctx context.Context, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}
