package display

import (
	"bufio"
	"fmt"
	"image"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/inconsolata"
	"golang.org/x/image/math/fixed"
)

// glyphHeight is the height of every glyph: the GNU Unifont grid, which the
// built-in ASCII face (Inconsolata 8x16) shares.
const glyphHeight = 16

// glyph is a 1-bit bitmap 8 or 16 pixels wide; bit 15 of each row is the
// leftmost pixel.
type glyph struct {
	width int
	rows  [glyphHeight]uint16
}

// Font is a bitmap font on a 16-pixel grid. Runes it lacks come from its
// fallback, and failing that are drawn as an empty box, so a name in a
// script the font does not cover is visibly "unknown" rather than dropped.
type Font struct {
	glyphs   map[rune]glyph
	hex      *hexFile // glyphs read on demand (OpenHexFont); nil for parsed fonts
	fallback *Font
}

// DefaultHexFontPath is where Debian and Raspberry Pi OS install GNU Unifont
// (package unifont), which covers the Basic Multilingual Plane including CJK.
const DefaultHexFontPath = "/usr/share/unifont/unifont.hex"

var builtinFont = sync.OnceValue(func() *Font {
	f := &Font{glyphs: make(map[rune]glyph, 95)}
	for r := rune(0x20); r < 0x7f; r++ {
		f.glyphs[r] = rasterize(inconsolata.Regular8x16, r)
	}
	return f
})

// BuiltinFont returns the ASCII font compiled into posd (Inconsolata 8x16).
// It is immutable and safe to share, as are the fonts LoadHexFont and
// OpenHexFont return.
func BuiltinFont() *Font { return builtinFont() }

func rasterize(face font.Face, r rune) glyph {
	dst := image.NewAlpha(image.Rect(0, 0, 8, glyphHeight))
	d := font.Drawer{Dst: dst, Src: image.Opaque, Face: face, Dot: fixed.P(0, face.Metrics().Ascent.Ceil())}
	d.DrawString(string(r))
	g := glyph{width: 8}
	for y := 0; y < glyphHeight; y++ {
		for x := 0; x < 8; x++ {
			if dst.AlphaAt(x, y).A >= 0x80 {
				g.rows[y] |= 1 << (15 - x)
			}
		}
	}
	return g
}

// LoadHexFont reads a whole GNU Unifont .hex file such as
// DefaultHexFontPath. The built-in ASCII font backs it up. OpenHexFont is
// the cheap way for a display: it reads only the glyphs drawn.
func LoadHexFont(path string) (*Font, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("display: font: %w", err)
	}
	defer f.Close()
	font, err := ParseHexFont(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return font, nil
}

// ParseHexFont reads the GNU Unifont .hex format: one glyph a line,
// "CODEPOINT:BITMAP" with the code point in hex and the bitmap as 32 hex
// digits (8x16) or 64 (16x16), rows top to bottom. Blank lines and lines
// starting with '#' are skipped; anything else malformed is an error naming
// the line.
func ParseHexFont(r io.Reader) (*Font, error) {
	f := &Font{glyphs: make(map[rune]glyph), fallback: BuiltinFont()}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 256), 256)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		r, g, err := parseHexGlyph(line)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrBadFont, n, err)
		}
		f.glyphs[r] = g
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadFont, err)
	}
	if len(f.glyphs) == 0 {
		return nil, fmt.Errorf("%w: no glyphs", ErrBadFont)
	}
	return f, nil
}

func parseHexGlyph(line string) (rune, glyph, error) {
	cp, bits, ok := strings.Cut(line, ":")
	if !ok {
		return 0, glyph{}, fmt.Errorf("no ':' in %.20q", line)
	}
	code, err := strconv.ParseUint(cp, 16, 32)
	if err != nil || len(cp) > 6 || code > 0x10FFFF {
		return 0, glyph{}, fmt.Errorf("bad code point %.20q", cp)
	}
	var g glyph
	var digits int
	switch len(bits) {
	case 32:
		g.width, digits = 8, 2
	case 64:
		g.width, digits = 16, 4
	default:
		return 0, glyph{}, fmt.Errorf("U+%04X: bitmap has %d hex digits, want 32 or 64", code, len(bits))
	}
	for y := 0; y < glyphHeight; y++ {
		row, err := strconv.ParseUint(bits[y*digits:(y+1)*digits], 16, 16)
		if err != nil {
			return 0, glyph{}, fmt.Errorf("U+%04X: bad hex in bitmap", code)
		}
		g.rows[y] = uint16(row << (16 - 4*digits))
	}
	return rune(code), g, nil
}

// tofu is drawn for runes no font in the chain has: an empty box.
var tofu = func() glyph {
	g := glyph{width: 8}
	g.rows[2], g.rows[13] = 0x7E00, 0x7E00
	for y := 3; y < 13; y++ {
		g.rows[y] = 0x4200
	}
	return g
}()

// lookup returns r's glyph from f or its fallbacks.
// Glyph16 returns r's 16-row bitmap (bit 15 of each row is the leftmost
// pixel) and its width, 8 or 16: the virtual printer draws CJK with it.
// ok is false when neither the font nor its fallback has r.
func (f *Font) Glyph16(r rune) (rows [glyphHeight]uint16, width int, ok bool) {
	g, ok := f.lookup(r)
	return g.rows, g.width, ok
}

func (f *Font) lookup(r rune) (glyph, bool) {
	for ; f != nil; f = f.fallback {
		if g, ok := f.glyphs[r]; ok {
			return g, true
		}
		if f.hex != nil {
			if g, ok := f.hex.glyph(r); ok {
				return g, true
			}
		}
	}
	return tofu, false
}

// Covers reports whether every rune of s has a glyph.
func (f *Font) Covers(s string) bool {
	for _, r := range s {
		if _, ok := f.lookup(r); !ok {
			return false
		}
	}
	return true
}

// width returns the width of s in pixels at scale 1.
func (f *Font) width(s string) int {
	w := 0
	for _, r := range s {
		g, _ := f.lookup(r)
		w += g.width
	}
	return w
}

// draw paints s with its top-left corner at (x, y), each font pixel scale
// panel pixels square, in palette colour c. Pixels outside dst are clipped.
func (f *Font) draw(dst *image.Paletted, x, y, scale int, c uint8, s string) {
	b := dst.Bounds()
	for _, r := range s {
		g, _ := f.lookup(r)
		for gy := 0; gy < glyphHeight; gy++ {
			row := g.rows[gy]
			for gx := 0; gx < g.width; gx++ {
				if row&(1<<(15-gx)) == 0 {
					continue
				}
				px := image.Rect(x+gx*scale, y+gy*scale, x+(gx+1)*scale, y+(gy+1)*scale).Intersect(b)
				fillRect(dst, px, c)
			}
		}
		x += g.width * scale
	}
}

// fillRect sets every pixel of r (already clipped to dst) to colour c.
func fillRect(dst *image.Paletted, r image.Rectangle, c uint8) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		i := dst.PixOffset(r.Min.X, y)
		row := dst.Pix[i : i+r.Dx()]
		for j := range row {
			row[j] = c
		}
	}
}
