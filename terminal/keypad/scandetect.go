package keypad

import (
	"context"
	"time"
)

// Timed is a key with the moment it was pressed, as the device reports it
// (the kernel's event time for evdev, the arrival time for a terminal).
type Timed struct {
	Key Key
	At  time.Time
}

// Default scan detection thresholds. Keyboard-wedge scanners send a
// character every 1 to 10 ms; a fast typist needs more than 50 ms.
const (
	DefaultScanMaxGap = 25 * time.Millisecond
	DefaultScanMinLen = 10
)

// ScanDetector tells a keyboard-wedge barcode scanner apart from a person
// typing on the same keyboard: a run of at least MinLen digits, each within
// MaxGap of the one before, ended by Enter within MaxGap, is one Scan key.
// Anything else passes through unchanged, in order. Digits are held back
// for at most MaxGap while the detector waits to see whether a run
// continues; call Expire once MaxGap has passed without a key.
//
// With Dedicated set the device is a scanner and nothing else: every digit
// run ended by Enter is a scan whatever its speed, and other keys are dropped.
//
// A ScanDetector is a pure decision, with no clock or goroutine; DetectScans
// runs one on a channel.
type ScanDetector struct {
	MaxGap    time.Duration // zero: DefaultScanMaxGap
	MinLen    int           // zero: DefaultScanMinLen
	Dedicated bool

	held       []byte // digits not yet passed on
	last       time.Time
	discarding bool // input was lost; dropping the rest of a scan
}

func (d *ScanDetector) maxGap() time.Duration {
	if d.MaxGap > 0 {
		return d.MaxGap
	}
	return DefaultScanMaxGap
}

func (d *ScanDetector) minLen() int {
	if d.MinLen > 0 {
		return d.MinLen
	}
	return DefaultScanMinLen
}

// Pending reports whether digits are held back, waiting for Expire or more keys.
func (d *ScanDetector) Pending() bool { return len(d.held) > 0 && !d.Dedicated }

// Feed takes the next key and returns the keys that are now decided.
//
// A key that is not Valid (the zero Key, with the time of the loss) means
// the device lost input. Digits typed before it are kept; a scan in
// progress is dropped, and so is the rest of it: keys are discarded until
// a pause longer than MaxGap (on a Dedicated scanner, until its Enter), so
// the tail of a broken scan never becomes an amount.
func (d *ScanDetector) Feed(t Timed) []Key {
	if !t.Key.Valid() {
		var out []Key
		if !d.Dedicated && len(d.held) > 0 && t.At.Sub(d.last) > d.maxGap() {
			out = d.Expire()
		}
		d.held, d.discarding, d.last = d.held[:0], true, t.At
		return out
	}
	if d.discarding {
		if d.Dedicated {
			d.discarding = t.Key.Kind != Enter
			return nil
		}
		if gap := t.At.Sub(d.last); gap >= 0 && gap <= d.maxGap() {
			d.last = t.At
			return nil
		}
		d.discarding = false
	}
	if d.Dedicated {
		return d.feedDedicated(t.Key)
	}
	fast := len(d.held) > 0 && t.At.Sub(d.last) <= d.maxGap() && !t.At.Before(d.last)
	switch t.Key.Kind {
	case Digit:
		var out []Key
		if len(d.held) > 0 && !fast {
			out = d.Expire()
		}
		if len(d.held) == MaxCodeLen { // too long for any code: it was typing after all
			out = append(out, d.Expire()...)
		}
		d.held = append(d.held, t.Key.Digit)
		d.last = t.At
		return out
	case Enter:
		if fast && len(d.held) >= d.minLen() {
			code := string(d.held)
			d.held = d.held[:0]
			return []Key{ScanKey(code)}
		}
	}
	return append(d.Expire(), t.Key)
}

func (d *ScanDetector) feedDedicated(k Key) []Key {
	switch k.Kind {
	case Digit:
		if len(d.held) < MaxCodeLen {
			d.held = append(d.held, k.Digit)
		} else {
			d.held = d.held[:0] // garbage, not a code
		}
	case Enter:
		if len(d.held) > 0 {
			code := string(d.held)
			d.held = d.held[:0]
			return []Key{ScanKey(code)}
		}
	default:
		d.held = d.held[:0]
	}
	return nil
}

// Expire passes on the held digits as typed keys: no scan followed them.
func (d *ScanDetector) Expire() []Key {
	if d.Dedicated || len(d.held) == 0 {
		return nil
	}
	out := make([]Key, len(d.held))
	for i, c := range d.held {
		out[i] = DigitKey(c)
	}
	d.held = d.held[:0]
	return out
}

// DetectScans runs d over in and returns the resulting keys. Held digits
// are released MaxGap after the last key arrived. The channel is closed
// when in is closed (after releasing held digits) or ctx is done. Its clock
// cannot see keys the sender has read but not sent yet: a sender the
// machine is slow to run can split a scan. The package's own sources avoid
// that when they can (see scanRunner).
func DetectScans(ctx context.Context, in <-chan Timed, d *ScanDetector) <-chan Key {
	out := make(chan Key)
	go func() {
		defer close(out)
		timer := time.NewTimer(time.Hour)
		timer.Stop()
		defer timer.Stop()
		send := func(keys []Key) bool { return sendKeys(ctx, out, keys) }
		// take handles one key (or the end of in) and reports whether to go on.
		take := func(t Timed, ok bool) bool {
			if !ok {
				send(d.Expire())
				return false
			}
			if !send(d.Feed(t)) {
				return false
			}
			timer.Stop()
			if d.Pending() {
				timer.Reset(d.maxGap())
			}
			return true
		}
		for {
			select {
			case <-ctx.Done():
				return
			case t, ok := <-in:
				if !take(t, ok) {
					return
				}
			case <-timer.C:
				// A key already waiting is judged by its own time, not by
				// how late this goroutine got to it.
				select {
				case t, ok := <-in:
					if !take(t, ok) {
						return
					}
					continue
				default:
				}
				if !send(d.Expire()) {
					return
				}
			}
		}
	}()
	return out
}
