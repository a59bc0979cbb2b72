package display

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
)

// ErrBadLogo is returned by LoadLogo for a file that is not a small PNG.
var ErrBadLogo = errors.New("display: logo")

// Limits for a logo file: an acceptance mark is a small picture, and the
// file is read at start only.
const (
	maxLogoBytes = 1 << 20
	maxLogoSide  = 1024
)

// LoadLogo reads a PNG acceptance mark ([display] logo) and maps it to the
// display palette once.
func LoadLogo(path string) (*image.Paletted, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadLogo, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadLogo, path, err)
	}
	img, err := decodeLogo(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// decodeLogo checks the size before decoding, so a hostile file cannot
// make posd allocate a huge picture.
func decodeLogo(data []byte) (*image.Paletted, error) {
	if len(data) > maxLogoBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrBadLogo, maxLogoBytes)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadLogo, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
		return nil, fmt.Errorf("%w: %dx%d, at most %dx%d", ErrBadLogo, cfg.Width, cfg.Height, maxLogoSide, maxLogoSide)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadLogo, err)
	}
	out := image.NewPaletted(image.Rect(0, 0, cfg.Width, cfg.Height), Palette)
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Over)
	return out, nil
}

// drawLogo draws logo centred at the top of area, scaled by a whole
// factor (or shrunk to fit) into at most a third of its height, and
// returns where the text may start.
func drawLogo(img *image.Paletted, area image.Rectangle, logo *image.Paletted) int {
	lw, lh := logo.Bounds().Dx(), logo.Bounds().Dy()
	maxW, maxH := area.Dx(), area.Dy()/3
	if maxH < 8 {
		return area.Min.Y
	}
	// Destination size: the largest whole multiple that fits, else the
	// largest fraction that does.
	w, h := lw, lh
	if k := min(maxW/lw, maxH/lh); k >= 1 {
		w, h = lw*k, lh*k
	} else {
		w, h = lw*maxH/lh, maxH
		if w > maxW {
			w, h = maxW, lh*maxW/lw
		}
	}
	if w < 1 || h < 1 {
		return area.Min.Y
	}
	x0 := area.Min.X + (maxW-w)/2
	for y := range h {
		for x := range w {
			img.SetColorIndex(x0+x, area.Min.Y+y, logo.ColorIndexAt(x*lw/w, y*lh/h))
		}
	}
	return area.Min.Y + h + lineGap(area.Dy())
}
