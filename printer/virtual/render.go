package virtual

import (
	"bytes"
	_ "embed" // fonta.bin
	"image"
	"image/color"
	"image/png"
	"io"
	"sort"
	"strings"
	"sync"
)

// Font A is 12×24 dots; Go Mono at 20 px advances exactly 12 px.
const (
	cellW    = 12
	cellH    = 24
	baseline = 19
)

// fontATable holds Go Mono's Font A cells, regular and bold, pre-drawn for
// every character the virtual printer can decode (ASCII and the high
// halves of its code pages). Pre-drawing them keeps the 0.3 MB of TrueType
// fonts and their rasteriser out of posd (issue 17); TestFontATable draws
// them again from Go Mono and compares, and rewrites the file with -update.
//
// The file is a run of fontARecord-byte records sorted by rune: the rune as
// a big-endian uint32 whose bit 31 says a regular glyph exists and bit 30 a
// bold one, then 24 rows of regular, then 24 rows of bold, each row two
// bytes with the leftmost dot in bit 15.
//
//go:embed fonta.bin
var fontATable string

const (
	fontARecord  = 4 + 2*2*cellH
	fontARegular = 1 << 31
	fontABold    = 1 << 30
)

// glyphs caches one-bit Font A cells drawn from fontATable.
type glyphs struct {
	mu    sync.Mutex
	cache map[glyphKey][]bool
}

type glyphKey struct {
	r    rune
	bold bool
}

var fontA glyphs // a cache of immutable data; holds no printer state

// cell returns the 12×24 bitmap of r; a rune the font lacks is a box.
func (g *glyphs) cell(r rune, bold bool) []bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := glyphKey{r, bold}
	if c, ok := g.cache[k]; ok {
		return c
	}
	var c []bool
	switch rows, ok := fontARows(r, bold); {
	case r == ' ':
		c = make([]bool, cellW*cellH)
	case !ok:
		c = box(cellW, cellH)
	default:
		c = make([]bool, cellW*cellH)
		for y := range cellH {
			row := uint16(rows[2*y])<<8 | uint16(rows[2*y+1])
			for x := range cellW {
				c[y*cellW+x] = row&(1<<(15-x)) != 0
			}
		}
	}
	if g.cache == nil {
		g.cache = map[glyphKey][]bool{}
	}
	g.cache[k] = c
	return c
}

// fontARows finds r in fontATable and returns its 48 bytes of rows.
func fontARows(r rune, bold bool) (string, bool) {
	n := len(fontATable) / fontARecord
	i := sort.Search(n, func(i int) bool { return recordRune(i) >= r })
	if i == n || recordRune(i) != r {
		return "", false
	}
	rec := fontATable[i*fontARecord : (i+1)*fontARecord]
	flags := uint32(rec[0]) << 24
	if bold {
		return rec[4+2*cellH:], flags&fontABold != 0
	}
	return rec[4 : 4+2*cellH], flags&fontARegular != 0
}

func recordRune(i int) rune {
	rec := fontATable[i*fontARecord:]
	v := uint32(rec[0])<<24 | uint32(rec[1])<<16 | uint32(rec[2])<<8 | uint32(rec[3])
	return rune(v &^ (fontARegular | fontABold))
}

// box is the outline drawn for a character without a glyph: visibly not a
// space, visibly not a letter.
func box(w, h int) []bool {
	c := make([]bool, w*h)
	for y := 2; y < h-2; y++ {
		for x := 1; x < w-1; x++ {
			c[y*w+x] = y == 2 || y == h-3 || x == 1 || x == w-2
		}
	}
	return c
}

// printLine prints the line buffer (an empty one just feeds a line).
func (m *Machine) printLine() {
	if len(m.line) > 0 {
		m.flushLine()
	}
	m.x = 0
}

// lineFeed is LF: print the buffer, or feed one empty line.
func (m *Machine) lineFeed() {
	if len(m.line) == 0 {
		m.feedDots(m.spacing)
		m.note("")
		m.x = 0
		return
	}
	m.flushLine()
}

func (m *Machine) flushLine() {
	height, width := 0, 0
	for _, c := range m.line {
		height = max(height, cellH*c.h)
		adv := cellW * c.w
		if c.wide {
			adv *= 2
		}
		width = max(width, c.x+adv)
	}
	offset := alignOffset(m.align, m.cfg.Dots, width)
	rows := m.lineRows(max(height, m.spacing))
	var text strings.Builder
	text.WriteString(strings.Repeat(" ", offset/cellW))
	end := 0 // where the previous character ended, in dots
	for _, c := range m.line {
		m.drawCell(rows, c, offset, height-cellH*c.h)
		if c.x > end { // a gap made by ESC $ reads as spaces
			text.WriteString(strings.Repeat(" ", (c.x-end)/cellW))
		}
		repeat := 1
		if strings.ContainsRune("-=_*~", c.r) { // rules stretched by GS ! keep their length
			repeat = c.w
		}
		for range repeat {
			text.WriteRune(c.r)
		}
		end = c.x + cellW*c.w*(1+btoi(c.wide))
	}
	m.appendRows(rows)
	m.note(strings.TrimRight(text.String(), " "))
	m.line, m.x = nil, 0
}

