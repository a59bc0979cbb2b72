package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
)

// configured is posd run from a posd.toml against an in-process amssim.
type configured struct {
	*demoProc
	sim     *amssim.Simulator
	metrics string // the Prometheus listener
}

// startConfigured runs posd -config against amssim configured by simCfg,
// with env added to posd's environment.
func startConfigured(t *testing.T, simCfg func(*amssim.Config), env ...string) *configured {
	t.Helper()
	needBinaries(t)
	dir := t.TempDir()
	const clientID = "SANDBOX_E2E_SAFETY"
	gw := startTestGateway(t, dir, clientID, simCfg)
	metrics := testenv.FreeAddr(t)
	socket := filepath.Join(dir, "run", "posd.sock")
	conf := fmt.Sprintf(`
[merchant]
name = "Safety Test Shop"
id = "M-SAFE"
[till]
currency = "USD"
[alipay]
client_id = %q
private_key_file = %q
alipay_public_key_file = %q
gateway = %q
pin_sha256 = %q
notify_url = "https://pos.example.com/alipay/notify"
[outbox]
path = %q
[printer]
kind = "none"
[display]
kind = "none"
[api]
socket = %q
[metrics]
listen = %q
`, clientID, gw.keyFile, gw.platform, gw.srv.URL, gw.pin, filepath.Join(dir, "posd.db"), socket, metrics)
	path := filepath.Join(dir, "posd.toml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &demoProc{t: t, dir: dir}
	d.start(socket, env, "-config", path)
	return &configured{demoProc: d, sim: gw.sim, metrics: metrics}
}

func (c *configured) ledger(id string) amssim.Payment {
	c.t.Helper()
	for _, p := range c.sim.Ledger().Payments {
		if p.PaymentRequestID == id {
			return p
		}
	}
	c.t.Fatalf("the gateway has no payment %s", id)
	return amssim.Payment{}
}

func (c *configured) scrape() string {
	c.t.Helper()
	resp, err := http.Get("http://" + c.metrics + "/metrics")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Issue 12, rule 8: the cashier voids a paid payment after the gateway's
// cancel window: cancel is answered CANCEL_WINDOW_EXCEED, the inquiry
// finds the payment paid, and the outbox refunds it in full.
func TestE2EVoidPastCancelWindowIsRefunded(t *testing.T) {
	const window = time.Second
	c := startConfigured(t, func(cfg *amssim.Config) { cfg.CancelWindow = window })
	c.posctl("keys", "4.20<ENTER>")
	st := c.waitStatus("the QR", func(s posapi.Status) bool { return s.QR != "" })
	if _, err := c.sim.Customer(st.QR, "pay"); err != nil {
		t.Fatal(err)
	}
	p := c.waitPayment(st.Current, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	created := c.ledger(p.PaymentRequestID).CreatedAt
	c.poll("the cancel window to pass", func() bool { return time.Since(created) > window })
	out := c.posctl("cancel", "--yes", p.PaymentRequestID)
	if !strings.Contains(out, p.PaymentRequestID) {
		t.Errorf("posctl cancel printed:\n%s", out)
	}
	p = c.waitPayment(p.PaymentRequestID, "REFUNDED", func(p posapi.Payment) bool { return p.State == "REFUNDED" })
	g := c.ledger(p.PaymentRequestID)
	if g.Status != amssim.StatusSuccess || g.Reversed || g.Refunded != p.Amount || len(p.Refunds) != 1 || p.Refunds[0].State != "SUCCEEDED" {
		t.Fatalf("gateway %s reversed=%v refunded %v; posd %+v", g.Status, g.Reversed, g.Refunded, p.Refunds)
	}
}

// Issue 12, rule 4: a merchant code (MERCHANT_NOT_REGISTERED) stops new
// payments: posctl status says why in plain words, a metric and an
// sd_notify STATUS= line say it, and the next sale is refused with the
// reason.
func TestE2EMerchantNotRegisteredStopsTheTill(t *testing.T) {
	sock, got := listenNotify(t)
	c := startConfigured(t, func(cfg *amssim.Config) { cfg.RequireRegistration = true }, "NOTIFY_SOCKET="+sock)
	c.posctl("keys", "4.20<ENTER>")
	st := c.waitStatus("new payments stopped", func(s posapi.Status) bool { return s.Stopped != "" })
	if st.Accepting || !strings.Contains(st.Stopped, "MERCHANT_NOT_REGISTERED") || !strings.Contains(st.Stopped, "not registered") {
		t.Fatalf("status: accepting %v, stopped %q", st.Accepting, st.Stopped)
	}
	if out := c.posctl("status"); !strings.Contains(out, "NOT taking new payments") || !strings.Contains(out, "STOPPED") {
		t.Errorf("posctl status:\n%s", out)
	}
	if m := c.scrape(); !strings.Contains(m, `posd_payments_stopped{code="MERCHANT_NOT_REGISTERED"} 1`) {
		t.Errorf("metrics:\n%s", m)
	}
	deadline := time.After(e2eDeadline)
	for status := ""; !strings.Contains(status, "STATUS=new payments stopped"); {
		select {
		case status = <-got:
		case <-deadline:
			t.Fatal("no sd_notify STATUS= line")
		}
	}
	if len(st.Alerts) == 0 || !strings.Contains(strings.Join(st.Alerts, "\n"), "MERCHANT_NOT_REGISTERED") {
		t.Errorf("the till shows no alert: %q", st.Alerts)
	}
}

// posctlRun runs the real posctl (stdin not a terminal) and returns its
// exit status and output.
func (d *demoProc) posctlRun(args ...string) (int, string, string) {
	d.t.Helper()
	cmd := exec.Command(binaries.posctl, append([]string{"--socket", d.socket}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		d.t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// Issue 12, rule 9: refunds and voids by people are confirmed (--yes when
// not on a terminal), a second refund within 10 minutes needs --again,
// --wait follows the refund to its end and exits 1 when it failed, and
// --json prints the record.
func TestE2EPosctlRefundGuards(t *testing.T) {
	c := startConfigured(t, func(cfg *amssim.Config) { cfg.RefundWindow = time.Hour })
	c.posctl("keys", "9.00<ENTER>")
	st := c.waitStatus("the QR", func(s posapi.Status) bool { return s.QR != "" })
	if _, err := c.sim.Customer(st.QR, "pay"); err != nil {
		t.Fatal(err)
	}
	id := c.waitPayment(st.Current, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" }).PaymentRequestID

	if code, _, stderr := c.posctlRun("refund", id, "1.00"); code != exitFail || !strings.Contains(stderr, "--yes") {
		t.Fatalf("unconfirmed refund: exit %d: %s", code, stderr)
	}
	if code, _, stderr := c.posctlRun("cancel", id); code != exitFail || !strings.Contains(stderr, "--yes") {
		t.Fatalf("unconfirmed void: exit %d: %s", code, stderr)
	}
	if p := c.waitPayment(id, "the payment", func(posapi.Payment) bool { return true }); len(p.Refunds) != 0 || p.State != "SUCCEEDED" {
		t.Fatalf("an unconfirmed command moved money: %+v", p)
	}
	code, out, stderr := c.posctlRun("refund", "--yes", "--wait", id, "1.00")
	if code != exitOK || !strings.Contains(out, "SUCCEEDED") || !strings.Contains(out, id+"-R1") {
		t.Fatalf("refund --wait: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := c.posctlRun("refund", "--yes", id, "1.00"); code != exitFail || !strings.Contains(stderr, "--again") {
		t.Fatalf("second refund within 10 minutes: exit %d: %s", code, stderr)
	}
	code, out, stderr = c.posctlRun("--json", "refund", "--yes", "--again", "--wait", id, "2.00")
	var p posapi.Payment
	if code != exitOK || json.Unmarshal([]byte(out), &p) != nil || len(p.Refunds) != 2 || p.Refunds[1].State != "SUCCEEDED" {
		t.Fatalf("refund --again --json: exit %d\n%s%s", code, out, stderr)
	}
	if g := c.ledger(id); g.Refunded != (money.Amount{Currency: "USD", Value: 300}) {
		t.Errorf("gateway refunded %v", g.Refunded)
	}
}

// Issue 12, rule 9: --wait exits 1 when the gateway refuses the refund.
func TestE2EPosctlRefundWaitReportsFailure(t *testing.T) {
	c := startConfigured(t, func(cfg *amssim.Config) { cfg.RefundWindow = time.Nanosecond })
	c.posctl("keys", "9.00<ENTER>")
	st := c.waitStatus("the QR", func(s posapi.Status) bool { return s.QR != "" })
	if _, err := c.sim.Customer(st.QR, "pay"); err != nil {
		t.Fatal(err)
	}
	id := c.waitPayment(st.Current, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" }).PaymentRequestID
	code, out, stderr := c.posctlRun("refund", "--yes", "--wait", id, "1.00")
	if code != exitFail || !strings.Contains(out, "FAILED") || !strings.Contains(stderr, "REFUND_WINDOW_EXCEED") {
		t.Fatalf("refused refund --wait: exit %d\n%s%s", code, out, stderr)
	}
}

// Issue 12, rule 12: posctl keys --json names the payment the keys
// started; posctl export --all --format json gives rows with the scenario,
// whether they are final, need attention, the refunded amount and whether
// the receipt was printed.
func TestE2EPosctlKeysJSONAndExport(t *testing.T) {
	d := startDemo(t, t.TempDir())
	var started posapi.KeysReply
	if err := json.Unmarshal([]byte(d.posctl("--json", "keys", "5.00<ENTER>")), &started); err != nil || started.PaymentRequestID == "" {
		t.Fatalf("keys --json: %+v %v", started, err)
	}
	id := started.PaymentRequestID
	st := d.waitStatus("the QR", func(s posapi.Status) bool { return s.QR != "" && s.Current == id })
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": st.QR, "action": "pay"}, nil)
	d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	d.posctl("refund", "--yes", "--wait", id, "1.25")
	d.poll("the receipts printed", func() bool {
		return fileHas(filepath.Join(d.dir, "receipts", id+".txt"), "USD 5.00") &&
			fileHas(filepath.Join(d.dir, "receipts", id+"-refund-"+id+"-R1.txt"), "1.25")
	})
	type row struct {
		Type, PaymentRequestID, RefundRequestID, Scenario, State string
		Final, NeedsAttention, ReceiptPrinted                    bool
		Refunded                                                 money.Amount
	}
	var rows []row
	d.poll("the printed marks", func() bool {
		rows = nil
		if err := json.Unmarshal([]byte(d.posctl("export", "--all", "--format", "json")), &rows); err != nil {
			t.Fatal(err)
		}
		return len(rows) == 2 && rows[0].ReceiptPrinted && rows[1].ReceiptPrinted
	})
	want := []row{
		{Type: "payment", PaymentRequestID: id, Scenario: "OrderCode", State: "PARTIALLY_REFUNDED", Final: true, ReceiptPrinted: true,
			Refunded: money.Amount{Currency: "USD", Value: 125}},
		{Type: "refund", PaymentRequestID: id, RefundRequestID: id + "-R1", Scenario: "OrderCode", State: "SUCCEEDED", Final: true,
			ReceiptPrinted: true, Refunded: money.Amount{Currency: "USD", Value: 125}},
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, rows[i], want[i])
		}
	}
	csv := d.posctl("export", "--all")
	if !strings.Contains(csv, "scenario,final,needsAttention,attention,refunded,refundedMinor,receiptPrinted") ||
		!strings.Contains(csv, ",OrderCode,true,false,,1.25,125,true") {
		t.Errorf("export --all csv:\n%s", csv)
	}
}

func fileHas(path, text string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), text)
}
