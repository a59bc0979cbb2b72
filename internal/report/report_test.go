package report

import (
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
)

func row(typ, state string, cur money.Currency, v int64) queue.ExportRow {
	return queue.ExportRow{Type: typ, State: state, Amount: money.Amount{Currency: cur, Value: v}}
}

// Every state lands in one bucket, amounts are summed in minor units and
// shown in each currency's exponent, currencies come sorted.
func TestBuild(t *testing.T) {
	voided := row("payment", "CANCELLED", "USD", 300)
	voided.Voided = true
	rows := []queue.ExportRow{
		row("payment", "SUCCEEDED", "USD", 1250), row("payment", "PARTIALLY_REFUNDED", "USD", 1000),
		row("payment", "REFUNDED", "USD", 5), row("payment", "REFUNDING", "USD", 45),
		row("payment", "FAILED", "USD", 999), row("payment", "CANCELLED", "USD", 420), voided,
		row("refund", "SUCCEEDED", "USD", 225), row("refund", "SUCCEEDED", "USD", 5), row("refund", "FAILED", "USD", 100),
		row("refund", "PENDING", "USD", 45), row("payment", "UNKNOWN", "USD", 700), row("payment", "AWAITING_BUYER", "USD", 1),
		row("payment", "NEEDS_ATTENTION", "USD", 1), row("payment", "CANCELLING", "USD", 1), row("refund", "UNKNOWN", "USD", 1),
		row("payment", "SUCCEEDED", "JPY", 1200), row("refund", "SUCCEEDED", "JPY", 1500), row("payment", "SUCCEEDED", "JPY", 300),
	}
	rep, err := Build("2026-11-23", time.Time{}, time.Time{}, rows, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := []posapi.ReportCurrency{
		{Currency: "JPY", Paid: posapi.ReportTotal{Count: 2, Amount: "1500"}, Declined: posapi.ReportTotal{Amount: "0"},
			Cancelled: posapi.ReportTotal{Amount: "0"}, Voided: posapi.ReportTotal{Amount: "0"},
			Refunded: posapi.ReportTotal{Count: 1, Amount: "1500"}, Net: "0"},
		{Currency: "USD", Paid: posapi.ReportTotal{Count: 4, Amount: "23.00"}, Declined: posapi.ReportTotal{Count: 1, Amount: "9.99"},
			Cancelled: posapi.ReportTotal{Count: 1, Amount: "4.20"}, Voided: posapi.ReportTotal{Count: 1, Amount: "3.00"},
			Refunded: posapi.ReportTotal{Count: 2, Amount: "2.30"}, Net: "20.70"},
	}
	if len(rep.Currencies) != 2 || rep.Currencies[0] != want[0] || rep.Currencies[1] != want[1] {
		t.Errorf("currencies:\n%+v\nwant\n%+v", rep.Currencies, want)
	}
	if rep.Unresolved != 6 || rep.Z != 7 || rep.Day != "2026-11-23" {
		t.Errorf("unresolved %d z %d day %q", rep.Unresolved, rep.Z, rep.Day)
	}
}

// Refunds of an earlier day's sales can make a day's net negative.
func TestBuildNegativeNet(t *testing.T) {
	rep, err := Build("", time.Time{}, time.Time{}, []queue.ExportRow{row("refund", "SUCCEEDED", "USD", 250)}, 0)
	if err != nil || rep.Currencies[0].Net != "-2.50" {
		t.Fatalf("%+v %v", rep, err)
	}
}

// Sums past what an amount can hold are an error, never a wrapped number.
func TestBuildOverflow(t *testing.T) {
	big := row("payment", "SUCCEEDED", "USD", 9_000_000_000_000_000)
	if _, err := Build("", time.Time{}, time.Time{}, []queue.ExportRow{big, big}, 0); err == nil {
		t.Fatal("no error for a sum past the largest amount")
	}
}

// The slip fits every paper and carries the totals.
func TestSlipFits(t *testing.T) {
	rep, err := Build("2026-11-23", time.Time{}, time.Time{}, []queue.ExportRow{row("payment", "SUCCEEDED", "USD", 99_999_999_999)}, 12)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []printer.Paper{printer.Paper58, printer.Paper80, printer.PaperTMT88} {
		var text []string
		for _, b := range Slip(rep, p.Columns, lang.Lang{}) {
			if b.Kind == printer.BlockText {
				if printer.Columns(b.Text) > p.Columns {
					t.Errorf("%s: %q is wider than %d columns", p.Name, b.Text, p.Columns)
				}
				text = append(text, b.Text)
			}
		}
		all := strings.Join(text, "\n")
		for _, s := range []string{"Z REPORT 12", "2026-11-23", "999999999.99", "NET", "Unresolved"} {
			if !strings.Contains(all, s) {
				t.Errorf("%s: slip lacks %q:\n%s", p.Name, s, all)
			}
		}
		if _, err := printer.Encode(Slip(rep, p.Columns, lang.Lang{}), printer.PreviewModel(p)); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
}
