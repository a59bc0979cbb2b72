package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/posd/posd/internal/demo"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
)

// reportRow is what the test reads of posctl export --format json.
type reportRow struct {
	Type   string       `json:"type"`
	State  string       `json:"state"`
	Voided bool         `json:"voided"`
	Amount money.Amount `json:"amount"`
}

// Issue 15, item 3: posctl report's totals equal what posctl export lists
// for the same day, to the minor unit, with payments paid, refunded in
// part and in full, declined, cancelled, voided and one left unresolved.
// posd runs in Asia/Shanghai so the local day is not the UTC day.
func TestE2EReportMatchesExport(t *testing.T) {
	dir := t.TempDir()
	d := startDemo(t, dir, "TZ=Asia/Shanghai")
	pay := func(amount string) string {
		id, qr := d.showQR(amount)
		d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, nil)
		d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
		return id
	}
	partial := pay("12.50")
	d.posctl("refund", "--yes", "--wait", partial, "2.25")

	declined, qr := d.showQR("3.00")
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "decline"}, nil)
	d.waitPayment(declined, "FAILED", func(p posapi.Payment) bool { return p.State == "FAILED" })

	cancelled, _ := d.showQR("4.20")
	d.posctl("cancel", cancelled)
	d.waitPayment(cancelled, "CANCELLED", func(p posapi.Payment) bool { return p.State == "CANCELLED" })

	voided := pay("3.00")
	d.posctl("cancel", "--yes", voided)
	d.waitPayment(voided, "the void", func(p posapi.Payment) bool { return p.State == "CANCELLED" })

	full := pay("7.00")
	d.posctl("refund", "--yes", "--wait", full, "7.00")

	open, _ := d.showQR("1.10") // the buyer never scans: unresolved

	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	first := d.waitPayment(partial, "", func(posapi.Payment) bool { return true }).CreatedAt.In(shanghai)
	last := d.waitPayment(open, "", func(posapi.Payment) bool { return true }).CreatedAt.In(shanghai)
	day := first.Format(time.DateOnly)
	if last.Format(time.DateOnly) != day {
		t.Skip("the payments straddle midnight in Asia/Shanghai; run again")
	}

	var rep posapi.Report
	out := d.posctl("--json", "report", "--day", day)
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	// The exact interface: these keys, amounts as decimal strings.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"day", "currencies", "unresolved", "z"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("report --json lacks %q:\n%s", k, out)
		}
	}
	if len(raw) != 4 {
		t.Errorf("report --json --day has keys beyond day, currencies, unresolved and z:\n%s", out)
	}
	usd := posapi.ReportCurrency{Currency: "USD",
		Paid: posapi.ReportTotal{Count: 2, Amount: "19.50"}, Declined: posapi.ReportTotal{Count: 1, Amount: "3.00"},
		Cancelled: posapi.ReportTotal{Count: 1, Amount: "4.20"}, Voided: posapi.ReportTotal{Count: 1, Amount: "3.00"},
		Refunded: posapi.ReportTotal{Count: 2, Amount: "9.25"}, Net: "10.25"}
	if rep.Day != day || rep.Z != 0 || rep.Unresolved != 1 || len(rep.Currencies) != 1 || rep.Currencies[0] != usd {
		t.Errorf("report of %s:\n%s\nwant USD %+v, 1 unresolved, z 0 (the day has not ended)", day, out, usd)
	}

	// Recount what export lists for the same day, by its own columns.
	var rows []reportRow
	if err := json.Unmarshal([]byte(d.posctl("export", "--from", day, "--to", day, "--format", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	minor := map[string]int64{}
	unresolved := 0
	for _, r := range rows {
		var b string
		switch {
		case r.Type == "refund" && r.State == "SUCCEEDED":
			b = "refunded"
		case r.Type == "refund" && r.State == "FAILED":
			continue
		case r.Type == "refund":
			b = ""
		case slices.Contains([]string{"SUCCEEDED", "REFUNDING", "PARTIALLY_REFUNDED", "REFUNDED"}, r.State):
			b = "paid"
		case r.State == "FAILED":
			b = "declined"
		case r.State == "CANCELLED" && r.Voided:
			b = "voided"
		case r.State == "CANCELLED":
			b = "cancelled"
		}
		if b == "" {
			unresolved++
			continue
		}
		count[b]++
		minor[b] += r.Amount.Value
	}
	dec := func(v int64) string { return money.Amount{Currency: "USD", Value: v}.Decimal() }
	got := rep.Currencies[0]
	for b, tot := range map[string]posapi.ReportTotal{"paid": got.Paid, "declined": got.Declined, "cancelled": got.Cancelled,
		"voided": got.Voided, "refunded": got.Refunded} {
		if tot.Count != count[b] || tot.Amount != dec(minor[b]) {
			t.Errorf("%s: report %+v, export %d rows %s", b, tot, count[b], dec(minor[b]))
		}
	}
	if got.Net != dec(minor["paid"]-minor["refunded"]) || rep.Unresolved != unresolved {
		t.Errorf("net %s unresolved %d; export gives %s and %d", got.Net, rep.Unresolved, dec(minor["paid"]-minor["refunded"]), unresolved)
	}

	// A window given by --from and --to is the same rows, with no Z.
	var win posapi.Report
	if err := json.Unmarshal([]byte(d.posctl("--json", "report", "--from", day, "--to", day)), &win); err != nil {
		t.Fatal(err)
	}
	if win.Day != "" || win.Z != 0 || win.From.IsZero() || !win.To.After(win.From) || len(win.Currencies) != 1 || win.Currencies[0] != usd || win.Unresolved != 1 {
		t.Errorf("report --from --to: %+v", win)
	}

	// Z numbers: the first ended day reported gets 1 and keeps it; an
	// earlier day reported afterwards gets none.
	dayBefore := func(n int) string {
		t0, _ := time.ParseInLocation(time.DateOnly, day, shanghai)
		return t0.AddDate(0, 0, -n).Format(time.DateOnly)
	}
	z := func(day string) uint64 {
		var r posapi.Report
		if err := json.Unmarshal([]byte(d.posctl("--json", "report", "--day", day)), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Currencies) != 0 || r.Unresolved != 0 {
			t.Errorf("%s has no payments, report says %+v", day, r)
		}
		return r.Z
	}
	if z1, again, earlier := z(dayBefore(1)), z(dayBefore(1)), z(dayBefore(2)); z1 != 1 || again != 1 || earlier != 0 {
		t.Errorf("Z numbers: yesterday %d, again %d, the day before %d; want 1 1 0", z1, again, earlier)
	}

	// --print: the report on the (virtual) receipt printer; test-print.
	d.posctl("report", "--day", day, "--print")
	if !fileHas(filepath.Join(dir, "receipts", "report-"+day+".txt"), "10.25") {
		t.Errorf("printed report lacks the net")
	}
	// The manager menu's entry 4 prints today's report too. The buyer
	// never paid the open payment: cancel it to free the till first.
	d.posctl("keys", "<CANCEL>")
	d.waitPayment(open, "CANCELLED", func(p posapi.Payment) bool { return p.State == "CANCELLED" })
	if err := os.Remove(filepath.Join(dir, "receipts", "report-"+day+".txt")); err != nil {
		t.Fatal(err)
	}
	d.posctl("keys", "<F1>"+demo.ManagerPIN+"<ENTER>4")
	if st := d.waitStatus("the report printed from the menu", func(s posapi.Status) bool {
		return s.Till == "menu" && s.Notice != "" && s.Notice != "Printing today's report…"
	}); st.Notice != "Today's report printed" {
		t.Errorf("menu 4: notice %q", st.Notice)
	}
	if !fileHas(filepath.Join(dir, "receipts", "report-"+day+".txt"), "Cancelled x2") {
		t.Errorf("the menu's report lacks the second cancelled payment")
	}
	d.posctl("test-print")
	if !fileHas(filepath.Join(dir, "receipts", "test-print.txt"), "posd test print") {
		t.Errorf("no test slip")
	}
}
