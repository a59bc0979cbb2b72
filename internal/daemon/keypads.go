package daemon

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/posd/posd/internal/board"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/terminal/keypad"
)

// keySources opens every configured keypad; the script (the API's keys)
// is always there.
func keySources(c config.Keypad, script *keypad.Script, log *slog.Logger) ([]keypad.Source, error) {
	sources := []keypad.Source{script}
	if c.TTY {
		sources = append(sources, keypad.NewTTY(os.Stdin, keypad.ScanDetector{}))
	}
	for _, dev := range c.Evdev {
		e, err := keypad.OpenEvdev(dev, keypad.EvdevConfig{Logger: log.With("component", "keypad", "device", dev)})
		if err != nil {
			return nil, err
		}
		sources = append(sources, e)
	}
	if len(c.Matrix.Rows) > 0 {
		if err := board.Init(); err != nil {
			return nil, fmt.Errorf("keypad matrix: %w", err)
		}
		rows, cols, err := keypad.MatrixPins(c.Matrix.Rows, c.Matrix.Cols)
		if err != nil {
			return nil, fmt.Errorf("keypad matrix: %w (is the posd user in group gpio?)", err)
		}
		layout := keypad.Layout4x4()
		if c.Matrix.Layout == "4x3" {
			layout = keypad.Layout4x3()
		}
		mx, err := keypad.NewMatrix(keypad.MatrixConfig{Rows: rows, Cols: cols, Layout: layout})
		if err != nil {
			return nil, err
		}
		sources = append(sources, mx)
	}
	return sources, nil
}
