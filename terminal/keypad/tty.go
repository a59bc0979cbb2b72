package keypad

import (
	"context"
	"errors"
	"io"
	"time"
)

// DecodeTerminal turns the bytes of one read from a terminal into keys:
// digits; "." or "," for the point; Enter (CR, LF or CR LF); Backspace
// (DEL or BS); Esc for Cancel; Delete or "c" for Clear; F1..F12 as xterm
// and the Linux console send them. Other bytes and unknown escape
// sequences are ignored. A terminal writes each escape sequence in one
// piece, so an Esc at the end of a read is the Esc key.
func DecodeTerminal(chunk []byte) []Key {
	var keys []Key
	for i := 0; i < len(chunk); i++ {
		c := chunk[i]
		switch {
		case c >= '0' && c <= '9':
			keys = append(keys, DigitKey(c))
		case c == '.' || c == ',':
			keys = append(keys, Key{Kind: Point})
		case c == '\r' || c == '\n':
			keys = append(keys, Key{Kind: Enter})
			if c == '\r' && i+1 < len(chunk) && chunk[i+1] == '\n' {
				i++
			}
		case c == 0x7f || c == 0x08:
			keys = append(keys, Key{Kind: Back})
		case c == 'c' || c == 'C':
			keys = append(keys, Key{Kind: Clear})
		case c == 0x1b:
			k, n := escapeSequence(chunk[i+1:])
			if k.Kind != 0 {
				keys = append(keys, k)
			}
			i += n
		}
	}
	return keys
}

// escapeSequence reads what follows an Esc and returns its key (zero for
// an unknown sequence) and how many bytes it used.
func escapeSequence(rest []byte) (Key, int) {
	if len(rest) == 0 || rest[0] != '[' && rest[0] != 'O' {
		return Key{Kind: Cancel}, 0
	}
	if rest[0] == 'O' { // SS3: ESC O P..S are F1..F4 on xterm
		if len(rest) >= 2 && rest[1] >= 'P' && rest[1] <= 'S' {
			return FunctionKey(int(rest[1]-'P') + 1), 2
		}
		return Key{}, min(len(rest), 2)
	}
	if len(rest) >= 3 && rest[1] == '[' { // Linux console: ESC [ [ A..E
		if rest[2] >= 'A' && rest[2] <= 'E' {
			return FunctionKey(int(rest[2]-'A') + 1), 3
		}
		return Key{}, 3
	}
	// CSI: parameters, then one final byte in 0x40..0x7e.
	n, param := 1, 0
	for ; n < len(rest); n++ {
		c := rest[n]
		if c >= '0' && c <= '9' {
			param = min(param*10+int(c-'0'), 1000)
			continue
		}
		if c >= 0x40 && c <= 0x7e {
			if c == '~' {
				return csiTilde(param), n + 1
			}
			return Key{}, n + 1
		}
		if c < 0x20 || c > 0x3f { // not a parameter byte: a broken sequence
			return Key{}, n
		}
	}
	return Key{}, n
}

// csiTilde maps ESC [ n ~ (xterm, VT220) to keys.
func csiTilde(n int) Key {
	switch {
	case n == 3:
		return Key{Kind: Clear} // Delete
	case n >= 11 && n <= 15:
		return FunctionKey(n - 10)
	case n >= 17 && n <= 21:
		return FunctionKey(n - 11)
	case n == 23 || n == 24:
		return FunctionKey(n - 12)
	}
	return Key{}
}

// TTY is a Source reading a terminal, for development. Put the terminal
// in character mode first (MakeCbreak) so each key arrives when pressed.
// A code pasted in one piece and ended by Enter arrives as fast as a
// scanner and becomes a Scan key.
type TTY struct {
	r    io.Reader
	scan ScanDetector
	now  func() time.Time
}

// NewTTY returns a Source decoding keys from r.
func NewTTY(r io.Reader, scan ScanDetector) *TTY {
	return &TTY{r: r, scan: scan, now: time.Now}
}

// Keys implements Source. The channel closes when r ends or fails, or ctx is done.
func (t *TTY) Keys(ctx context.Context) <-chan Key {
	if r, ok := newPacedReader(t.r); ok {
		out := make(chan Key)
		go func() {
			defer close(out)
			s := scanRunner{ctx: ctx, d: t.scan, out: out, r: r}
			t.read(r, s.feed, s.expire)
			s.expire()
		}()
		return out
	}
	timed := make(chan Timed)
	go func() {
		defer close(timed)
		t.read(t.r, func(k Timed) bool { return send(ctx, timed, k) }, nil)
	}()
	detector := t.scan
	return DetectScans(ctx, timed, &detector)
}

// read decodes keys from r into feed until r ends or fails or feed returns
// false. When r says held digits are due (errHeldDue), it calls due and
// goes on unless due returns false.
func (t *TTY) read(r io.Reader, feed func(Timed) bool, due func() bool) {
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		at := t.now()
		for _, k := range DecodeTerminal(buf[:n]) {
			if !feed(Timed{Key: k, At: at}) {
				return
			}
		}
		switch {
		case errors.Is(err, errHeldDue) && due != nil:
			if !due() {
				return
			}
		case err != nil:
			return
		}
	}
}
