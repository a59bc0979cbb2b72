package display

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// hexFile finds glyphs in a .hex file sorted by code point, as GNU Unifont
// ships it, by binary search over byte offsets: opening costs nothing and a
// glyph costs a few small reads the first time it is drawn. Parsing all
// 57,000 glyphs up front took a third of posd's start-up on ARMv7.
//
// A file found out of order or malformed on the way is read whole once
// (ParseHexFont); if that fails the error is logged and only the fallback
// font draws.
type hexFile struct {
	name string
	r    io.ReaderAt
	c    io.Closer // nil unless the file is only checked
	size int64
	log  *slog.Logger

	mu    sync.Mutex
	cache map[rune]hexEntry
	whole *Font // set once the file had to be parsed whole
	dead  bool  // the whole parse failed: nothing comes from this file
}

type hexEntry struct {
	g  glyph
	ok bool
}

// hexProbe is how many bytes one read takes: a whole line (the longest
// glyph, 16x16 at a 6-digit code point, is 72; ParseHexFont allows 256).
const hexProbe = 256

// hexScan is the window below which the search reads lines in a row.
const hexScan = 1024

// OpenHexFont opens a GNU Unifont .hex file (see ParseHexFont for the
// format) for lazy use: glyphs are read from the file as they are first
// drawn, so opening costs a check of the first line, not a parse of the
// whole file. The file must be sorted by code point, as GNU Unifont is; one
// found out of order is read whole on first use. The built-in ASCII font
// backs it up. Errors found later are logged on log (nil: discarded).
func OpenHexFont(path string, log *slog.Logger) (*Font, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("display: font: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("display: font: %w", err)
	}
	// The file stays open for the life of the font: glyphs are read on
	// demand. A Font has no Close; fonts live as long as posd.
	font, err := newLazyHexFont(path, f, st.Size(), log)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	font.hex.c = f
	return font, nil
}

func newLazyHexFont(name string, r io.ReaderAt, size int64, log *slog.Logger) (*Font, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &hexFile{name: name, r: r, size: size, log: log, cache: make(map[rune]hexEntry)}
	// A file that is not a font at all is refused now, not at the first draw.
	switch start, _, _, err := h.glyphLineFrom(0, size); {
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrBadFont, err)
	case start < 0:
		return nil, fmt.Errorf("%w: no glyphs", ErrBadFont)
	}
	return &Font{hex: h, fallback: BuiltinFont()}, nil
}

// close gives the file back when the font was only opened to check it.
func (h *hexFile) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.c != nil {
		h.c.Close()
	}
	h.dead = true
}

// glyph returns r's glyph from the file.
func (h *hexFile) glyph(r rune) (glyph, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.whole != nil {
		g, ok := h.whole.glyphs[r]
		return g, ok
	}
	if h.dead {
		return glyph{}, false
	}
	if e, ok := h.cache[r]; ok {
		return e.g, e.ok
	}
	g, ok, err := h.search(r)
	if err != nil {
		h.readWhole(err)
		return h.glyphLocked(r)
	}
	h.cache[r] = hexEntry{g, ok}
	return g, ok
}

func (h *hexFile) glyphLocked(r rune) (glyph, bool) {
	if h.whole == nil {
		return glyph{}, false
	}
	g, ok := h.whole.glyphs[r]
	return g, ok
}

// readWhole parses the whole file after the search met something it cannot
// binary-search (why).
func (h *hexFile) readWhole(why error) {
	h.cache = nil
	f, err := ParseHexFont(io.NewSectionReader(h.r, 0, h.size))
	if err != nil {
		h.dead = true
		h.log.Error("font unusable: non-ASCII text shows as boxes", "file", h.name, "err", err)
		return
	}
	h.log.Warn("font file read whole (sort it by code point to read it lazily)", "file", h.name, "why", why)
	h.whole = f
}

// search finds want by bisecting byte offsets. It keeps lo at a line start
// whose code point is below want (or 0) and hi at a line start above it (or
// the end), and reads the lines in between once the window is small.
func (h *hexFile) search(want rune) (glyph, bool, error) {
	lo, hi := int64(0), h.size
	loCP, hiCP := rune(-1), rune(0x110000)
	for hi-lo > hexScan {
		mid := lo + (hi-lo)/2
		start, cp, g, err := h.glyphLineFrom(mid, hi)
		if err != nil {
			return glyph{}, false, err
		}
		if start < 0 { // no glyph line starts in [mid, hi)
			hi = mid
			continue
		}
		if cp <= loCP || cp >= hiCP {
			return glyph{}, false, fmt.Errorf("U+%04X at byte %d is out of order", cp, start)
		}
		switch {
		case cp == want:
			return g, true, nil
		case cp < want:
			lo, loCP = start, cp
		default:
			hi, hiCP = start, cp
		}
	}
	// Read the lines starting in [lo, hi) in a row; the one at lo, if the
	// search moved lo, is known to be below want.
	off, prev := lo, loCP
	if lo > 0 {
		next, err := h.nextLine(lo)
		if err != nil {
			return glyph{}, false, err
		}
		off = next
	}
	for off < hi {
		start, cp, g, err := h.glyphLineFrom(off, hi)
		if err != nil || start < 0 {
			return glyph{}, false, err
		}
		if cp <= prev || cp >= hiCP {
			return glyph{}, false, fmt.Errorf("U+%04X at byte %d is out of order", cp, start)
		}
		if cp >= want {
			return g, cp == want, nil
		}
		prev = cp
		if off, err = h.nextLine(start); err != nil {
			return glyph{}, false, err
		}
	}
	return glyph{}, false, nil
}

// glyphLineFrom returns the first glyph line that starts at or after off
// and before limit: its offset, code point and glyph; start is -1 when
// there is none. Comments and blank lines are skipped.
func (h *hexFile) glyphLineFrom(off, limit int64) (start int64, cp rune, g glyph, err error) {
	if off > 0 {
		// A line starts at off only if the byte before it ends a line.
		if off, err = h.nextLine(off - 1); err != nil {
			return -1, 0, glyph{}, err
		}
	}
	for off < limit {
		line, next, err := h.line(off)
		if err != nil {
			return -1, 0, glyph{}, err
		}
		if text := strings.TrimSpace(string(line)); text != "" && text[0] != '#' {
			cp, g, err := parseHexGlyph(text)
			if err != nil {
				return -1, 0, glyph{}, fmt.Errorf("byte %d: %w", off, err)
			}
			return off, cp, g, nil
		}
		off = next
	}
	return -1, 0, glyph{}, nil
}

// nextLine returns the offset of the line after the one holding byte off
// (h.size at the end of the file).
func (h *hexFile) nextLine(off int64) (int64, error) {
	_, next, err := h.line(off)
	return next, err
}

// line returns the bytes from off to the end of its line, without the
// newline, and where the next line starts. Lines are at most hexProbe
// bytes, as in ParseHexFont.
func (h *hexFile) line(off int64) ([]byte, int64, error) {
	if off >= h.size {
		return nil, h.size, nil
	}
	buf := make([]byte, hexProbe)
	n, err := h.r.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		return nil, 0, err
	}
	if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
		return buf[:i], off + int64(i) + 1, nil
	}
	if off+int64(n) >= h.size {
		return buf[:n], h.size, nil
	}
	return nil, 0, fmt.Errorf("line at byte %d is longer than %d bytes", off, hexProbe)
}
