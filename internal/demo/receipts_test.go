package demo

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/terminal"
)

type idleDesk struct{}

func (idleDesk) Screen() terminal.Screen                  { return terminal.Screen{} }
func (idleDesk) Keys(ctx context.Context, s string) error { return nil }

// The page serves the virtual printer's PNGs by name, and nothing else:
// not a file that is not a PNG whatever its name, not a path out of the
// directory, not a directory, not a link (to a PNG elsewhere).
func TestReceiptsServedByNameOnly(t *testing.T) {
	dir := t.TempDir()
	var slip bytes.Buffer
	if err := png.Encode(&slip, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("P1-sale.png", slip.Bytes())
	write("fake.png", []byte("#!/bin/sh\necho not a receipt\n"))
	if err := os.Mkdir(filepath.Join(dir, "dir.png"), 0o700); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.png")
	if err := os.WriteFile(outside, slip.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.png")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(cashierHandler(idleDesk{}, dir, lang.New(lang.English), slog.New(slog.DiscardHandler)))
	defer srv.Close()

	get := func(path string) (int, string, []byte) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	if code, ct, b := get("/receipts/P1-sale.png"); code != http.StatusOK || ct != "image/png" || !bytes.Equal(b, slip.Bytes()) {
		t.Errorf("receipt: %d %q %d bytes", code, ct, len(b))
	}
	for _, p := range []string{"/receipts/fake.png", "/receipts/dir.png", "/receipts/link.png", "/receipts/missing.png", "/receipts/P1-sale.txt",
		"/receipts/..%2f..%2fetc%2fpasswd", "/receipts/%2e%2e%2fsecret.png"} {
		if code, _, b := get(p); code != http.StatusNotFound {
			t.Errorf("%s: %d %q", p, code, b)
		}
	}
}
