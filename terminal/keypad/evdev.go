package keypad

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/bits"
	"time"
)

// Sizes of struct input_event as a process reads it from /dev/input/eventN:
// two C longs of time, then type, code and value. The size follows the
// reading process's word size, not the kernel's: an armhf posd on a 64-bit
// kernel still reads 16-byte records.
const (
	EventSize32 = 16
	EventSize64 = 24
)

// NativeEventSize is the record size for this process.
func NativeEventSize() int {
	if bits.UintSize == 32 {
		return EventSize32
	}
	return EventSize64
}

// Event is one decoded input_event.
type Event struct {
	Time  time.Time
	Type  uint16
	Code  uint16
	Value int32
}

// Event types and codes posd uses (linux/input-event-codes.h).
const (
	evSyn      = 0
	evKey      = 1
	synReport  = 0
	synDropped = 3
	keyPress   = 1 // value 0 is a release, 2 an autorepeat
)

// DecodeEvent decodes one little-endian record of EventSize32 or
// EventSize64 bytes.
func DecodeEvent(rec []byte) (Event, error) {
	var sec, usec int64
	var rest []byte
	switch len(rec) {
	case EventSize32:
		sec = int64(binary.LittleEndian.Uint32(rec[0:]))
		usec = int64(binary.LittleEndian.Uint32(rec[4:]))
		rest = rec[8:]
	case EventSize64:
		sec = int64(binary.LittleEndian.Uint64(rec[0:]))
		usec = int64(binary.LittleEndian.Uint64(rec[8:]))
		rest = rec[16:]
	default:
		return Event{}, fmt.Errorf("%w: %d-byte record, want %d or %d", ErrNotInputDevice, len(rec), EventSize32, EventSize64)
	}
	return Event{
		Time:  time.Unix(sec, 0).Add(time.Duration(usec%1_000_000) * time.Microsecond),
		Type:  binary.LittleEndian.Uint16(rest[0:]),
		Code:  binary.LittleEndian.Uint16(rest[2:]),
		Value: int32(binary.LittleEndian.Uint32(rest[4:])),
	}, nil
}

// DefaultEvdevKeymap maps the keys of a USB numeric keypad and the digits
// of a keyboard-wedge scanner. On the numeric block "/" opens the manager
// menu (F1), "*" clears, "-" deletes the last character and "+" cancels;
// Esc cancels and Delete clears on a full keyboard. NumLock is ignored: the
// kernel sends KEY_KPn whatever its LED says.
func DefaultEvdevKeymap() map[uint16]Key {
	m := map[uint16]Key{
		82: DigitKey('0'), 79: DigitKey('1'), 80: DigitKey('2'), 81: DigitKey('3'), 75: DigitKey('4'),
		76: DigitKey('5'), 77: DigitKey('6'), 71: DigitKey('7'), 72: DigitKey('8'), 73: DigitKey('9'),
		11: DigitKey('0'),                                        // KEY_0; KEY_1..KEY_9 are 2..10
		83: {Kind: Point}, 52: {Kind: Point}, 121: {Kind: Point}, // KPDOT, DOT, KPCOMMA
		96: {Kind: Enter}, 28: {Kind: Enter}, // KPENTER, ENTER
		14: {Kind: Back}, 74: {Kind: Back}, // BACKSPACE, KPMINUS
		111: {Kind: Clear}, 55: {Kind: Clear}, // DELETE, KPASTERISK
		1: {Kind: Cancel}, 78: {Kind: Cancel}, // ESC, KPPLUS
		98: FunctionKey(1), // KPSLASH
		87: FunctionKey(11), 88: FunctionKey(12),
	}
	for i := range 9 {
		m[uint16(2+i)] = DigitKey(byte('1' + i))
	}
	for i := range 10 { // KEY_F1..KEY_F10 are 59..68
		m[uint16(59+i)] = FunctionKey(1 + i)
	}
	return m
}

// evdevKeys turns events into key presses: presses of mapped keys only,
// no releases, no autorepeat, and nothing from a packet the kernel
// reported as partly dropped.
type evdevKeys struct {
	keymap   map[uint16]Key
	dropping bool // between SYN_DROPPED and the next SYN_REPORT
}

