package display

import (
	"bytes"
	"errors"
	"image"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseHexFont: any input either parses into a font whose glyphs all
// draw, or fails with ErrBadFont; it never panics.
func FuzzParseHexFont(f *testing.F) {
	f.Add([]byte("0041:0000000018242442427E424242420000\n"))
	f.Add([]byte("91D1:0100010002800440082837D801000100FFFE01001110091005201FF80000\n# comment\n\n"))
	f.Add([]byte("41:00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := ParseHexFont(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBadFont) {
				t.Fatalf("error %v is not ErrBadFont", err)
			}
			return
		}
		img := image.NewPaletted(image.Rect(0, 0, 64, 32), Palette)
		for r := range font.glyphs {
			font.draw(img, 0, 0, 2, Black, string(r))
			if g, _ := font.lookup(r); g.width != 8 && g.width != 16 {
				t.Fatalf("glyph %U is %d wide", r, g.width)
			}
		}
	})
}

// FuzzLazyHexFont: whatever the file holds, the lazy font never panics, and
// for a file ParseHexFont accepts whose code points rise line by line it
// finds exactly the glyphs the whole parse finds.
func FuzzLazyHexFont(f *testing.F) {
	f.Add([]byte("0041:0000000018242442427E424242420000\n"), int32(0x41))
	f.Add([]byte("# c\n\n0041:0000000018242442427E424242420000\r\n91D1:0100010002800440082837D801000100FFFE01001110091005201FF80000"), int32(0x91D1))
	f.Add([]byte("0042:0000000018242442427E424242420000\n0041:0000000018242442427E424242420000\n"), int32(0x41))
	f.Add([]byte("0041:0000000018242442427E424242420000\n0042:00\n"), int32(0x42))
	f.Fuzz(func(t *testing.T, data []byte, probe int32) {
		lazy, err := newLazyHexFont("fuzz", bytes.NewReader(data), int64(len(data)), nil)
		if err != nil {
			if !errors.Is(err, ErrBadFont) {
				t.Fatalf("error %v is not ErrBadFont", err)
			}
			return
		}
		lazy.lookup(rune(probe))
		whole, err := ParseHexFont(bytes.NewReader(data))
		if err != nil || !risingCodePoints(data) {
			return
		}
		for r := range whole.glyphs {
			for _, q := range []rune{r - 1, r, r + 1, rune(probe)} {
				lg, lok := lazy.lookup(q)
				wg, wok := whole.lookup(q)
				if lg != wg || lok != wok {
					t.Fatalf("U+%04X: lazy %v %v, whole %v %v", q, lok, lg, wok, wg)
				}
			}
		}
	})
}

// risingCodePoints reports whether the glyph lines' code points rise strictly.
func risingCodePoints(data []byte) bool {
	prev := rune(-1)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		r, _, err := parseHexGlyph(line)
		if err != nil || r <= prev {
			return false
		}
		prev = r
	}
	return true
}

// FuzzRenderScreen: whatever a caller puts in a screen, Validate rejects it
// or every renderer draws it without panicking, and a drawn code scans as
// the content (checked by structure here; zbarimg runs in the driver tests).
func FuzzRenderScreen(f *testing.F) {
	f.Add(3, "Golden Dragon 金龙茶馆", "", shortCode, int64(123456), 60, 320, 240)
	f.Add(4, "\x1b[2J", "Insufficient balance", "", int64(1), 0, 128, 64)
	f.Add(5, strings.Repeat("W", 300), "", "", int64(9_999_999_999_999_999), 0, 1, 1)
	f.Add(3, "", "", "A", int64(5), -5, 4000, 10)
	f.Fuzz(func(t *testing.T, kind int, merchant, reason, qr string, value int64, expirySeconds int, w, h int) {
		if w < 1 || h < 1 || w > 1024 || h > 1024 {
			return
		}
		s := Screen{Kind: Kind(kind), Merchant: merchant, Reason: reason, QR: qr,
			Amount: alipayUSD(value), ExpiresAt: testNow.Add(time.Duration(expirySeconds) * time.Second)}
		if err := s.Validate(); err != nil {
			if !errors.Is(err, ErrInvalidScreen) {
				t.Fatalf("%v is not ErrInvalidScreen", err)
			}
			return
		}
		if !utf8.ValidString(merchant) {
			t.Fatal("invalid UTF-8 accepted")
		}
		for _, textOnly := range []bool{false, true} {
			fr := Render(s, image.Pt(w, h), testNow, Options{TextOnly: textOnly})
			if fr.Image.Bounds() != image.Rect(0, 0, w, h) {
				t.Fatalf("frame %v for %dx%d", fr.Image.Bounds(), w, h)
			}
			if fr.QR != (image.Rectangle{}) {
				if textOnly || !fr.QR.In(fr.Image.Bounds()) || fr.Plan.Pixels < MinModulePixels {
					t.Fatalf("code at %v, %d px/module, text only %v", fr.QR, fr.Plan.Pixels, textOnly)
				}
				checkQuietZone(t, fr.Image, fr.QR, fr.Plan)
			}
		}
	})
}

// FuzzDecodeLogo: any bytes as [display] logo give a picture within the
// limits or ErrBadLogo, never a panic.
func FuzzDecodeLogo(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := decodeLogo(data)
		if err != nil {
			if !errors.Is(err, ErrBadLogo) {
				t.Fatalf("error %v is not ErrBadLogo", err)
			}
			return
		}
		if b := img.Bounds(); b.Dx() > maxLogoSide || b.Dy() > maxLogoSide {
			t.Fatalf("logo %v", b)
		}
	})
}
