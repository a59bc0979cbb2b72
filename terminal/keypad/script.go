package keypad

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MaxScriptKeys bounds one script so a client of the local API cannot make
// posd buffer without limit.
const MaxScriptKeys = 4096

// ParseScript reads posctl's key syntax: digits and "." stand for
// themselves; <ENTER>, <CANCEL>, <BACK>, <CLEAR>, <F1>..<F24> and
// <SCAN:digits> are tokens (upper or lower case); blanks between keys are
// ignored. "1250<ENTER>" is four digits and Enter. Any other text is an
// error wrapping ErrScript that names the offset, and no key is returned.
func ParseScript(text string) ([]Key, error) {
	var keys []Key
	for i := 0; i < len(text); {
		c := text[i]
		var k Key
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c >= '0' && c <= '9':
			k = DigitKey(c)
			i++
		case c == '.':
			k = Key{Kind: Point}
			i++
		case c == '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated token at offset %d", ErrScript, i)
			}
			var err error
			if k, err = parseToken(text[i+1 : i+end]); err != nil {
				return nil, fmt.Errorf("%w at offset %d", err, i)
			}
			i += end + 1
		default:
			return nil, fmt.Errorf("%w: unexpected %q at offset %d", ErrScript, c, i)
		}
		if len(keys) == MaxScriptKeys {
			return nil, fmt.Errorf("%w: more than %d keys", ErrScript, MaxScriptKeys)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func parseToken(tok string) (Key, error) {
	up := strings.ToUpper(tok)
	switch up {
	case "ENTER":
		return Key{Kind: Enter}, nil
	case "CANCEL":
		return Key{Kind: Cancel}, nil
	case "BACK":
		return Key{Kind: Back}, nil
	case "CLEAR":
		return Key{Kind: Clear}, nil
	}
	if code, ok := strings.CutPrefix(up, "SCAN:"); ok {
		if code == "" || len(code) > MaxCodeLen || !allDigits(code) {
			return Key{}, fmt.Errorf("%w: <%s>: a scan is 1 to %d digits", ErrScript, tok, MaxCodeLen)
		}
		return ScanKey(code), nil
	}
	if num, ok := strings.CutPrefix(up, "F"); ok && num != "" && len(num) <= 2 && allDigits(num) {
		n, _ := strconv.Atoi(num) // at most two digits: cannot fail
		if n >= 1 && n <= MaxFunction {
			return FunctionKey(n), nil
		}
	}
	return Key{}, fmt.Errorf("%w: unknown token <%s> (want ENTER, CANCEL, BACK, CLEAR, F1..F%d or SCAN:digits)", ErrScript, tok, MaxFunction)
}

// FormatScript writes keys in the syntax ParseScript reads.
func FormatScript(keys []Key) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.String())
	}
	return b.String()
}

// Script is a Source driven by text, for posctl's "keys" command, tests
// and automation. Its channel stays open for the Script's lifetime.
type Script struct {
	keys chan Key
}

// NewScript returns a Script whose channel buffers up to buffer keys.
func NewScript(buffer int) *Script { return &Script{keys: make(chan Key, buffer)} }

// Keys implements Source. Every call returns the same channel.
func (s *Script) Keys(context.Context) <-chan Key { return s.keys }

// Send parses text and delivers its keys in order. A parse error sends
// nothing. It returns early with ctx's error if the keys are not taken in
// time; the keys before that point have been delivered.
func (s *Script) Send(ctx context.Context, text string) error {
	keys, err := ParseScript(text)
	if err != nil {
		return err
	}
	for i, k := range keys {
		select {
		case s.keys <- k:
		case <-ctx.Done():
			return fmt.Errorf("keypad: script delivered %d of %d keys: %w", i, len(keys), ctx.Err())
		}
	}
	return nil
}