// feed returns the key an event makes, if any. When the kernel reports
// dropped events it returns the zero Key with the event's time, which tells
// a ScanDetector that a scan in progress is unreliable.
func (e *evdevKeys) feed(ev Event) (t Timed, ok bool) {
	switch {
	case ev.Type == evSyn && ev.Code == synDropped:
		e.dropping = true
		return Timed{At: ev.Time}, true
	case ev.Type == evSyn && ev.Code == synReport:
		e.dropping = false
	case ev.Type == evKey && ev.Value == keyPress && !e.dropping:
		if k, found := e.keymap[ev.Code]; found {
			return Timed{Key: k, At: ev.Time}, true
		}
	}
	return t, false
}

// EvdevConfig says how to read an input device.
type EvdevConfig struct {
	Keymap    map[uint16]Key // nil: DefaultEvdevKeymap()
	EventSize int            // 0: NativeEventSize()
	// Scan tells scans from typing. Set Scan.Dedicated for a device that is
	// only a barcode scanner.
	Scan   ScanDetector
	Logger *slog.Logger // nil: slog.Default()
}

func (c *EvdevConfig) setDefaults() {
	if c.Keymap == nil {
		c.Keymap = DefaultEvdevKeymap()
	}
	if c.EventSize == 0 {
		c.EventSize = NativeEventSize()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// EvdevReader is a Source that decodes input_event records from any
// reader: an opened device, or a pipe in tests. Its channel closes when the
// reader fails or ends, or ctx is done.
type EvdevReader struct {
	r   io.Reader
	cfg EvdevConfig
}

// NewEvdevReader returns a Source reading records from r.
func NewEvdevReader(r io.Reader, cfg EvdevConfig) *EvdevReader {
	cfg.setDefaults()
	return &EvdevReader{r: r, cfg: cfg}
}

// Keys implements Source.
func (e *EvdevReader) Keys(ctx context.Context) <-chan Key {
	keys, _ := e.run(ctx)
	return keys
}

// run starts reading and also returns a channel that receives the read
// error (io.EOF at a clean end) once the reader stops.
func (e *EvdevReader) run(ctx context.Context) (<-chan Key, <-chan error) {
	done := make(chan error, 1)
	tr := evdevKeys{keymap: e.cfg.Keymap}
	decode := func(ev Event) (Timed, bool) {
		t, ok := tr.feed(ev)
		if ok && t.Key == (Key{}) {
			e.cfg.Logger.Warn("keypad: the kernel dropped input events; a scan in progress is discarded")
		}
		return t, ok
	}
	if r, ok := newPacedReader(e.r); ok {
		out := make(chan Key)
		go func() {
			defer close(out)
			s := scanRunner{ctx: ctx, d: e.cfg.Scan, out: out, r: r}
			err := readEvents(r, e.cfg.EventSize, func(ev Event) bool {
				t, ok := decode(ev)
				return !ok || s.feed(t)
			}, s.expire)
			s.expire()
			done <- err
		}()
		return out, done
	}
	timed := make(chan Timed)
	go func() {
		defer close(timed)
		done <- readEvents(e.r, e.cfg.EventSize, func(ev Event) bool {
			t, ok := decode(ev)
			return !ok || send(ctx, timed, t)
		}, nil)
	}()
	detector := e.cfg.Scan
	return DetectScans(ctx, timed, &detector), done
}

// readEvents reads whole records until r fails or fn returns false. When r
// says held digits are due (errHeldDue), it calls due and goes on reading
// unless due returns false.
func readEvents(r io.Reader, size int, fn func(Event) bool, due func() bool) error {
	br := bufio.NewReaderSize(r, 64*size)
	rec := make([]byte, size)
	filled := 0 // a record may straddle a due wait
	for {
		n, err := br.Read(rec[filled:])
		if filled += n; filled == size {
			filled = 0
			ev, err := DecodeEvent(rec)
			if err != nil {
				return err
			}
			if !fn(ev) {
				return nil
			}
			continue
		}
		switch {
		case errors.Is(err, errHeldDue) && due != nil:
			if !due() {
				return nil
			}
		case err == io.EOF && filled > 0:
			return io.ErrUnexpectedEOF
		case err != nil:
			return err
		}
	}
}
