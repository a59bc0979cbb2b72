package display

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"time"
)

// Snapshot is a Display that writes every frame as a PNG file: for
// development, support ("what did the customer see?") and tests. Each file
// is replaced atomically, so a reader never sees half a picture.
type Snapshot struct {
	*panel
}

type pngSink struct{ path string }

// NewSnapshot writes frames of size pixels to path.
func NewSnapshot(path string, size image.Point, opts Options, now func() time.Time) (*Snapshot, error) {
	if size.X <= 0 || size.Y <= 0 || size.X > 8192 || size.Y > 8192 {
		return nil, fmt.Errorf("%w: snapshot size %v", ErrBadConfig, size)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w: snapshot directory of %s: %v", ErrNoDevice, path, err)
	}
	return &Snapshot{newPanel(size, opts, now, &pngSink{path: path})}, nil
}

func (s *pngSink) write(ctx context.Context, img *image.Paletted, _ image.Rectangle) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return fmt.Errorf("display: png: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".snapshot-*.png")
	if err != nil {
		return fmt.Errorf("display: snapshot: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("display: snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("display: snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("display: snapshot: %w", err)
	}
	return nil
}

func (s *pngSink) close() error { return nil }
