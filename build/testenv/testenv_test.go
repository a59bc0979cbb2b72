package testenv

import (
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

func TestDecodeQR(t *testing.T) {
	dir := t.TempDir()
	want := "https://sim.example/wallet/281012345678?x=1&y=2"
	path := filepath.Join(dir, "qr.png")
	if err := qrcode.WriteFile(want, qrcode.Medium, 256, path); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeQR(t, path)
	if err != nil || len(got) != 1 || got[0] != want {
		t.Fatalf("DecodeQR = %q, %v; want %q", got, err, want)
	}

	blank := filepath.Join(dir, "blank.png")
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	f, err := os.Create(blank)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := DecodeQR(t, blank); !errors.Is(err, ErrNoSymbol) {
		t.Fatalf("DecodeQR(blank) error = %v, want ErrNoSymbol", err)
	}
}
