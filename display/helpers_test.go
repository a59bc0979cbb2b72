package display

import (
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/money"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/golden")

// testNow is the render clock of every test: a fixed instant, so countdowns
// and goldens are reproducible.
var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// A realistic order-code URL (62 bytes).
const shortCode = "https://qr.alipay.com/281002040092rDrbN1ijPfPJK7QAc1Ol0V9w3Hc1"

// The fonts posd draws with: read lazily, glyph by glyph.
var loadUnifont = sync.OnceValues(func() (*Font, error) { return OpenHexFont(DefaultHexFontPath, nil) })

// unifont returns GNU Unifont for CJK text. Like testenv.Tool it skips
// outside CI and fails under CI when the unifont package is missing.
func unifont(t testing.TB) *Font {
	t.Helper()
	f, err := loadUnifont()
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("%v (apt-get install unifont); CI=true, so this is a failure", err)
		}
		t.Skipf("%v (apt-get install unifont)", err)
	}
	return f
}

func usd(t testing.TB, v int64) money.Amount {
	t.Helper()
	a, err := money.New("USD", v)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sampleScreens is one screen of every kind, as a sale would show them.
func sampleScreens(t testing.TB) []Screen {
	const merchant = "Golden Dragon 金龙茶馆"
	a := usd(t, 123456)
	return []Screen{
		{Kind: Idle, Merchant: merchant},
		{Kind: AmountEntry, Merchant: merchant, Amount: a},
		{Kind: Waiting, Merchant: merchant, Amount: a, QR: shortCode, ExpiresAt: testNow.Add(4*time.Minute + 59*time.Second)},
		{Kind: Paid, Merchant: merchant, Amount: a},
		{Kind: Declined, Merchant: merchant, Amount: a, Reason: "Insufficient balance"},
		{Kind: Cancelled, Merchant: merchant, Amount: a},
		{Kind: NetworkTrouble, Merchant: merchant, Amount: a},
		{Kind: PrinterNeedsPaper, Merchant: merchant},
		{Kind: OutOfService, Merchant: merchant},
		{Kind: Processing, Merchant: merchant, Amount: a},
	}
}

// writePNG saves img where zbarimg (and a person) can read it.
func writePNG(t testing.TB, img image.Image, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// scanQR decodes the only QR code in img and fails unless it is want.
func scanQR(t testing.TB, img image.Image, want string) {
	t.Helper()
	got, err := testenv.DecodeQR(t, writePNG(t, img, "scan.png"))
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("zbarimg read %q, want exactly %q", got, want)
	}
}

// checkQuietZone fails unless the QRPlan's quiet zone, as seen in img, is
// entirely white and every module is a uniform square of whole pixels.
func checkQuietZone(t testing.TB, img image.Image, at image.Rectangle, p QRPlan) {
	t.Helper()
	white := whiteness(img)
	for my, row := range p.Bitmap {
		for mx, dark := range row {
			quiet := mx < QuietZone || my < QuietZone || mx >= p.Modules-QuietZone || my >= p.Modules-QuietZone
			if quiet && dark {
				t.Fatalf("module (%d,%d) in the quiet zone is dark", mx, my)
			}
			for y := 0; y < p.Pixels; y++ {
				for x := 0; x < p.Pixels; x++ {
					if white(at.Min.X+mx*p.Pixels+x, at.Min.Y+my*p.Pixels+y) == dark {
						t.Fatalf("pixel %d,%d of module (%d,%d) does not match the symbol", x, y, mx, my)
					}
				}
			}
		}
	}
}

// whiteness returns a fast "is this pixel white" for the image types the
// tests produce (the generic At is too slow under -race on HDMI sizes).
func whiteness(img image.Image) func(x, y int) bool {
	switch m := img.(type) {
	case *image.Paletted:
		return func(x, y int) bool { return m.Pix[m.PixOffset(x, y)] == White }
	case *image.RGBA:
		return func(x, y int) bool {
			i := m.PixOffset(x, y)
			return m.Pix[i] == 0xFF && m.Pix[i+1] == 0xFF && m.Pix[i+2] == 0xFF
		}
	}
	return func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r == 0xFFFF && g == 0xFFFF && b == 0xFFFF
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func alipayUSD(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }

// gpiotestPin is a gpiotest pin for benchmarks that only need a DC line.
type gpiotestPin = gpiotest.Pin
