package display

import (
	"github.com/posd/posd/internal/lang"

	"bufio"
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Terminal is a Display for development: it redraws an ANSI terminal with
// the screen's text in colour and the QR code in half-block characters (two
// modules a character cell), dark on light whatever the terminal's theme.
type Terminal struct {
	mu     sync.Mutex
	w      io.Writer
	now    func() time.Time
	closed bool
	// Languages of the texts, main one first; set before the first Show.
	Languages []lang.Lang
}

// NewTerminal draws on w (normally os.Stdout).
func NewTerminal(w io.Writer, now func() time.Time) *Terminal {
	if now == nil {
		now = time.Now
	}
	return &Terminal{w: w, now: now}
}

// ANSI colours for the palette, as 24-bit foreground codes.
func ansiColor(c uint8) string {
	r, g, b, _ := Palette[c].RGBA()
	return fmt.Sprintf("\x1b[38;2;%d;%d;%dm", r>>8, g>>8, b>>8)
}

// Show clears the terminal and draws s.
func (t *Terminal) Show(ctx context.Context, s Screen) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	now := t.now()
	b := bufio.NewWriter(t.w)
	b.WriteString("\x1b[H\x1b[2J\x1b[0m")
	for _, l := range screenLines(s, now, false, t.Languages) {
		fmt.Fprintf(b, "  %s%s\x1b[0m\n", ansiColor(l.color), sanitize(l.text))
	}
	var qrErr error
	if s.showsQR(now) {
		plan, err := PlanQR(s.QR, 1<<20) // a terminal scrolls: any size fits
		if err != nil {
			qrErr = err
		} else {
			b.WriteString("\n")
			writeHalfBlocks(b, plan.Bitmap)
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("display: terminal: %w", err)
	}
	return qrErr
}

// writeHalfBlocks draws two module rows per text line with U+2580 (upper
// half block): foreground = upper module, background = lower module.
func writeHalfBlocks(w io.StringWriter, bm [][]bool) {
	fg := map[bool]string{true: "30", false: "97"}  // black / bright white
	bg := map[bool]string{true: "40", false: "107"} // black / bright white
	for y := 0; y < len(bm); y += 2 {
		w.WriteString("  ")
		for x := range bm[y] {
			lower := false
			if y+1 < len(bm) {
				lower = bm[y+1][x]
			}
			w.WriteString("\x1b[" + fg[bm[y][x]] + ";" + bg[lower] + "m\u2580")
		}
		w.WriteString("\x1b[0m\n")
	}
}

// sanitize drops control characters so a merchant name cannot move the
// cursor or change the terminal.
func sanitize(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r >= 0x20 && r != 0x7f && (r < 0x80 || r >= 0xa0) {
			out = append(out, r)
		}
	}
	return string(out)
}

// Close stops drawing; the terminal keeps what it shows.
func (t *Terminal) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	return nil
}
