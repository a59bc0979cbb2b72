package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer"
)

// Slip lays the report out for a paper cols columns wide: a title, the
// window, each currency's lines and the unresolved count. Every line is
// ASCII and fits cols (a value too long for its line goes on its own).
func Slip(r posapi.Report, cols int) []printer.Block {
	var b []printer.Block
	text := func(a printer.Align, bold bool, s string) {
		b = append(b, printer.Block{Kind: printer.BlockText, Text: s, Align: a, Bold: bold})
	}
	pair := func(label, value string) {
		if len(label)+1+len(value) <= cols {
			text(printer.AlignLeft, false, label+strings.Repeat(" ", cols-len(label)-len(value))+value)
			return
		}
		text(printer.AlignLeft, false, clip(label, cols))
		text(printer.AlignRight, false, clip(value, cols))
	}
	rule := func() { text(printer.AlignLeft, false, strings.Repeat("-", cols)) }
	title := "X REPORT" // a window that is not a closed day
	if r.Z > 0 {
		title = "Z REPORT " + strconv.FormatUint(r.Z, 10)
	}
	text(printer.AlignCenter, true, title)
	if r.Day != "" {
		pair("Day", r.Day)
	} else {
		pair("From", r.From.Format(time.RFC3339))
		pair("To", r.To.Format(time.RFC3339))
	}
	for _, c := range r.Currencies {
		rule()
		text(printer.AlignLeft, true, c.Currency)
		for _, l := range []struct {
			label string
			t     posapi.ReportTotal
		}{{"Paid", c.Paid}, {"Declined", c.Declined}, {"Cancelled", c.Cancelled}, {"Voided", c.Voided}, {"Refunded", c.Refunded}} {
			pair(l.label+" x"+strconv.Itoa(l.t.Count), l.t.Amount)
		}
		pair("NET", c.Net)
	}
	rule()
	pair("Unresolved", strconv.Itoa(r.Unresolved))
	b = append(b, printer.Block{Kind: printer.BlockFeed, Lines: 3}, printer.Block{Kind: printer.BlockCut})
	return b
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
