package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer"
)

// Slip lays the report out in language l for a paper cols columns wide: a
// title, the window, each currency's lines and the unresolved count. Widths
// are printed columns (a Hanzi takes two), so every line fits cols; a value
// too long for its label's line goes on its own.
func Slip(r posapi.Report, cols int, l lang.Lang) []printer.Block {
	var b []printer.Block
	text := func(a printer.Align, bold bool, lines ...string) {
		for _, s := range lines {
			b = append(b, printer.Block{Kind: printer.BlockText, Text: s, Align: a, Bold: bold})
		}
	}
	pair := func(label, value string) { text(printer.AlignLeft, false, printer.Labelled(label, value, cols)...) }
	rule := func() { text(printer.AlignLeft, false, strings.Repeat("-", cols)) }
	title := l.T("X REPORT") // a window that is not a closed day
	if r.Z > 0 {
		title = l.F("Z REPORT %d", r.Z)
	}
	text(printer.AlignCenter, true, printer.Wrap(title, cols)...)
	if r.Day != "" {
		pair(l.T("Day"), r.Day)
	} else {
		pair(l.T("From"), r.From.Format(time.RFC3339))
		pair(l.T("To"), r.To.Format(time.RFC3339))
	}
	for _, c := range r.Currencies {
		rule()
		text(printer.AlignLeft, true, printer.Wrap(c.Currency, cols)...)
		for _, line := range []struct {
			label string
			t     posapi.ReportTotal
		}{{"Paid", c.Paid}, {"Declined", c.Declined}, {"Cancelled", c.Cancelled}, {"Voided", c.Voided}, {"Refunded", c.Refunded}} {
			pair(l.F("%s x%d", l.T(line.label), line.t.Count), line.t.Amount)
		}
		pair(l.T("NET"), c.Net)
	}
	rule()
	pair(l.T("Unresolved"), strconv.Itoa(r.Unresolved))
	b = append(b, printer.Block{Kind: printer.BlockFeed, Lines: 3}, printer.Block{Kind: printer.BlockCut})
	return b
}
