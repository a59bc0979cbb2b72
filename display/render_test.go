package display

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/lang"
)

// panels are the sizes posd supports, largest first.
var panels = []struct {
	name string
	size image.Point
}{
	{"hdmi-1920x1080", image.Pt(1920, 1080)},
	{"hdmi-1024x600", image.Pt(1024, 600)},
	{"hdmi-800x480", image.Pt(800, 480)},
	{"ili9341-320x240", image.Pt(320, 240)},
	{"st7789-240x320", image.Pt(240, 320)},
	{"st7789-240x240", image.Pt(240, 240)},
}

func TestGoldenScreens(t *testing.T) {
	font := unifont(t)
	sizes := []struct {
		name string
		size image.Point
		opts Options
	}{
		{"800x480", image.Pt(800, 480), Options{Font: font}},
		{"320x240", image.Pt(320, 240), Options{Font: font}},
		{"240x240", image.Pt(240, 240), Options{Font: font}},
		{"oled-128x64", image.Pt(128, 64), Options{Font: font, TextOnly: true}},
	}
	for _, sz := range sizes {
		r := NewRenderer(sz.opts)
		for _, s := range sampleScreens(t) {
			name := fmt.Sprintf("%s-%s.png", s.Kind, sz.name)
			t.Run(name, func(t *testing.T) {
				f := r.Render(s, sz.size, testNow)
				compareGolden(t, f.Image, filepath.Join("testdata", "golden", name))
			})
		}
	}
}

// TestGoldenScreensChinese draws every screen as a Chinese-speaking shop
// configures it ([display] languages = ["zh-CN", "en"], and zh-TW): the
// main language large, English below, "支付宝 Alipay" where it asks to scan.
func TestGoldenScreensChinese(t *testing.T) {
	font := unifont(t)
	for _, main := range []string{"zh-CN", "zh-TW"} {
		zh, err := lang.Parse(main)
		if err != nil {
			t.Fatal(err)
		}
		langs := []lang.Lang{zh, lang.New(lang.English)}
		sizes := []struct {
			name string
			size image.Point
			opts Options
		}{
			{"800x480", image.Pt(800, 480), Options{Font: font, Languages: langs}},
			{"320x240", image.Pt(320, 240), Options{Font: font, Languages: langs}},
			{"240x240", image.Pt(240, 240), Options{Font: font, Languages: langs}},
			{"oled-128x64", image.Pt(128, 64), Options{Font: font, TextOnly: true, Languages: langs}},
		}
		for _, sz := range sizes {
			r := NewRenderer(sz.opts)
			for _, s := range sampleScreens(t) {
				name := fmt.Sprintf("%s-%s-%s.png", main, s.Kind, sz.name)
				t.Run(name, func(t *testing.T) {
					f := r.Render(s, sz.size, testNow)
					compareGolden(t, f.Image, filepath.Join("testdata", "golden", name))
					if s.Kind == Waiting && sz.opts.TextOnly == false && f.QR.Empty() {
						t.Errorf("%s: no QR drawn", name)
					}
				})
			}
		}
	}
}

// TestSmallPanelsReadable: on 240x240 and 320x240 panels the waiting
// screen keeps the amount at 32-pixel glyphs (readable from a metre), the
// scan request, and a code phones can read, in every language.
func TestSmallPanelsReadable(t *testing.T) {
	font := unifont(t)
	zh, _ := lang.Parse("zh-CN")
	for _, langs := range [][]lang.Lang{nil, {zh, lang.New(lang.English)}} {
		for _, size := range []image.Point{image.Pt(240, 240), image.Pt(320, 240), image.Pt(240, 320)} {
			for _, s := range sampleScreens(t) {
				if s.Kind != Waiting {
					continue
				}
				f := NewRenderer(Options{Font: font, Languages: langs}).Render(s, size, testNow)
				if f.QR.Empty() || f.Plan.Pixels < MinModulePixels {
					t.Errorf("%v %v: QR %v at %d px per module", size, langs, f.QR, f.Plan.Pixels)
				}
				amount, scan := 0, false
				for _, l := range f.Lines {
					if l.Text == s.Amount.String() {
						amount = l.Pixels
					}
					scan = scan || l.Text == "Scan with Alipay" || l.Text == alipayMark
				}
				if amount < minAmountScale*glyphHeight || !scan {
					t.Errorf("%v %v: amount %d px, scan request shown %v: %+v", size, langs, amount, scan, f.Lines)
				}
			}
		}
	}
}

