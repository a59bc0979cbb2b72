package display

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// QuietZone is the light border around a QR symbol, in modules. ISO/IEC
// 18004 asks for 4; phones are far less forgiving than zbarimg without it.
const QuietZone = 4

// MinModulePixels is the smallest module drawn on a panel. zbarimg reads 2
// pixels per module from a perfect image, but glass, glare and a moving phone
// need 3 or more (docs/hardware.md 2.5).
const MinModulePixels = 3

// QRPlan is how a code is drawn in a square of a given side.
type QRPlan struct {
	Level   qrcode.RecoveryLevel
	Version int
	Modules int // symbol width in modules, quiet zone included
	Pixels  int // panel pixels per module
	Bitmap  [][]bool
}

// Side is the drawn width and height in pixels, quiet zone included.
func (p QRPlan) Side() int { return p.Modules * p.Pixels }

// LevelName is "L", "M", "Q" or "H".
func (p QRPlan) LevelName() string { return levelName(p.Level) }

func levelName(l qrcode.RecoveryLevel) string {
	return [...]string{qrcode.Low: "L", qrcode.Medium: "M", qrcode.High: "Q", qrcode.Highest: "H"}[l]
}

// levels are tried from the least to the most redundant.
var levels = []qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}

// PlanQR chooses the error-correction level and module size for content in a
// square of side pixels: the largest whole number of pixels per module that
// fits the symbol and its quiet zone, and among the levels that reach it the
// most redundant one. Short content thus gets a sturdier code at the same
// physical size, long content falls back to L. When even level L cannot be
// drawn at MinModulePixels per module PlanQR returns ErrQRTooLarge.
func PlanQR(content string, side int) (QRPlan, error) {
	if content == "" {
		return QRPlan{}, fmt.Errorf("%w: empty QR content", ErrInvalidScreen)
	}
	best := QRPlan{}
	for _, level := range levels {
		q, err := qrcode.New(content, level)
		if err != nil { // longer than this level's capacity
			break
		}
		modules := 17 + 4*q.VersionNumber + 2*QuietZone
		px := side / modules
		if px < MinModulePixels || px < best.Pixels {
			break
		}
		best = QRPlan{Level: level, Version: q.VersionNumber, Modules: modules, Pixels: px}
	}
	if best.Pixels == 0 {
		return QRPlan{}, fmt.Errorf("%w: %d bytes need more than %d pixels", ErrQRTooLarge, len(content), side)
	}
	q, err := qrcode.New(content, best.Level)
	if err != nil {
		return QRPlan{}, fmt.Errorf("display: qr: %w", err)
	}
	best.Bitmap = q.Bitmap() // includes the 4-module quiet zone
	if len(best.Bitmap) != best.Modules {
		return QRPlan{}, fmt.Errorf("display: qr: bitmap is %d modules, expected %d", len(best.Bitmap), best.Modules)
	}
	return best, nil
}
