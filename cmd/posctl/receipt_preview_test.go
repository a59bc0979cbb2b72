package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/printer"
)

func preview(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runReceiptPreview(args, stdio{strings.NewReader(""), &out, &errb})
	return code, out.String(), errb.String()
}

func TestReceiptPreviewSample(t *testing.T) {
	for paper, dots := range map[string]int{"58": 384, "80": 576, "tm-t88": 512} {
		out := filepath.Join(t.TempDir(), "slip.png")
		code, stdout, stderr := preview("--paper", paper, "--sample", "--out", out)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", paper, code, stderr)
		}
		if !strings.Contains(stdout, "USD 12.50") {
			t.Errorf("transcript:\n%s", stdout)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil || img.Bounds().Dx() != dots {
			t.Fatalf("%s: PNG %v, err %v; want %d dots wide", paper, img.Bounds(), err, dots)
		}
		codes, err := testenv.DecodeQR(t, out)
		if err != nil || len(codes) != 1 || codes[0] != printer.SampleReceipt().PaymentID {
			t.Errorf("%s: QR %q, %v", paper, codes, err)
		}
	}
}

func TestReceiptPreviewFromJSON(t *testing.T) {
	r := printer.SampleReceipt()
	r.Kind, r.Result, r.RefundID = printer.KindRefund, printer.ResultRefunded, "RF1"
	data, _ := json.Marshal(r)
	in := writeFile(t, "r.json", string(data), 0o644)
	out := filepath.Join(t.TempDir(), "slip.png")
	code, stdout, stderr := preview("--receipt", in, "--copy", "--code", "none", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "REFUND") || !strings.Contains(stdout, "COPY") || strings.Contains(stdout, "[QR") {
		t.Errorf("exit %d, stderr %s, transcript:\n%s", code, stderr, stdout)
	}
}

func TestReceiptPreviewErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.png")
	bad := writeFile(t, "bad.json", `{"kind":"sale"}`, 0o644)
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"--sample"}, exitUsage},
		{[]string{"--out", out}, exitUsage},
		{[]string{"--sample", "--paper", "57", "--out", out}, exitFail},
		{[]string{"--sample", "--code", "ean", "--out", out}, exitUsage},
		{[]string{"--receipt", bad, "--out", out}, exitFail},
	}
	for _, c := range cases {
		if code, _, _ := preview(c.args...); code != c.code {
			t.Errorf("%v: exit %d, want %d", c.args, code, c.code)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed preview wrote a file")
	}
}

// TestReceiptPreviewChineseText: --lang zh-CN --text prints the slip's
// text with Chinese labels and needs no --out; the ids stay as they are.
func TestReceiptPreviewChineseText(t *testing.T) {
	code, stdout, stderr := preview("--sample", "--lang", "zh-CN", "--text")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"收款凭证", "商户号", "终端号", "合计", "支付宝交易号", "202611231400001234567890", "+00:00"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
	if code, _, _ := preview("--sample", "--lang", "fr", "--text"); code != exitUsage {
		t.Errorf("--lang fr: exit %d", code)
	}
	if code, _, _ := preview("--sample"); code != exitUsage {
		t.Errorf("neither --out nor --text: exit %d", code)
	}
}

// TestReceiptPreviewDrawsChinese: the PNG draws Chinese with the displays'
// Unifont, not the boxes a printer without the font shows.
func TestReceiptPreviewDrawsChinese(t *testing.T) {
	if _, err := os.Stat(display.DefaultHexFontPath); err != nil && !testenv.InCI() {
		t.Skip("no unifont installed")
	}
	out := filepath.Join(t.TempDir(), "zh.png")
	if code, _, stderr := preview("--sample", "--lang", "zh-CN", "--out", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	r := printer.SampleReceipt()
	r.Language = "zh-CN"
	boxes, _, err := printer.Preview(r, printer.Paper80, printer.LayoutOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, boxes) {
		t.Error("the Chinese labels are drawn as boxes")
	}
}