// TestChineseScanWording: the waiting screen names the wallet in both
// scripts and asks in the main language first; English follows.
func TestChineseScanWording(t *testing.T) {
	zh, _ := lang.Parse("zh-CN")
	s := sampleScreens(t)
	var waiting Screen
	for _, sc := range s {
		if sc.Kind == Waiting {
			waiting = sc
		}
	}
	var texts []string
	for _, l := range screenLines(waiting, testNow, false, []lang.Lang{zh, lang.New(lang.English)}) {
		texts = append(texts, l.text)
	}
	got := strings.Join(texts, "|")
	for _, want := range []string{"支付宝 Alipay", "请用支付宝扫码|Scan with Alipay", "剩余时间 "} {
		if !strings.Contains(got, want) {
			t.Errorf("waiting screen %q lacks %q", got, want)
		}
	}
	for _, l := range screenLines(waiting, testNow, false, nil) {
		if strings.ContainsRune(l.text, '支') {
			t.Errorf("English-only screen shows %q", l.text)
		}
	}
}

// compareGolden compares img with the golden at path, or rewrites it with -update.
func compareGolden(t *testing.T, img *image.Paletted, path string) {
	t.Helper()
	testenv.Golden(t, img, path, *update, "go test ./display -run Golden -update")
}

// TestRenderedQRScansOnEveryPanel draws a typical and the longest codeValue
// on every panel size, scans what is drawn, and pins down which panels can
// show the longest code AMS may return (2048 bytes, version 33-L at least):
// the HDMI panels can, the SPI TFTs (240 pixels on the short side) cannot
// and say so instead of drawing an unreadable code.
func TestRenderedQRScansOnEveryPanel(t *testing.T) {
	showsLongest := map[string]bool{
		"hdmi-1920x1080": true, "hdmi-1024x600": true, "hdmi-800x480": true,
		"ili9341-320x240": false, "st7789-240x320": false, "st7789-240x240": false,
	}
	long := longestCode()
	for _, p := range panels {
		for _, content := range []string{shortCode, long} {
			t.Run(fmt.Sprintf("%s/%d-bytes", p.name, len(content)), func(t *testing.T) {
				s := Screen{Kind: Waiting, Amount: usd(t, 500), QR: content, ExpiresAt: testNow.Add(time.Minute)}
				f := Render(s, p.size, testNow, Options{})
				if want := content == shortCode || showsLongest[p.name]; (f.QRErr == nil) != want {
					t.Fatalf("%s shows %d bytes: %v, want %v (%v)", p.name, len(content), f.QRErr == nil, want, f.QRErr)
				}
				if f.QRErr != nil {
					if !errors.Is(f.QRErr, ErrQRTooLarge) || f.QR != (image.Rectangle{}) {
						t.Fatalf("QRErr %v with QR area %v", f.QRErr, f.QR)
					}
					t.Logf("%s cannot show %d bytes legibly: %v", p.name, len(content), f.QRErr)
					return
				}
				if !f.QR.In(f.Image.Bounds()) || f.Plan.Pixels < MinModulePixels {
					t.Fatalf("QR %v at %d px/module on %v", f.QR, f.Plan.Pixels, f.Image.Bounds())
				}
				checkQuietZone(t, f.Image, f.QR, f.Plan)
				scanQR(t, f.Image, content)
				t.Logf("%s: %d bytes as version %d-%s, %d px/module, %d px wide", p.name, len(content), f.Plan.Version, f.Plan.LevelName(), f.Plan.Pixels, f.Plan.Side())
			})
		}
	}
}

// longestCode is a 2048-byte codeValue shaped like an AMS URL.
func longestCode() string {
	const head = "https://qr.alipay.com/"
	var b strings.Builder
	b.WriteString(head)
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := 0; b.Len() < MaxQRContent; i++ {
		b.WriteByte(alphabet[(i*7+i/5)%len(alphabet)])
	}
	return b.String()
}

func TestExpiredCodeIsNotShown(t *testing.T) {
	s := Screen{Kind: Waiting, Amount: usd(t, 500), QR: shortCode, ExpiresAt: testNow}
	f := Render(s, image.Pt(800, 480), testNow, Options{})
	if f.QR != (image.Rectangle{}) || f.QRErr != nil {
		t.Fatalf("expired code drawn at %v (err %v)", f.QR, f.QRErr)
	}
	if _, err := testenv.DecodeQR(t, writePNG(t, f.Image, "expired.png")); !errors.Is(err, testenv.ErrNoSymbol) {
		t.Fatalf("an expired code is still scannable: %v", err)
	}
}

