package printer

import (
	"fmt"
	"strings"
)

// Status is what the printer reported about itself (docs/hardware.md §1.6).
// The zero value is a healthy, online printer.
type Status struct {
	Offline         bool // DLE EOT 1 bit 3, ASB byte 1 bit 3
	CoverOpen       bool // DLE EOT 2 bit 2
	PaperEnd        bool // DLE EOT 2 bit 5, DLE EOT 4 bits 5+6
	PaperNearEnd    bool // DLE EOT 4 bits 2+3: print, but tell the merchant
	FeedPressed     bool // DLE EOT 2 bit 3
	Error           bool // DLE EOT 2 bit 6
	CutterError     bool // DLE EOT 3 bit 3
	Unrecoverable   bool // DLE EOT 3 bit 5
	AutoRecoverable bool // DLE EOT 3 bit 6 (head hot, cover opened while printing)
	DrawerHigh      bool // drawer connector pin 3
}

// Status requests for DLE EOT n.
const (
	requestPrinter = 1
	requestOffline = 2
	requestError   = 3
	requestPaper   = 4
)

// isStatusReply reports whether b has the fixed bits of a DLE EOT answer.
func isStatusReply(b byte) bool { return b&0x93 == 0x12 }

// apply folds the reply to DLE EOT n into s.
func (s *Status) apply(n, b byte) {
	bit := func(i uint) bool { return b&(1<<i) != 0 }
	switch n {
	case requestPrinter:
		s.DrawerHigh, s.Offline = bit(2), bit(3)
	case requestOffline:
		s.CoverOpen, s.FeedPressed, s.PaperEnd, s.Error = bit(2), bit(3), bit(5), bit(6)
	case requestError:
		s.CutterError, s.Unrecoverable, s.AutoRecoverable = bit(3), bit(5), bit(6)
	case requestPaper:
		s.PaperNearEnd = b&0x0C == 0x0C
		s.PaperEnd = s.PaperEnd || b&0x60 == 0x60
	}
}

// statusFromASB decodes the four bytes of Automatic Status Back.
func statusFromASB(a [4]byte) Status {
	return Status{
		DrawerHigh:      a[0]&0x04 != 0,
		Offline:         a[0]&0x08 != 0,
		CoverOpen:       a[0]&0x20 != 0,
		FeedPressed:     a[0]&0x40 != 0,
		CutterError:     a[1]&0x08 != 0,
		Unrecoverable:   a[1]&0x20 != 0,
		AutoRecoverable: a[1]&0x40 != 0,
		PaperNearEnd:    a[2]&0x03 != 0,
		PaperEnd:        a[2]&0x0C != 0,
		Error:           a[1]&0x68 != 0,
	}
}

// Err says why a job must be held, or nil when the printer can print.
// Paper near end alone does not hold a job.
func (s Status) Err() error {
	var why []string
	if s.CoverOpen {
		why = append(why, "cover open")
	}
	if s.PaperEnd {
		why = append(why, "paper end")
	}
	if s.CutterError {
		why = append(why, "cutter error")
	}
	if s.Unrecoverable {
		why = append(why, "unrecoverable error")
	}
	if s.AutoRecoverable {
		why = append(why, "recoverable error (head temperature?)")
	}
	if s.Error && len(why) == 0 {
		why = append(why, "error")
	}
	if s.Offline && len(why) == 0 {
		why = append(why, "offline")
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrNotReady, strings.Join(why, ", "))
}

// String lists the conditions that are set, or "ready".
func (s Status) String() string {
	if err := s.Err(); err != nil {
		if s.PaperNearEnd {
			return err.Error() + ", paper near end"
		}
		return err.Error()
	}
	if s.PaperNearEnd {
		return "ready, paper near end"
	}
	return "ready"
}

// eventKind classifies a byte, or a group of bytes, from the printer.
type eventKind uint8

const (
	eventNone    eventKind = iota // inside an ASB burst, or nothing to report
	eventStatus                   // answer to DLE EOT n
	eventASB                      // complete Automatic Status Back
	eventXON                      // resume sending
	eventXOFF                     // stop sending: buffer nearly full
	eventReply                    // answer to GS r / GS I (0xx0xxxx)
	eventUnknown                  // a byte that fits no pattern
)

type event struct {
	kind eventKind
	b    byte
	asb  [4]byte
}

// demux tells printer replies apart by their bit patterns. It is fed one
// byte at a time by the goroutine that owns the read side.
type demux struct {
	asb [4]byte
	n   int // bytes of an ASB burst received so far; 0 when not in one
}

func (d *demux) feed(b byte) event {
	switch b {
	case 0x11:
		return event{kind: eventXON, b: b}
	case 0x13:
		return event{kind: eventXOFF, b: b}
	}
	if d.n > 0 {
		if b&0x90 == 0 {
			d.asb[d.n] = b
			d.n++
			if d.n == 4 {
				d.n = 0
				return event{kind: eventASB, asb: d.asb}
			}
			return event{kind: eventNone}
		}
		d.n = 0 // a burst cut short: the byte starts something new
	}
	switch {
	case isStatusReply(b):
		return event{kind: eventStatus, b: b}
	case b&0x93 == 0x10:
		d.asb = [4]byte{b}
		d.n = 1
		return event{kind: eventNone}
	case b&0x90 == 0:
		return event{kind: eventReply, b: b}
	}
	return event{kind: eventUnknown, b: b}
}
