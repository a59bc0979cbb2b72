package testenv

import (
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
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

func TestSlowDecision(t *testing.T) {
	for _, tc := range []struct {
		name           string
		env            map[string]string
		short          bool
		runs, failsNow bool
		mentions       string
	}{
		{"default run", nil, false, false, false, "POSD_SLOW_TESTS=1"},
		{"explicitly off", map[string]string{"POSD_SLOW_TESTS": "0"}, false, false, false, "POSD_SLOW_TESTS=1"},
		{"asked for", map[string]string{"POSD_SLOW_TESTS": "1"}, false, true, false, ""},
		{"short wins", map[string]string{"POSD_SLOW_TESTS": "1"}, true, false, false, "-short"},
		{"CI without the variable", map[string]string{"CI": "true"}, false, false, true, ".ci/run"},
		{"CI with it", map[string]string{"CI": "true", "POSD_SLOW_TESTS": "1"}, false, true, false, ""},
		{"CI short (qemu)", map[string]string{"CI": "true"}, true, false, false, "-short"},
		{"typo", map[string]string{"POSD_SLOW_TESTS": "yes"}, false, false, true, `"yes"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			skip, fail := slowDecision(func(k string) string { return tc.env[k] }, tc.short, "package build")
			if runs := skip == "" && fail == ""; runs != tc.runs {
				t.Errorf("runs = %v (skip %q, fail %q), want %v", runs, skip, fail, tc.runs)
			}
			if (fail != "") != tc.failsNow {
				t.Errorf("fail = %q, want failure %v", fail, tc.failsNow)
			}
			if msg := skip + fail; !strings.Contains(msg, tc.mentions) || (msg != "" && !strings.Contains(msg, "package build")) {
				t.Errorf("message %q does not name %q and the suite", msg, tc.mentions)
			}
		})
	}
}

func TestFreeAddrNeverRepeats(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		a := FreeAddr(t)
		if seen[a] {
			t.Fatalf("FreeAddr gave %s twice", a)
		}
		seen[a] = true
	}
}
