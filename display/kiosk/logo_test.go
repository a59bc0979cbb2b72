package kiosk

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/money"
)

// logoFile writes a w x h acceptance mark in the palette's red (no text
// of the idle screen is red) and returns its path.
func logoFile(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, display.Palette[display.Red])
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mark.png")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKioskPageShowsLogoInChromium: [display] logo reaches the kiosk page
// through display.Open (LoadLogo's checks), is served from memory at
// logo.png, and Chromium draws it on the idle screen and not beside a QR
// code.
func TestKioskPageShowsLogoInChromium(t *testing.T) {
	const w, h = 90, 40
	d, err := display.Open(context.Background(), display.Config{Driver: "kiosk", Logo: logoFile(t, w, h)})
	if err != nil {
		t.Fatal(err)
	}
	k := d.(*display.Kiosk)
	if err := k.Show(context.Background(), display.Screen{Kind: display.Idle, Merchant: "Golden Dragon"}); err != nil {
		t.Fatal(err)
	}
	base := serveKiosk(t, k, Config{})

	resp, err := http.Get(base + "logo.png")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("logo.png: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(body)); err != nil || cfg.Width != w || cfg.Height != h {
		t.Fatalf("logo.png is %+v, %v", cfg, err)
	}

	page := testenv.OpenChromium(t, base, image.Pt(800, 480))
	page.Eval(t, `new Promise(ok => { const f = () => { const l = document.getElementById("logo");
		l && l.isConnected && l.complete && l.naturalWidth > 0 ? ok(true) : setTimeout(f, 20); }; f(); })`)
	if n := redPixels(t, page.Screenshot(t)); n < w*h*9/10 {
		t.Fatalf("the page shows %d red pixels, want the %dx%d logo", n, w, h)
	}

	// A code to scan takes the room: no logo beside it, as on the panels.
	s := display.Screen{Kind: display.Waiting, Merchant: "Golden Dragon", Amount: money.Amount{Currency: "USD", Value: 1250}, QR: shortCode, ExpiresAt: time.Now().Add(5 * time.Minute)}
	if err := k.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	page.Eval(t, `new Promise(ok => { const f = () => { const l = document.getElementById("logo");
		!l && !document.getElementById("qrbox").hidden ? ok(true) : setTimeout(f, 20); }; f(); })`)
	if n := redPixels(t, page.Screenshot(t)); n > 0 {
		t.Fatalf("%d red pixels beside the QR code", n)
	}
}

// TestKioskNoLogo: without [display] logo there is nothing at logo.png and
// the state never asks for it.
func TestKioskNoLogo(t *testing.T) {
	k := display.NewKiosk(display.KioskConfig{})
	base := serveKiosk(t, k, Config{})
	resp, err := http.Get(base + "logo.png")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("logo.png without a logo: %s", resp.Status)
	}
	if state, _, _, _ := k.Current(); bytes.Contains(state, []byte(`"logo"`)) {
		t.Fatalf("state %s", state)
	}
}

// redPixels counts the palette's red in the PNG at path (within a few
// levels: the browser may round).
func redPixels(t *testing.T, path string) int {
	t.Helper()
	img := testenv.ReadPNG(t, path)
	want := color.RGBAModel.Convert(display.Palette[display.Red]).(color.RGBA)
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -6 && d < 6 }
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, want.R) && near(g, want.G) && near(b, want.B) {
				n++
			}
		}
	}
	return n
}
