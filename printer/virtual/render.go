package virtual

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Font A is 12×24 dots; Go Mono at 20 px advances exactly 12 px.
const (
	cellW    = 12
	cellH    = 24
	baseline = 19
)

// glyphs rasterises and caches one-bit Font A cells. The faces are shared
// read-only after loading; the cache has its own lock.
type glyphs struct {
	once    sync.Once
	regular font.Face
	bold    font.Face
	mu      sync.Mutex
	cache   map[glyphKey][]bool
}

type glyphKey struct {
	r    rune
	bold bool
}

var fontA glyphs // read-only fonts plus a cache; holds no printer state

func (g *glyphs) load() {
	g.once.Do(func() {
		opts := &opentype.FaceOptions{Size: 20, DPI: 72, Hinting: font.HintingFull}
		if f, err := opentype.Parse(gomono.TTF); err == nil {
			g.regular, _ = opentype.NewFace(f, opts)
		}
		if f, err := opentype.Parse(gomonobold.TTF); err == nil {
			g.bold, _ = opentype.NewFace(f, opts)
		}
		g.cache = map[glyphKey][]bool{}
	})
}

// cell returns the 12×24 bitmap of r; a rune the font lacks is a box.
func (g *glyphs) cell(r rune, bold bool) []bool {
	g.load()
	g.mu.Lock()
	defer g.mu.Unlock()
	k := glyphKey{r, bold}
	if c, ok := g.cache[k]; ok {
		return c
	}
	face := g.regular
	if bold {
		face = g.bold
	}
	c := make([]bool, cellW*cellH)
	drawn := false
	if face != nil && r != ' ' {
		if _, ok := face.GlyphAdvance(r); ok {
			dr, mask, mp, _, ok := face.Glyph(fixed.P(0, baseline), r)
			if ok {
				for y := dr.Min.Y; y < dr.Max.Y; y++ {
					for x := dr.Min.X; x < dr.Max.X; x++ {
						if x < 0 || x >= cellW || y < 0 || y >= cellH {
							continue
						}
						_, _, _, a := mask.At(mp.X+x-dr.Min.X, mp.Y+y-dr.Min.Y).RGBA()
						if a >= 0x8000 {
							c[y*cellW+x] = true
						}
					}
				}
				drawn = true
			}
		}
	}
	if !drawn && r != ' ' {
		c = box(cellW, cellH)
	}
	g.cache[k] = c
	return c
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
	rows := make([][]bool, max(height, m.spacing))
	for i := range rows {
		rows[i] = make([]bool, m.cfg.Dots)
	}
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
		bits = box(w, h)
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

// drawImage prints rows of dots, aligned like text. Rows may be shared
// between lines of img; they are only read.
func (m *Machine) drawImage(img [][]bool, width int) {
	offset := alignOffset(m.align, m.cfg.Dots, width)
	packed := map[*bool][]byte{} // scaled images repeat each row: pack it once
	for _, src := range img {
		if len(m.paper) >= maxPaperRows {
			return
		}
		if len(src) > 0 {
			if row, ok := packed[&src[0]]; ok {
				m.paper = append(m.paper, row)
				continue
			}
		}
		row := make([]byte, m.cfg.Dots)
		for x, on := range src {
			if offset+x >= m.cfg.Dots {
				break
			}
			if on {
				row[offset+x] = 1
			}
		}
		if len(src) > 0 {
			packed[&src[0]] = row
		}
		m.paper = append(m.paper, row)
	}
}

// feedDots feeds n dot rows of blank paper.
func (m *Machine) feedDots(n int) {
	if m.blank == nil {
		m.blank = make([]byte, m.cfg.Dots)
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
	h := max(1, len(m.paper))
	img := image.NewPaletted(image.Rect(0, 0, m.cfg.Dots, h), color.Palette{color.White, color.Black})
	for y, row := range m.paper {
		copy(img.Pix[y*img.Stride:], row)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
