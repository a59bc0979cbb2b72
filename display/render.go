package display

import (
	"image"
	"image/color"
	"sync"
	"time"

	"github.com/posd/posd/internal/lang"
)

// Palette indexes of every rendered frame. Drivers convert these few colours
// to their pixel format once, not per pixel.
const (
	White uint8 = iota
	Black
	Green
	Red
	Amber
	Blue
	Grey
)

// Palette is the colour table of rendered frames: dark ink on a light
// background, accents dark enough to read in RGB565 and on cheap TFTs.
var Palette = color.Palette{
	White: color.RGBA{0xFF, 0xFF, 0xFF, 0xFF},
	Black: color.RGBA{0x00, 0x00, 0x00, 0xFF},
	Green: color.RGBA{0x0B, 0x7A, 0x32, 0xFF},
	Red:   color.RGBA{0xC0, 0x1C, 0x1C, 0xFF},
	Amber: color.RGBA{0xA8, 0x5A, 0x00, 0xFF},
	Blue:  color.RGBA{0x16, 0x5D, 0xC8, 0xFF},
	Grey:  color.RGBA{0x55, 0x55, 0x55, 0xFF},
}

// Frame is a rendered screen.
type Frame struct {
	Image *image.Paletted
	// QR is where the symbol is drawn, quiet zone included; empty when the
	// screen shows no code.
	QR   image.Rectangle
	Plan QRPlan
	// QRErr says why a waiting screen shows no code although it is still
	// payable (ErrQRTooLarge): the caller should tell the cashier.
	QRErr error
	// Lines is the text drawn, top to bottom.
	Lines []DrawnLine
}

// Options changes how a Renderer draws.
type Options struct {
	// Font draws the text; nil means BuiltinFont (ASCII only).
	Font *Font
	// TextOnly never draws a QR code: for panels too small for a payment
	// code, such as a 128x64 OLED facing the cashier.
	TextOnly bool
	// Languages are the languages of the texts, main one first (the
	// others follow each line, smaller); none means English.
	Languages []lang.Lang
	// Logo is the merchant's acceptance mark ([display] logo), drawn at
	// the top of the idle and amount screens; nil: none (LoadLogo).
	Logo *image.Paletted
}

// Renderer turns screens into frames. It remembers the last QR plan, so
// redrawing the same code every second for the countdown costs only the
// drawing. It is safe for concurrent use.
type Renderer struct {
	opts Options

	mu    sync.Mutex
	cache map[qrKey]QRPlan
}

type qrKey struct {
	content string
	side    int
}

// NewRenderer returns a Renderer drawing with opts.
func NewRenderer(opts Options) *Renderer {
	if opts.Font == nil {
		opts.Font = BuiltinFont()
	}
	return &Renderer{opts: opts, cache: make(map[qrKey]QRPlan)}
}

// Render draws s for a panel of size pixels as it should look at now. The
// screen must be valid (Screen.Validate).
func Render(s Screen, size image.Point, now time.Time, opts Options) Frame {
	return NewRenderer(opts).Render(s, size, now)
}

// Render draws s for a panel of size pixels as it should look at now.
func (r *Renderer) Render(s Screen, size image.Point, now time.Time) Frame {
	img := image.NewPaletted(image.Rectangle{Max: size}, Palette)
	f := Frame{Image: img}
	lines := screenLines(s, now, r.opts.TextOnly, r.opts.Languages)
	area := img.Bounds().Inset(margin(size))
	if s.showsQR(now) && !r.opts.TextOnly {
		plan, textArea, qrArea, err := r.placeQR(s.QR, img.Bounds(), lines)
		if err == nil {
			f.Plan, f.QR = plan, qrArea
			drawQR(img, qrArea.Min, plan)
			area = textArea
		} else {
			f.QRErr = err
			l := r.mainLang()
			lines = append(lines, line{text: l.T("Code too long for this screen"), role: small, color: Red, keep: 5})
			lines = append(lines, line{text: l.T("Please ask the cashier"), role: small, color: Red, keep: 5})
		}
	}
	if r.opts.Logo != nil && !r.opts.TextOnly && (s.Kind == Idle || s.Kind == AmountEntry) {
		area.Min.Y = drawLogo(img, area, r.opts.Logo)
	}
	f.Lines = layoutLines(img, area, lines, r.opts.Font)
	return f
}

