package printer

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/posd/posd/printer/virtual"
)

// PNGDevice is a virtual printer that files every slip in a directory as
// NAME.png, with its text as NAME.txt: the ESC/POS bytes a real printer
// would get, run through the printer emulation (package virtual). posd
// -demo and [printer] kind "virtual" put it behind a Spooler like any
// printer, so the attempted mark and the COPY rule hold for it too.
type PNGDevice struct {
	dir    string
	paper  Paper
	glyphs virtual.Glyphs
	// enc compresses at BestSpeed: its compressor's tables are 0.5 MB
	// instead of the default level's 0.8 MB, and a slip comes out 6.5 KB
	// instead of 5.6 KB. They are garbage after each slip rather than kept
	// for the next: slips come one a sale, and posd gives free memory back
	// when a sale ends (BenchmarkRSS/png: 0.5 MiB less resident).
	enc png.Encoder
}

var _ Device = (*PNGDevice)(nil)

// NewPNGDevice files slips printed on paper p in dir (created if missing).
// glyphs draws Chinese characters (display.OpenHexFont); nil draws boxes.
func NewPNGDevice(dir string, p Paper, glyphs virtual.Glyphs) *PNGDevice {
	return &PNGDevice{dir: dir, paper: p, glyphs: glyphs, enc: png.Encoder{CompressionLevel: png.BestSpeed}}
}

// Model is the printer the device imitates (PreviewModel).
func (d *PNGDevice) Model() Model { return PreviewModel(d.paper) }

// Print commits the attempt (beforeSend), renders doc and writes the text
// and then the picture, each under a temporary name renamed into place:
// once NAME.png is there, the whole slip is.
func (d *PNGDevice) Print(ctx context.Context, doc Document, beforeSend func(context.Context) error) (Status, error) {
	if err := ctx.Err(); err != nil {
		return Status{}, err
	}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return Status{}, fmt.Errorf("virtual printer: %w", err)
	}
	if err := beforeSend(ctx); err != nil {
		return Status{}, err
	}
	m := virtual.NewMachine(virtual.Config{Dots: d.paper.Dots, Chinese: true, Glyphs: d.glyphs})
	m.Execute(doc.Data)
	var picture bytes.Buffer
	if err := m.WritePNG(&picture, &d.enc); err != nil {
		return Status{}, fmt.Errorf("virtual printer: %w", err)
	}
	path := filepath.Join(d.dir, fileName(doc.Name))
	if err := writeAtomic(path+".txt", []byte(m.Transcript())); err != nil {
		return Status{}, fmt.Errorf("virtual printer: %w", err)
	}
	if err := writeAtomic(path+".png", picture.Bytes()); err != nil {
		return Status{}, fmt.Errorf("virtual printer: %w", err)
	}
	return Status{}, nil
}

// fileName keeps a slip's name to one plain file name.
func fileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, name)
	if strings.Trim(name, ".") == "" {
		return "slip"
	}
	return name
}

// writeAtomic writes data under a temporary name and renames it, so a
// reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