func alignOffset(align byte, dots, width int) int {
	switch align {
	case 1:
		return max(0, (dots-width)/2)
	case 2:
		return max(0, dots-width)
	}
	return 0
}

func (m *Machine) drawCell(rows [][]bool, c cell, offset, top int) {
	w, h := cellW, cellH
	var bits []bool
	if c.wide {
		w = 2 * cellW
		bits = m.wideCell(c.r)
	} else {
		bits = fontA.cell(c.r, c.bold)
	}
	for y := range h * c.h {
		for x := range w * c.w {
			on := bits[(y/c.h)*w+x/c.w]
			if c.underline && y >= h*c.h-2 {
				on = true
			}
			px := offset + c.x + x
			if on && px < m.cfg.Dots && top+y < len(rows) {
				rows[top+y][px] = true
			}
		}
	}
}

// wideCell draws a double-byte character in its 24x24 cell: the 16x16
// Unifont glyph scaled by 3/2 (how a printer's 24-dot Chinese font looks
// beside Font A), or a box when there is no font or no glyph.
func (m *Machine) wideCell(r rune) []bool {
	w, h := 2*cellW, cellH
	if m.cfg.Glyphs == nil {
		return box(w, h)
	}
	rows, gw, ok := m.cfg.Glyphs.Glyph16(r)
	if !ok || gw <= 0 {
		return box(w, h)
	}
	bits := make([]bool, w*h)
	for y := range h {
		for x := range w {
			bits[y*w+x] = rows[y*16/h]&(1<<(15-x*16/w)) != 0
		}
	}
	return bits
}

// lineRows returns n blank rows of Dots for one line of text. They are
// the machine's scratch, reused by the next line: drawImage packs them.
func (m *Machine) lineRows(n int) [][]bool {
	size := n * m.cfg.Dots
	if cap(m.scratch) < size {
		m.scratch = make([]bool, size)
	}
	dots := m.scratch[:size]
	clear(dots)
	m.scratchRows = m.scratchRows[:0]
	for i := range n {
		m.scratchRows = append(m.scratchRows, dots[i*m.cfg.Dots:(i+1)*m.cfg.Dots])
	}
	return m.scratchRows
}

// drawImage prints rows of dots, aligned like text. Rows may be shared
// between lines of img; they are only read.
func (m *Machine) drawImage(img [][]bool, width int) {
	offset := alignOffset(m.align, m.cfg.Dots, width)
	var last *bool // scaled images repeat each row: pack it once
	for _, src := range img {
		if len(m.paper) >= maxPaperRows {
			return
		}
		if len(src) > 0 && &src[0] == last {
			m.paper = append(m.paper, m.paper[len(m.paper)-1])
			continue
		}
		row := make([]byte, m.rowBytes())
		for x, on := range src {
			if offset+x >= m.cfg.Dots {
				break
			}
			if on {
				row[(offset+x)/8] |= 0x80 >> ((offset + x) % 8)
			}
		}
		if len(src) > 0 {
			last = &src[0]
		}
		m.paper = append(m.paper, row)
	}
}

// rowBytes is the size of one packed row of paper.
func (m *Machine) rowBytes() int { return (m.cfg.Dots + 7) / 8 }

// feedDots feeds n dot rows of blank paper.
func (m *Machine) feedDots(n int) {
	if m.blank == nil {
		m.blank = make([]byte, m.rowBytes())
	}
	for range min(n, maxPaperRows-len(m.paper)) {
		m.paper = append(m.paper, m.blank) // shared: rows are never written after printing
	}
}

func (m *Machine) appendRows(rows [][]bool) { m.drawImageAt(rows) }

// drawImageAt appends rows that are already positioned on the paper.
func (m *Machine) drawImageAt(rows [][]bool) {
	save := m.align
	m.align = 0
	m.drawImage(rows, m.cfg.Dots)
	m.align = save
}

// PNG renders the paper printed so far, one pixel per dot, black on white.
func (m *Machine) PNG() ([]byte, error) {
	var buf bytes.Buffer
	if err := m.WritePNG(&buf, &png.Encoder{}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WritePNG is PNG written to w by enc, at enc's compression level.
func (m *Machine) WritePNG(w io.Writer, enc *png.Encoder) error {
	return enc.Encode(w, paperImage{rows: m.paper, dots: m.cfg.Dots})
}

// paperImage shows the printed rows to image/png as they are stored, one
// bit per dot, so a slip is encoded without a copy of its pixels.
type paperImage struct {
	rows [][]byte
	dots int
}

var paperPalette = color.Palette{color.White, color.Black}

func (p paperImage) ColorModel() color.Model { return paperPalette }

func (p paperImage) Bounds() image.Rectangle {
	return image.Rect(0, 0, p.dots, max(1, len(p.rows)))
}

func (p paperImage) At(x, y int) color.Color { return paperPalette[p.ColorIndexAt(x, y)] }

func (p paperImage) ColorIndexAt(x, y int) uint8 {
	if y < 0 || y >= len(p.rows) || x < 0 || x >= p.dots {
		return 0
	}
	return p.rows[y][x/8] >> (7 - x%8) & 1
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