func TestTextOnlyNeverDrawsTheCode(t *testing.T) {
	s := Screen{Kind: Waiting, Amount: usd(t, 500), QR: "A", ExpiresAt: testNow.Add(time.Minute)}
	f := Render(s, image.Pt(128, 64), testNow, Options{TextOnly: true})
	if f.QR != (image.Rectangle{}) {
		t.Fatalf("text-only renderer drew a code at %v", f.QR)
	}
}

func TestCountdown(t *testing.T) {
	for _, c := range []struct {
		left time.Duration
		want string
	}{
		{-time.Second, "0:00"}, {0, "0:00"}, {time.Millisecond, "0:01"}, {time.Second, "0:01"},
		{59*time.Second + time.Millisecond, "1:00"}, {4*time.Minute + 59*time.Second, "4:59"},
		{time.Hour, "1:00:00"}, {time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
	} {
		if got := Countdown(c.left); got != c.want {
			t.Errorf("Countdown(%v) = %q, want %q", c.left, got, c.want)
		}
	}
}

// On a 128-pixel OLED "Expires in 59:59" does not fit; the countdown must
// still tick rather than be cut to "Expires in 5...".
func TestNarrowCountdownKeepsItsDigits(t *testing.T) {
	s := Screen{Kind: Waiting, Amount: usd(t, 500), QR: shortCode, ExpiresAt: testNow.Add(time.Hour)}
	a := Render(s, image.Pt(128, 64), testNow, Options{TextOnly: true}).Image
	b := Render(s, image.Pt(128, 64), testNow.Add(time.Second), Options{TextOnly: true}).Image
	if changed(a, b).Empty() {
		t.Fatal("the countdown does not change from one second to the next")
	}
}

// The idle screen carries the till's static Entry Code when it has one,
// with no expiry; without one it draws no QR.
func TestIdleShowsTheEntryCode(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := Screen{Kind: Idle, Merchant: "Golden Noodle Bar", QR: "https://pos.example.com/entry/T01"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	f := Render(s, image.Pt(800, 480), now, Options{})
	if f.QRErr != nil || f.QR.Empty() || !f.QR.In(f.Image.Bounds()) {
		t.Fatalf("QR %v err %v", f.QR, f.QRErr)
	}
	checkQuietZone(t, f.Image, f.QR, f.Plan)
	if f := Render(Screen{Kind: Idle, Merchant: "Golden Noodle Bar"}, image.Pt(800, 480), now, Options{}); !f.QR.Empty() {
		t.Fatalf("idle without an entry code drew a QR at %v", f.QR)
	}
	if err := (Screen{Kind: Paid, Amount: alipayUSD(995), QR: "x"}).Validate(); err == nil {
		t.Fatal("a paid screen with a QR validated")
	}
}

// TestLogo: [display] logo is drawn at the top of the idle screen, above
// the text; files that are not small PNGs are refused with ErrBadLogo.
func TestLogo(t *testing.T) {
	dir := t.TempDir()
	mark := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			mark.Set(x, y, Palette[Blue])
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, mark); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mark.png")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	logo, err := LoadLogo(path)
	if err != nil {
		t.Fatal(err)
	}
	f := Render(Screen{Kind: Idle, Merchant: "Shop"}, image.Pt(320, 240), testNow, Options{Logo: logo})
	area := f.Image.Bounds().Inset(margin(image.Pt(320, 240)))
	if got := f.Image.ColorIndexAt(160, area.Min.Y+5); got != Blue {
		t.Errorf("top centre is colour %d, want the logo's blue", got)
	}
	without := Render(Screen{Kind: Idle, Merchant: "Shop"}, image.Pt(320, 240), testNow, Options{})
	if without.Image.ColorIndexAt(160, area.Min.Y+5) == Blue {
		t.Error("no logo configured, yet blue at the top")
	}
	if len(f.Lines) == 0 {
		t.Error("the text is gone")
	}
	notPNG := filepath.Join(dir, "x.png")
	_ = os.WriteFile(notPNG, []byte("GIF89a"), 0o644)
	huge := image.NewGray(image.Rect(0, 0, 2000, 1))
	b.Reset()
	_ = png.Encode(&b, huge)
	big := filepath.Join(dir, "big.png")
	_ = os.WriteFile(big, b.Bytes(), 0o644)
	for _, p := range []string{notPNG, big, filepath.Join(dir, "missing.png")} {
		if _, err := LoadLogo(p); !errors.Is(err, ErrBadLogo) {
			t.Errorf("%s: %v", p, err)
		}
	}
}
