package display

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"sync"
	"time"
)

// Display shows screens on one device. Show returns once the frame is on
// the device (or handed to it); a Display is safe for concurrent use.
type Display interface {
	Show(ctx context.Context, s Screen) error
	Close() error
}

// panelSink is a pixel device: it receives whole rendered frames and the
// rectangle that changed since the previous one.
type panelSink interface {
	write(ctx context.Context, img *image.Paletted, dirty image.Rectangle) error
	close() error
}

// panel is the Display shared by the pixel drivers: it validates, renders
// at the device's size, and sends only the part that changed (a ticking
// countdown touches a few glyphs, not the whole code).
type panel struct {
	size     image.Point
	renderer *Renderer
	now      func() time.Time
	sink     panelSink

	mu     sync.Mutex
	prev   *image.Paletted
	closed bool
}

func newPanel(size image.Point, opts Options, now func() time.Time, sink panelSink) *panel {
	if now == nil {
		now = time.Now
	}
	return &panel{size: size, renderer: NewRenderer(opts), now: now, sink: sink}
}

// Show renders s and writes what changed. A waiting screen whose code
// cannot be drawn is still shown (with a message) and its QRErr returned.
func (p *panel) Show(ctx context.Context, s Screen) error {
	if err := s.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	f := p.renderer.Render(s, p.size, p.now())
	dirty := changed(p.prev, f.Image)
	if !dirty.Empty() {
		if err := p.sink.write(ctx, f.Image, dirty); err != nil {
			p.prev = nil // the glass is unknown now: redraw everything next time
			return err
		}
		p.prev = f.Image
	}
	if f.QRErr != nil {
		return fmt.Errorf("%s: %w", s.Kind, f.QRErr)
	}
	return nil
}

// Close leaves the device showing its last frame and releases it.
func (p *panel) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.sink.close()
}

// changed is the smallest rectangle holding every pixel that differs
// between prev and next; all of next when there is no prev.
func changed(prev, next *image.Paletted) image.Rectangle {
	if prev == nil || prev.Rect != next.Rect {
		return next.Rect
	}
	r := image.Rectangle{}
	w := next.Rect.Dx()
	for y := 0; y < next.Rect.Dy(); y++ {
		a := prev.Pix[y*prev.Stride : y*prev.Stride+w]
		b := next.Pix[y*next.Stride : y*next.Stride+w]
		if bytes.Equal(a, b) { // most rows of a countdown tick
			continue
		}
		first := -1
		last := -1
		for x := range b {
			if a[x] != b[x] {
				if first < 0 {
					first = x
				}
				last = x
			}
		}
		if first >= 0 {
			r = r.Union(image.Rect(first, y, last+1, y+1))
		}
	}
	return r.Add(next.Rect.Min)
}
