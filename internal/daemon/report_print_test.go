package daemon

import (
	"context"
	"strings"
	"testing"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer"
)

// slipPrinter keeps the text of the slips the till prints.
type slipPrinter struct{ text []string }

func (*slipPrinter) Wake() {}

func (p *slipPrinter) Slip(_ context.Context, _ string, layout func(printer.Paper) []printer.Block) error {
	for _, b := range layout(printer.Paper58) {
		if b.Kind == printer.BlockText {
			p.text = append(p.text, b.Text)
		}
	}
	return nil
}

// The printed end-of-day report (posctl report --print, the manager
// menu's entry 4) reads in [merchant] language.
func TestPrintedReportInMerchantLanguage(t *testing.T) {
	r := newTillRig(t, nil)
	p := &slipPrinter{}
	r.t.printer = p
	r.t.cfg.Merchant.Language = "zh-TW"
	if _, err := r.t.report(context.Background(), posapi.ReportRequest{Day: "2026-11-22", Print: true}); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(p.text, "\n")
	for _, want := range []string{"日結報表 Z1", "營業日", "2026-11-22", "未決交易"} {
		if !strings.Contains(all, want) {
			t.Errorf("printed report lacks %q:\n%s", want, all)
		}
	}
}
