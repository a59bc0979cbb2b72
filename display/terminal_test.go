package display

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var sgrBlock = regexp.MustCompile("\x1b\\[(30|97);(40|107)m\u2580")

// terminalGlass turns the half-block lines back into modules and paints
// them at 4 pixels each, as the terminal would.
func terminalGlass(t *testing.T, out string) *image.Gray {
	t.Helper()
	var rows [][]bool
	for _, line := range strings.Split(out, "\n") {
		cells := sgrBlock.FindAllStringSubmatch(line, -1)
		if len(cells) == 0 {
			continue
		}
		upper, lower := make([]bool, len(cells)), make([]bool, len(cells))
		for i, c := range cells {
			upper[i], lower[i] = c[1] == "30", c[2] == "40"
		}
		rows = append(rows, upper, lower)
	}
	if len(rows) == 0 {
		t.Fatal("no QR code in the terminal output")
	}
	const px = 4
	img := image.NewGray(image.Rect(0, 0, len(rows[0])*px, len(rows)*px))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for y, row := range rows {
		for x, dark := range row {
			if dark {
				for i := 0; i < px; i++ {
					for j := 0; j < px; j++ {
						img.Pix[(y*px+i)*img.Stride+x*px+j] = 0
					}
				}
			}
		}
	}
	return img
}

func TestTerminalShowsScannableCode(t *testing.T) {
	var out bytes.Buffer
	term := NewTerminal(&out, func() time.Time { return testNow })
	s := Screen{Kind: Waiting, Merchant: "Evil\x1b[2J\x07Shop", Amount: usd(t, 250), QR: shortCode, ExpiresAt: testNow.Add(90 * time.Second)}
	if err := term.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "USD 2.50") || !strings.Contains(text, "Expires in 1:30") || !strings.Contains(text, "Evil[2JShop") {
		t.Fatalf("terminal text:\n%.300q", text)
	}
	if strings.Count(text, "\x1b[2J") != 1 || strings.ContainsRune(text, 0x07) {
		t.Fatal("control characters from the merchant name reached the terminal")
	}
	scanQR(t, terminalGlass(t, text), shortCode)
}

func TestSnapshotWritesScannablePNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "customer.png")
	snap, err := NewSnapshot(path, image.Pt(480, 320), Options{}, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	s := Screen{Kind: Waiting, Amount: usd(t, 250), QR: shortCode, ExpiresAt: testNow.Add(time.Minute)}
	if err := snap.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	scanQR(t, img, shortCode)
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if _, err := NewSnapshot(filepath.Join(t.TempDir(), "missing", "x.png"), image.Pt(10, 10), Options{}, nil); err == nil {
		t.Fatal("snapshot into a missing directory accepted")
	}
}
