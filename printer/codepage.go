package printer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// CodePage is a single-byte character table selected with ESC t n.
// Numbers follow Epson; clones print their own table on the self-test slip.
type CodePage struct {
	Name    string
	Number  byte
	Charmap *charmap.Charmap
}

var codePages = []CodePage{
	{"pc437", 0, charmap.CodePage437},
	{"pc850", 2, charmap.CodePage850},
	{"pc860", 3, charmap.CodePage860},
	{"pc863", 4, charmap.CodePage863},
	{"pc865", 5, charmap.CodePage865},
	{"wpc1252", 16, charmap.Windows1252},
	{"pc866", 17, charmap.CodePage866},
	{"pc852", 18, charmap.CodePage852},
	{"pc858", 19, charmap.CodePage858},
}

// CodePageByName returns a code page by its name ("pc858", "wpc1252", ...).
func CodePageByName(name string) (CodePage, error) {
	for _, cp := range codePages {
		if strings.EqualFold(cp.Name, name) {
			return cp, nil
		}
	}
	return CodePage{}, fmt.Errorf("%w: %q", ErrUnknownCodePage, name)
}

// DefaultCodePage is PC858: PC850 with the euro sign.
var DefaultCodePage = CodePage{"pc858", 19, charmap.CodePage858}

// textMode is the double-byte state of a Chinese-capable printer.
type textMode int8

const (
	modeUnknown textMode = iota // after power-up or ESC @ on some clones
	modeSingle                  // FS . sent: bytes >= 0x80 are code page characters
	modeChinese                 // FS & sent: bytes >= 0x81 lead GB18030 pairs
)

// textEncoder turns runes into printer bytes, switching between the code
// page and GB18030 as needed. Runes neither can print become '?' (two of
// them for a full-width rune, so columns stay aligned).
type textEncoder struct {
	page    *encoding.Encoder
	gb      *encoding.Encoder
	chinese bool
	mode    textMode
}

func newTextEncoder(cp CodePage, chinese bool) *textEncoder {
	return &textEncoder{page: cp.Charmap.NewEncoder(), gb: simplifiedchinese.GB18030.NewEncoder(), chinese: chinese}
}

func (e *textEncoder) switchTo(out []byte, m textMode) []byte {
	if !e.chinese || e.mode == m {
		return out
	}
	e.mode = m
	if m == modeChinese {
		return append(out, 0x1C, 0x26) // FS &
	}
	return append(out, 0x1C, 0x2E) // FS .
}

// append encodes s onto out.
func (e *textEncoder) append(out []byte, s string) []byte {
	var buf [8]byte
	for _, r := range s {
		if r < 0x80 && r >= 0x20 && r != 0x7F {
			out = append(out, byte(r)) // ASCII is single-byte in both modes
			continue
		}
		if b, ok := encodeRune(e.page, r, buf[:0]); ok && len(b) == 1 {
			out = e.switchTo(out, modeSingle)
			out = append(out, b...)
			continue
		}
		if e.chinese {
			if r == '¥' { // U+00A5 is four bytes in GB18030; cheap fonts have only U+FFE5
				r = '￥'
			}
			// Only the two-byte area: fonts in Chinese printers have no glyphs
			// for four-byte sequences (docs/hardware.md §1.4).
			if b, ok := encodeRune(e.gb, r, buf[:0]); ok && len(b) == 2 {
				out = e.switchTo(out, modeChinese)
				out = append(out, b...)
				continue
			}
		}
		out = append(out, strings.Repeat("?", runeColumns(r))...)
	}
	return out
}

func encodeRune(enc *encoding.Encoder, r rune, dst []byte) ([]byte, bool) {
	if r == utf8.RuneError {
		return nil, false
	}
	var src [utf8.UTFMax]byte
	n := utf8.EncodeRune(src[:], r)
	dst = dst[:cap(dst)]
	nDst, _, err := enc.Transform(dst, src[:n], true)
	enc.Reset()
	if err != nil || nDst == 0 {
		return nil, false
	}
	return dst[:nDst], true
}
