package printer

import (
	"fmt"
	"strings"
)

// Paper is a printer's printable width: dots per line for images and QR
// codes, and Font A (12×24 dots) columns for text.
type Paper struct {
	Name    string
	Dots    int
	Columns int
}

// The paper profiles posd knows (docs/hardware.md §1.2).
var (
	// Paper58 is 58 mm roll on a 203 dpi head: 48 mm printable.
	Paper58 = Paper{Name: "58mm", Dots: 384, Columns: 32}
	// Paper80 is 80 mm roll on a 203 dpi head (TM-T20 class and clones).
	Paper80 = Paper{Name: "80mm", Dots: 576, Columns: 48}
	// PaperTMT88 is 80 mm roll on Epson's 180 dpi TM-T88 head.
	PaperTMT88 = Paper{Name: "tm-t88", Dots: 512, Columns: 42}
)

// PaperByName accepts "58", "58mm", "80", "80mm" and "tm-t88" (any case).
func PaperByName(name string) (Paper, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "58", "58mm":
		return Paper58, nil
	case "80", "80mm":
		return Paper80, nil
	case "tm-t88", "tmt88", "512":
		return PaperTMT88, nil
	}
	return Paper{}, fmt.Errorf("%w: %q (want 58, 80 or tm-t88)", ErrUnknownPaper, name)
}