func (r *Renderer) mainLang() lang.Lang {
	if len(r.opts.Languages) == 0 {
		return lang.Lang{}
	}
	return r.opts.Languages[0]
}

func margin(size image.Point) int {
	return max(1, min(size.X, size.Y)/40)
}

// placeQR decides whether the code goes beside the text (wide panels) or
// below it (tall and square ones): whichever gives bigger modules, and on a
// tie whichever leaves the text more room. The code may touch the panel
// edge: its quiet zone is its margin.
func (r *Renderer) placeQR(content string, panel image.Rectangle, lines []line) (QRPlan, image.Rectangle, image.Rectangle, error) {
	font := r.opts.Font
	gap := margin(panel.Size())
	area := panel
	// The text must keep at least the amount and the countdown at scale 1.
	minW, minH := 0, 0
	// The amount keeps its readable size (minAmountScale) when the panel
	// is wide enough for it: on a small panel that moves the code below
	// the text, with smaller modules, rather than the digits to 16 pixels.
	for _, l := range lines {
		if l.keep >= 4 {
			scale := 1
			if l.role == amount && font.width(l.text)*minAmountScale <= area.Dx()-2*gap {
				scale = minAmountScale
			}
			minW = max(minW, font.width(l.text)*scale)
			minH += glyphHeight*scale + lineGap(area.Dy())
		}
	}
	type option struct {
		plan       QRPlan
		qr, text   image.Rectangle
		textPixels int
	}
	var best *option
	var firstErr error
	for _, beside := range []bool{true, false} {
		side := min(area.Dx()-minW-2*gap, area.Dy())
		if !beside {
			side = min(area.Dx(), area.Dy()-minH-2*gap)
		}
		plan, err := r.plan(content, side)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		s := plan.Side()
		var o option
		if beside {
			// Code at the left, centred vertically; text fills the rest.
			y := area.Min.Y + (area.Dy()-s)/2
			o.qr = image.Rect(area.Min.X, y, area.Min.X+s, y+s)
			o.text = image.Rect(area.Min.X+s, area.Min.Y, area.Max.X, area.Max.Y).Inset(gap)
		} else {
			// Text on top, code centred below it at the bottom.
			x := area.Min.X + (area.Dx()-s)/2
			o.qr = image.Rect(x, area.Max.Y-s, x+s, area.Max.Y)
			o.text = image.Rect(area.Min.X, area.Min.Y, area.Max.X, area.Max.Y-s).Inset(gap)
		}
		o.plan = plan
		o.textPixels = o.text.Dx() * o.text.Dy()
		if best == nil || plan.Pixels > best.plan.Pixels ||
			plan.Pixels == best.plan.Pixels && o.textPixels > best.textPixels {
			best = &o
		}
	}
	if best == nil {
		return QRPlan{}, image.Rectangle{}, image.Rectangle{}, firstErr
	}
	return best.plan, best.text, best.qr, nil
}

func (r *Renderer) plan(content string, side int) (QRPlan, error) {
	k := qrKey{content, side}
	r.mu.Lock()
	p, ok := r.cache[k]
	r.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := PlanQR(content, side)
	if err != nil {
		return QRPlan{}, err
	}
	r.mu.Lock()
	if len(r.cache) >= 8 { // a till shows one code at a time
		clear(r.cache)
	}
	r.cache[k] = p
	r.mu.Unlock()
	return p, nil
}

// drawQR paints the whole symbol, quiet zone included, so the border is
// light whatever lies around it.
func drawQR(img *image.Paletted, at image.Point, p QRPlan) {
	for y, row := range p.Bitmap {
		for x, dark := range row {
			c := White
			if dark {
				c = Black
			}
			m := image.Rect(at.X+x*p.Pixels, at.Y+y*p.Pixels, at.X+(x+1)*p.Pixels, at.Y+(y+1)*p.Pixels)
			fillRect(img, m.Intersect(img.Bounds()), c)
		}
	}
}
