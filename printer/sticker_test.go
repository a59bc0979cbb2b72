package printer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/printer"
)

// The sticker's QR decodes to exactly the URL on both papers, under the
// names and the words a customer looks for.
func TestStickerQRIsTheURL(t *testing.T) {
	testenv.Tool(t, "zbarimg")
	const url = "https://pos.example.com/entry/T01"
	for _, name := range []string{"58", "80"} {
		paper, err := printer.PaperByName(name)
		if err != nil {
			t.Fatal(err)
		}
		png, text, err := printer.PreviewSticker(printer.Sticker{MerchantName: "Golden Noodle Bar", StoreName: "Harbour Street", URL: url}, paper)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Golden Noodle", "Harbour Street", "支付宝 Alipay", "Scan to pay"} { // names wrap on 58 mm
			if !strings.Contains(text, want) {
				t.Errorf("%s mm: transcript lacks %q:\n%s", name, want, text)
			}
		}
		path := filepath.Join(t.TempDir(), "sticker.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := testenv.DecodeQR(t, path); err != nil || len(got) != 1 || got[0] != url {
			t.Errorf("%s mm: QR %q %v", name, got, err)
		}
	}
	if _, _, err := printer.PreviewSticker(printer.Sticker{MerchantName: "x", URL: "https://a/\n"}, printer.Paper80); err == nil {
		t.Error("a URL with a newline was printed")
	}
}
