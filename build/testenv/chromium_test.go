package testenv

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// TestScreenshotShowsThePage serves a page with a QR code and reads the
// code back from Chromium's screenshot, sized as asked.
func TestScreenshotShowsThePage(t *testing.T) {
	want := "https://sim.example/wallet/281012345678"
	qr, err := qrcode.Encode(want, qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><body style="margin:20px"><img src="/qr.png">`))
	})
	mux.HandleFunc("/qr.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(qr)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	shot := Screenshot(t, srv.URL+"/", 480, 360)
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if size := img.Bounds().Size(); size.X != 480 || size.Y != 360 {
		t.Fatalf("screenshot is %v, want 480x360", size)
	}
	got, err := DecodeQR(t, shot)
	if err != nil || len(got) != 1 || got[0] != want {
		t.Fatalf("DecodeQR(screenshot) = %q, %v; want %q", got, err, want)
	}
}

// TestDumpDOMRunsScripts checks that DumpDOM returns the document after
// the page's script changed it, not the HTML as served.
func TestDumpDOMRunsScripts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><p id="x">served</p><script>document.getElementById("x").textContent = "script" + "ed"</script>`))
	}))
	t.Cleanup(srv.Close)
	dom := DumpDOM(t, srv.URL)
	if !strings.Contains(dom, `<p id="x">scripted</p>`) {
		t.Fatalf("DumpDOM lacks the scripted text:\n%s", dom)
	}
}
