package report

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/printer/virtual"
	"github.com/posd/posd/queue"
)

// bigReport has two currencies, amounts as long as they get and a Z number.
func bigReport(t *testing.T) posapi.Report {
	t.Helper()
	rep, err := Build("2026-11-23", time.Time{}, time.Time{}, []queue.ExportRow{
		row("payment", "SUCCEEDED", "USD", 99_999_999_999), row("payment", "FAILED", "USD", 1250),
		row("payment", "SUCCEEDED", "JPY", 1200), row("refund", "SUCCEEDED", "JPY", 300), row("payment", "UNKNOWN", "USD", 1),
	}, 12)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func slipText(blocks []printer.Block) []string {
	var text []string
	for _, b := range blocks {
		if b.Kind == printer.BlockText {
			text = append(text, b.Text)
		}
	}
	return text
}

// TestSlipInMerchantLanguage: the slip reads in [merchant] language, and
// every line fits the paper measured in printed columns (a Hanzi takes
// two), on 58 mm (32), 80 mm (48) and TM-T88 paper, for a day and for a
// from/to window.
func TestSlipInMerchantLanguage(t *testing.T) {
	day := bigReport(t)
	window := day
	window.Day, window.Z = "", 0
	window.From = time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	window.To = window.From.AddDate(0, 0, 29)
	for _, c := range []struct {
		lang string
		want []string
		not  []string
	}{
		{"zh-CN", []string{"日结报表 Z12", "营业日", "付款成功 1 笔", "失败 1 笔", "已撤销 0 笔", "已退款 1 笔", "净额", "未决交易", "999999999.99"}, []string{"Paid", "NET", "Unresolved", "REPORT"}},
		{"zh-TW", []string{"日結報表 Z12", "營業日", "付款成功 1 筆", "淨額", "未決交易"}, []string{"Paid", "NET", "Unresolved"}},
		{"en", []string{"Z REPORT 12", "Day", "Paid x1", "Declined x1", "NET", "Unresolved"}, []string{"净额", "淨額"}},
	} {
		l, err := lang.Parse(c.lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []printer.Paper{printer.Paper58, printer.Paper80, printer.PaperTMT88} {
			lines := slipText(Slip(day, p.Columns, l))
			for _, s := range lines {
				if w := printer.Columns(s); w > p.Columns {
					t.Errorf("%s %s: %q is %d columns wide, the paper %d", c.lang, p.Name, s, w, p.Columns)
				}
			}
			all := strings.Join(lines, "\n")
			for _, s := range c.want {
				if !strings.Contains(all, s) {
					t.Errorf("%s %s: slip lacks %q:\n%s", c.lang, p.Name, s, all)
				}
			}
			for _, s := range c.not {
				if strings.Contains(all, s) {
					t.Errorf("%s %s: slip has %q:\n%s", c.lang, p.Name, s, all)
				}
			}
			w := slipText(Slip(window, p.Columns, l))
			for _, s := range w {
				if printer.Columns(s) > p.Columns {
					t.Errorf("%s %s window: %q wider than %d", c.lang, p.Name, s, p.Columns)
				}
			}
			if l.Chinese() && !strings.Contains(strings.Join(w, "\n"), map[string]string{"zh-CN": "X 报表", "zh-TW": "X 報表"}[c.lang]) {
				t.Errorf("%s %s window slip has no X title:\n%s", c.lang, p.Name, strings.Join(w, "\n"))
			}
		}
	}
	// A 58 mm slip really is full width somewhere in Chinese: the
	// columns measure, not the bytes, decides the padding.
	cn, _ := lang.Parse("zh-CN")
	full := false
	for _, s := range slipText(Slip(day, printer.Paper58.Columns, cn)) {
		if printer.Columns(s) == 32 && strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			full = true
		}
	}
	if !full {
		t.Error("no Chinese line of the 58 mm slip reaches the right edge")
	}
}

// glyphLog draws with the displays' Unifont and notes each rune asked for.
type glyphLog struct {
	font   *display.Font
	missed []rune
	drawn  int
}

func (g *glyphLog) Glyph16(r rune) ([16]uint16, int, bool) {
	rows, w, ok := g.font.Glyph16(r)
	if ok {
		g.drawn++
	} else {
		g.missed = append(g.missed, r)
	}
	return rows, w, ok
}

// TestSlipDrawsChinese prints the zh-CN slip on the virtual printer as
// receipts are (printer.PreviewModel, Unifont glyphs): every Hanzi is
// drawn from the font, and the paper differs from one with boxes.
func TestSlipDrawsChinese(t *testing.T) {
	if _, err := os.Stat(display.DefaultHexFontPath); err != nil && !testenv.InCI() {
		t.Skip("no unifont installed")
	}
	font, err := display.OpenHexFont(display.DefaultHexFontPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	cn, _ := lang.Parse("zh-CN")
	p := printer.Paper58
	doc, err := printer.Encode(Slip(bigReport(t), p.Columns, cn), printer.PreviewModel(p))
	if err != nil {
		t.Fatal(err)
	}
	print := func(g virtual.Glyphs) ([]byte, string) {
		m := virtual.NewMachine(virtual.Config{Dots: p.Dots, Chinese: true, Glyphs: g})
		m.Execute(doc.Data)
		png, err := m.PNG()
		if err != nil {
			t.Fatal(err)
		}
		return png, m.Transcript()
	}
	log := &glyphLog{font: font}
	drawn, transcript := print(log)
	boxes, _ := print(nil)
	if len(log.missed) > 0 || log.drawn == 0 {
		t.Errorf("glyphs drawn %d, missing %q", log.drawn, string(log.missed))
	}
	if bytes.Equal(drawn, boxes) {
		t.Error("the Chinese labels are drawn as boxes")
	}
	for _, s := range []string{"日结报表", "净额", "未决交易"} {
		if !strings.Contains(transcript, s) {
			t.Errorf("the printer's transcript lacks %q:\n%s", s, transcript)
		}
	}
	if out := os.Getenv("POSD_SLIP_PNG"); out != "" { // to look at it
		if err := os.WriteFile(out, drawn, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
