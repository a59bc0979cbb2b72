package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/demo"
	"github.com/posd/posd/internal/posapi"
)

// End-to-end tests: the real posd and posctl binaries, posd -demo with its
// in-process amssim over TLS, the customer display shot by headless
// Chromium and read by zbarimg, and the virtual printer's PNGs. Every wait
// polls posd's API or the simulator's ledger for a state, with a deadline.

// e2eDeadline bounds every wait; a healthy run needs a few seconds.
const e2eDeadline = 45 * time.Second

// updateScreenshot rewrites testdata/demo.png and demo-zh-CN.png, the README's pictures of the demo.
var updateScreenshot = flag.Bool("update-screenshot", false, "rewrite testdata/demo.png and demo-zh-CN.png from the demo")

// cashierPageShows checks that the demo's cashier page, as Chromium draws
// it, shows the QR code qr; with -update-screenshot it keeps the picture
// as testdata/name.
func (d *demoProc) cashierPageShows(qr, name string) {
	d.t.Helper()
	page := testenv.Screenshot(d.t, "http://"+d.http+"/", 1240, 860)
	if got := decodeOne(d.t, page); got != qr {
		d.t.Fatalf("cashier page QR %q, want %q", got, qr)
	}
	if *updateScreenshot {
		png, err := os.ReadFile(page)
		if err != nil {
			d.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", name), png, 0o644); err != nil {
			d.t.Fatal(err)
		}
	}
}

// e2eVersion is stamped into the binaries the way build/ stamps releases.
const e2eVersion = "1.2.3-e2e"

var errShort = errors.New("end-to-end tests do not run with -short")

var binaries struct {
	posd, posctl string
	err          error
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		// -short (the qemu ARM runs in CI) leaves the end-to-end tests out:
		// they build and start processes for the host.
		binaries.err = errShort
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "posd-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := func(out, pkg string) error {
		args := []string{"build", "-o", out, "-ldflags", "-X main.version=" + e2eVersion}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, pkg)...)
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}
	binaries.posd, binaries.posctl = filepath.Join(dir, "posd"), filepath.Join(dir, "posctl")
	if err := build(binaries.posd, "."); err != nil {
		binaries.err = err
	} else if err := build(binaries.posctl, "../posctl"); err != nil {
		binaries.err = err
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type demoProc struct {
	t        *testing.T
	dir      string
	http, gw string
	metrics  string
	cmd      *exec.Cmd
	logPath  string // posd's stdout and stderr
	socket   string
	exited   chan struct{}
	api      *posapi.Client
}

// startDemo runs posd -demo in dir and waits until its API answers.
// needBinaries skips under -short and fails when the build failed.
func needBinaries(t testing.TB) {
	t.Helper()
	if errors.Is(binaries.err, errShort) {
		t.Skip(errShort)
	}
	if binaries.err != nil {
		t.Fatalf("building the binaries: %v", binaries.err)
	}
}

func startDemo(t *testing.T, dir string, env ...string) *demoProc {
	t.Helper()
	needBinaries(t)
	d := &demoProc{t: t, dir: dir, http: testenv.FreeAddr(t), gw: testenv.FreeAddr(t), metrics: testenv.FreeAddr(t)}
	d.start(filepath.Join(dir, "posd.sock"), env, "-demo", "-demo-dir", dir, "-demo-http", d.http, "-demo-gateway", d.gw, "-demo-metrics", d.metrics)
	return d
}

// start runs posd with args and env, its output in a log file, kills it
// at the end of the test if it still runs, and waits until the API on
// socket answers.
func (d *demoProc) start(socket string, env []string, args ...string) {
	t := d.t
	t.Helper()
	d.exited = make(chan struct{})
	d.logPath = filepath.Join(t.TempDir(), "posd.log")
	logFile, err := os.Create(d.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own descriptor
	d.cmd = exec.Command(binaries.posd, args...)
	d.cmd.Env = append(os.Environ(), env...)
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("posd output:\n%s", d.output())
		}
	})
	d.socket, d.api = socket, posapi.NewClient(socket)
	d.waitStatus("API up", func(posapi.Status) bool { return true })
}

// output is what posd wrote so far.
func (d *demoProc) output() string {
	b, _ := os.ReadFile(d.logPath) // a missing log shows as empty
	return string(b)
}

// poll calls check until it reports done, posd exits, or the deadline.
func (d *demoProc) poll(what string, check func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(e2eDeadline)
	for !check() {
		select {
		case <-d.exited:
			d.t.Fatalf("posd exited while waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no %s within %v", what, e2eDeadline)
		}
	}
}

func (d *demoProc) waitStatus(what string, ok func(posapi.Status) bool) posapi.Status {
	d.t.Helper()
	var st posapi.Status
	d.poll(what, func() bool {
		s, err := d.api.Status(context.Background())
		st = s
		return err == nil && ok(s)
	})
	return st
}

func (d *demoProc) waitPayment(id, what string, ok func(posapi.Payment) bool) posapi.Payment {
	d.t.Helper()
	var p posapi.Payment
	d.poll(what, func() bool {
		got, err := d.api.Show(context.Background(), id)
		p = got
		return err == nil && ok(got)
	})
	return p
}

// posctl runs the real posctl against this posd and returns its stdout.
func (d *demoProc) posctl(args ...string) string {
	d.t.Helper()
	cmd := exec.Command(binaries.posctl, append([]string{"--socket", d.socket}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		d.t.Fatalf("posctl %q: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// sim sends JSON to the demo's page server: the simulator's control paths
// and the cashier page's.
func (d *demoProc) sim(method, path string, body any, out any) {
	d.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		d.t.Fatal(err)
	}
	req, err := http.NewRequest(method, "http://"+d.http+path, bytes.NewReader(b))
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		d.t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			d.t.Fatal(err)
		}
	}
}

func (d *demoProc) ledgerPayment(id string) amssim.Payment {
	d.t.Helper()
	var l amssim.Ledger
	d.sim(http.MethodGet, "/sim/ledger", nil, &l)
	for _, p := range l.Payments {
		if p.PaymentRequestID == id {
			return p
		}
	}
	d.t.Fatalf("the gateway has no payment %s", id)
	return amssim.Payment{}
}

// stop sends SIGTERM and expects a clean exit.
func (d *demoProc) stop() {
	d.t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		d.t.Fatal(err)
	}
	select {
	case <-d.exited:
	case <-time.After(e2eDeadline):
		d.t.Fatal("posd did not stop after SIGTERM")
	}
	if code := d.cmd.ProcessState.ExitCode(); code != 0 {
		d.t.Fatalf("posd exited %d after SIGTERM", code)
	}
}

// decodeOne decodes the single QR code in a PNG file.
func decodeOne(t *testing.T, path string) string {
	t.Helper()
	got, err := testenv.DecodeQR(t, path)
	if err != nil || len(got) != 1 {
		t.Fatalf("QR in %s: %q, %v", path, got, err)
	}
	return got[0]
}

// showQR types an amount and Enter and returns the payment id and the
// codeValue once the customer display shows the QR.
func (d *demoProc) showQR(amount string) (id, qr string) {
	d.t.Helper()
	d.posctl("keys", amount+"<ENTER>")
	st := d.waitStatus("a QR on the customer display", func(s posapi.Status) bool { return s.QR != "" && s.Current != "" })
	return st.Current, st.QR
}

func TestE2EOrderCodePaid(t *testing.T) {
	testenv.Tool(t, "zbarimg")
	d := startDemo(t, t.TempDir())
	id, qr := d.showQR("12.50")

	// What the customer's phone would scan: the display, as Chromium draws it.
	if got := decodeOne(t, testenv.Screenshot(t, "http://"+d.http+"/display/", 800, 480)); got != qr {
		t.Fatalf("display QR %q, want codeValue %q", got, qr)
	}
	// The demo's cashier page embeds the same display beside its keypad.
	d.cashierPageShows(qr, "demo.png")
	var paid amssim.Payment
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, &paid)

	p := d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	if p.PaymentID == "" || p.PaymentID != paid.PaymentID || p.Amount.Decimal() != "12.50" || p.Amount.Currency != "USD" {
		t.Fatalf("payment %+v, gateway %+v", p, paid)
	}
	png := filepath.Join(d.dir, "receipts", id+".png")
	d.poll("the receipt PNG", func() bool { _, err := os.Stat(png); return err == nil })
	if got := decodeOne(t, png); got != p.PaymentID {
		t.Errorf("receipt QR %q, want paymentId %q", got, p.PaymentID)
	}
	text, err := os.ReadFile(strings.TrimSuffix(png, ".png") + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"USD 12.50", id, p.PaymentID, "PAID"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("receipt text lacks %q:\n%s", want, text)
		}
	}
	d.waitStatus("the paid screen", func(s posapi.Status) bool { return s.Till == "paid" })
	if g := d.ledgerPayment(id); g.Status != amssim.StatusSuccess || g.Calls.Pay != 1 {
		t.Errorf("gateway holds %+v", g)
	}
	// amssim posted notifyPayment to the demo's endpoint, which verified it.
	d.poll("the verified payment notification", func() bool {
		return strings.Contains(d.output(), `msg="payment notification" paymentRequestId=`+id)
	})
	st := d.waitStatus("status", func(posapi.Status) bool { return true })
	if st.Version != e2eVersion || st.Network != "ok" || st.Printer != "ok" || st.OutboxDepth != 0 {
		t.Errorf("status %+v", st)
	}
	m := testenv.Scrape(t, "http://"+d.metrics+"/metrics")
	for k, v := range map[string]float64{
		`posd_payments_total{outcome="succeeded"}`:             1,
		`posd_gateway_call_duration_seconds_count{call="pay"}`: 1,
		"posd_network_up": 1, "posd_printer_up": 1, "posd_outbox_depth": 0,
	} {
		if m[k] != v {
			t.Errorf("metric %s = %v, want %v", k, m[k], v)
		}
	}

	// posctl sees it, in both forms.
	if out := d.posctl("list"); !strings.Contains(out, id) || !strings.Contains(out, "SUCCEEDED") {
		t.Errorf("posctl list:\n%s", out)
	}
	var shown posapi.Payment
	if err := json.Unmarshal([]byte(d.posctl("--json", "show", id)), &shown); err != nil || shown.Receipts != 1 {
		t.Errorf("posctl --json show: %+v %v", shown, err)
	}
	preview := filepath.Join(t.TempDir(), "preview.png")
	d.posctl("receipt-preview", "--paper", "58", "--payment", id, "--out", preview)
	if got := decodeOne(t, preview); got != p.PaymentID {
		t.Errorf("preview QR %q", got)
	}
	csv := d.posctl("export", "--from", p.CreatedAt.Local().Format(time.DateOnly), "--to", p.CreatedAt.Local().Format(time.DateOnly))
	if !strings.Contains(csv, id) || !strings.Contains(csv, "12.50") {
		t.Errorf("export:\n%s", csv)
	}

	// A partial refund, then a reprint marked COPY.
	d.posctl("refund", "--yes", id, "2.50")
	d.waitPayment(id, "the refund", func(p posapi.Payment) bool {
		return p.State == "PARTIALLY_REFUNDED" && len(p.Refunds) == 1 && p.Refunds[0].State == "SUCCEEDED"
	})
	d.posctl("reprint", id)
	d.poll("the COPY slip", func() bool {
		m, _ := filepath.Glob(filepath.Join(d.dir, "receipts", id+"-copy-*.txt"))
		if len(m) != 1 {
			return false
		}
		b, err := os.ReadFile(m[0])
		return err == nil && strings.Contains(string(b), "COPY")
	})
	// The copy lists the refund and what remains.
	copies, _ := filepath.Glob(filepath.Join(d.dir, "receipts", id+"-copy-*.txt"))
	copyText, err := os.ReadFile(copies[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Refunds", "-USD 2.50", "Remaining", "USD 10.00"} {
		if !strings.Contains(string(copyText), want) {
			t.Errorf("COPY after a refund lacks %q:\n%s", want, copyText)
		}
	}
	d.stop()
}

func TestE2EDeclined(t *testing.T) {
	d := startDemo(t, t.TempDir())
	id, qr := d.showQR("3.00")
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "decline"}, nil)
	p := d.waitPayment(id, "FAILED", func(p posapi.Payment) bool { return p.State == "FAILED" })
	if p.Receipts != 0 {
		t.Errorf("a declined payment got %d receipts", p.Receipts)
	}
	d.waitStatus("the declined screen", func(s posapi.Status) bool { return s.Till == "declined" })
	if g := d.ledgerPayment(id); g.Status != amssim.StatusFail {
		t.Errorf("gateway holds %s", g.Status)
	}
}

func TestE2ECashierCancels(t *testing.T) {
	d := startDemo(t, t.TempDir())
	id, qr := d.showQR("4.20")
	// The demo page's view and its Cancel button.
	var page demo.CashierScreen
	d.sim(http.MethodGet, "/cashier/state", nil, &page)
	if page.QR != qr || page.Wallet != qr || page.Amount != "USD 4.20" {
		t.Errorf("cashier page state %+v", page)
	}
	d.sim(http.MethodPost, "/cashier/keys", map[string]string{"keys": "<CANCEL>"}, nil)
	d.waitPayment(id, "CANCELLED", func(p posapi.Payment) bool { return p.State == "CANCELLED" })
	g := d.ledgerPayment(id)
	if g.Status != amssim.StatusCancelled || g.Calls.Cancel < 1 || g.Reversed {
		t.Errorf("gateway holds %+v", g)
	}
	d.waitStatus("the cancelled screen", func(s posapi.Status) bool { return s.Till == "cancelled" })
}

func TestE2EUserPresentedScan(t *testing.T) {
	d := startDemo(t, t.TempDir())
	d.posctl("keys", "8.80<SCAN:"+amssim.CodePaid+">")
	st := d.waitStatus("the payment to start", func(s posapi.Status) bool { return s.Current != "" })
	p := d.waitPayment(st.Current, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	if p.Scenario != "PaymentCode" || p.Amount.Decimal() != "8.80" {
		t.Errorf("payment %+v", p)
	}
	d.poll("the receipt", func() bool {
		_, err := os.Stat(filepath.Join(d.dir, "receipts", p.PaymentRequestID+".png"))
		return err == nil
	})

	// A code the wallet declines for want of money: FAILED, nothing charged.
	d.waitStatus("the till free", func(s posapi.Status) bool { return s.Till == "paid" || s.Till == "ready" })
	d.posctl("keys", "<ENTER>") // leave the paid screen
	d.posctl("keys", "9.10<SCAN:"+amssim.CodeInsufficient+">")
	st = d.waitStatus("the second payment", func(s posapi.Status) bool { return s.Current != "" && s.Current != p.PaymentRequestID })
	f := d.waitPayment(st.Current, "FAILED", func(p posapi.Payment) bool { return p.State == "FAILED" })
	if f.ResultCode != "USER_BALANCE_NOT_ENOUGH" {
		t.Errorf("result code %q", f.ResultCode)
	}
}

// The network drops the pay reply after the gateway created the payment,
// then drops two inquiries after the customer paid: posd must find out
// by asking again with the same paymentRequestId, never pay twice, and
// end SUCCEEDED with one receipt.
func TestE2ENetworkDropsMidPayment(t *testing.T) {
	d := startDemo(t, t.TempDir())
	d.sim(http.MethodPost, "/sim/faults", map[string]any{"endpoint": "pay", "kind": "drop-response", "count": 1}, nil)
	id, qr := d.showQR("15.00")
	d.sim(http.MethodPost, "/sim/faults", map[string]any{"endpoint": "inquiryPayment", "kind": "drop-request", "count": 2}, nil)
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, nil)
	p := d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" && p.Receipts == 1 })
	g := d.ledgerPayment(id)
	if g.Status != amssim.StatusSuccess || g.Calls.Pay != 2 || g.Calls.InquiryPayment < 3 || g.PaymentID != p.PaymentID {
		t.Errorf("gateway holds %+v", g)
	}
}

// SIGTERM while a customer is scanning: posd exits 0 with the payment
// committed; started again it resumes the payment, which then succeeds.
func TestE2EStopAndResume(t *testing.T) {
	dir := t.TempDir()
	d := startDemo(t, dir)
	id, qr := d.showQR("6.00")
	d.stop()

	d = startDemo(t, dir)
	p, err := d.api.Show(context.Background(), id)
	if err != nil || p.Final {
		t.Fatalf("after restart: %+v %v", p, err)
	}
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, nil)
	d.waitPayment(id, "SUCCEEDED after the restart", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	d.stop()
}

// Under systemd (Type=notify, WatchdogSec=) posd says READY=1 once it
// takes payments, pings the watchdog while the engine runs, and says
// STOPPING=1 at SIGTERM.
func TestE2ESystemdNotify(t *testing.T) {
	sock, got := listenNotify(t)
	d := startDemo(t, t.TempDir(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=200000")
	next := func(want string) {
		t.Helper()
		for {
			select {
			case msg := <-got:
				if strings.HasPrefix(msg, want) {
					return
				}
				if msg != "WATCHDOG=1" {
					t.Fatalf("got %q while waiting for %q", msg, want)
				}
			case <-time.After(e2eDeadline):
				t.Fatalf("no %q", want)
			}
		}
	}
	next("READY=1")
	next("WATCHDOG=1")
	next("WATCHDOG=1")
	d.stop()
	next("STOPPING=1")
}

// posctl cancel closes an unpaid payment, and reverses a paid one in full
// (AMS cancel of a paid payment), which prints a void slip.
func TestE2EPosctlCancelAndVoid(t *testing.T) {
	d := startDemo(t, t.TempDir())
	id, _ := d.showQR("2.00")
	if out := d.posctl("status"); !strings.Contains(out, "taking payments") || !strings.Contains(out, id) {
		t.Errorf("posctl status:\n%s", out)
	}
	d.posctl("cancel", id)
	d.waitPayment(id, "CANCELLED", func(p posapi.Payment) bool { return p.State == "CANCELLED" })
	if g := d.ledgerPayment(id); g.Status != amssim.StatusCancelled || g.Reversed {
		t.Errorf("gateway holds %+v", g)
	}

	paid, qr := d.showQR("3.00")
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, nil)
	d.waitPayment(paid, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	d.posctl("cancel", "--yes", paid)
	d.waitPayment(paid, "the reversal", func(p posapi.Payment) bool { return p.State == "CANCELLED" })
	if g := d.ledgerPayment(paid); !g.Reversed {
		t.Errorf("gateway holds %+v: not reversed", g)
	}
	d.poll("the void slip", func() bool {
		b, err := os.ReadFile(filepath.Join(d.dir, "receipts", paid+"-void.txt"))
		return err == nil && strings.Contains(string(b), "USD 3.00")
	})
}

// The version build/ stamps with -ldflags is what -version prints.
func TestE2EVersion(t *testing.T) {
	needBinaries(t)
	out, err := exec.Command(binaries.posd, "-version").Output()
	if err != nil || string(out) != "posd "+e2eVersion+"\n" {
		t.Fatalf("posd -version: %q, %v", out, err)
	}
}

// The manager menu on the keypad: F1, the PIN, Refund, the newest payment,
// an amount, Enter to confirm. The outbox sends the refund; a refund slip
// prints.
func TestE2EManagerRefundOnKeypad(t *testing.T) {
	d := startDemo(t, t.TempDir())
	d.posctl("keys", "8.80<SCAN:"+amssim.CodePaid+">")
	st := d.waitStatus("the payment to start", func(s posapi.Status) bool { return s.Current != "" })
	id := st.Current
	d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })

	d.posctl("keys", "<F1>"+demo.ManagerPIN+"<ENTER>1 1 2.00<ENTER><ENTER>")
	p := d.waitPayment(id, "the refund", func(p posapi.Payment) bool {
		return len(p.Refunds) == 1 && p.Refunds[0].State == "SUCCEEDED"
	})
	if p.State != "PARTIALLY_REFUNDED" || p.Refunds[0].Amount.Decimal() != "2.00" {
		t.Fatalf("payment %+v", p)
	}
	// The manager's screen followed the refund to its result (issue 12, item 10).
	d.waitStatus("the refund's result on the till", func(s posapi.Status) bool { return s.Till == "following" && s.Screen == "Refund result" })
	d.posctl("keys", "<ENTER>")
	if st := d.waitStatus("the menu", func(s posapi.Status) bool { return s.Till == "menu" }); !strings.Contains(st.Notice, "Refund of USD 2.00 done") {
		t.Errorf("notice %q", st.Notice)
	}
	d.poll("the refund slip", func() bool {
		b, err := os.ReadFile(filepath.Join(d.dir, "receipts", id+"-refund-"+p.Refunds[0].RefundRequestID+".txt"))
		return err == nil && strings.Contains(string(b), "USD 2.00")
	})
}

// The gateway cannot be reached at all: the cashier is told (alert and
// metrics), the pay is never called a success, and once the network is
// back the same payment (same paymentRequestId) goes on to its QR and is
// paid exactly once.
func TestE2EGatewayUnreachable(t *testing.T) {
	d := startDemo(t, t.TempDir())
	d.sim(http.MethodPost, "/sim/faults", map[string]any{"endpoint": "*", "kind": "drop-request", "probability": 1, "count": 0}, nil)
	d.posctl("keys", "2.00<ENTER>")
	st := d.waitStatus("the network alert", func(s posapi.Status) bool {
		return strings.HasPrefix(s.Network, "trouble") && len(s.Alerts) > 0 && s.Current != ""
	})
	if !strings.Contains(strings.Join(st.Alerts, "\n"), "Network down") {
		t.Errorf("alerts %q", st.Alerts)
	}
	if m := testenv.Scrape(t, "http://"+d.metrics+"/metrics"); m["posd_network_up"] != 0 {
		t.Errorf("posd_network_up %v", m["posd_network_up"])
	}
	id := st.Current
	if p, err := d.api.Show(context.Background(), id); err != nil || p.State == "SUCCEEDED" {
		t.Fatalf("while unreachable: %+v %v", p, err)
	}

	d.sim(http.MethodDelete, "/sim/faults", nil, nil)
	// With the network back, the same payment either gets its QR (a pay
	// retry with the same bytes got through) or, if the retries were used
	// up while the network was down, is closed unpaid after inquiries and
	// cancel. Which one depends on how long the outage lasted.
	var qr string
	var final posapi.Payment
	d.poll("the QR or a final state once the network is back", func() bool {
		if s, err := d.api.Status(context.Background()); err == nil && s.QR != "" && s.Current == id {
			qr = s.QR
			return true
		}
		p, err := d.api.Show(context.Background(), id)
		final = p
		return err == nil && p.Final
	})
	if qr != "" {
		d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, nil)
		d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	} else if final.State == "SUCCEEDED" || final.State == "PARTIALLY_REFUNDED" || final.State == "REFUNDED" {
		t.Fatalf("a payment nobody paid ended %s", final.State)
	}
	if st := d.waitStatus("the network back", func(s posapi.Status) bool { return s.Network == "ok" }); len(st.Alerts) != 0 {
		t.Errorf("alerts after recovery: %q", st.Alerts)
	}
	var l amssim.Ledger
	d.sim(http.MethodGet, "/sim/ledger", nil, &l)
	for _, g := range l.Payments {
		if g.PaymentRequestID != id {
			t.Errorf("the gateway holds another payment: %+v", g)
		}
		if g.Status == amssim.StatusSuccess && qr == "" {
			t.Errorf("the gateway holds a success posd never showed: %+v", g)
		}
	}
}

// A second posd on the same database refuses to start, says why, and
// leaves the first one running.
func TestE2ESecondPosdRefused(t *testing.T) {
	dir := t.TempDir()
	d := startDemo(t, dir)
	cmd := exec.Command(binaries.posd, "-demo", "-demo-dir", dir, "-demo-http", testenv.FreeAddr(t), "-demo-gateway", testenv.FreeAddr(t))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "locked") || !strings.Contains(string(out), "posd.db") {
		t.Fatalf("second posd: %v\n%s", err, out)
	}
	if _, err := d.api.Status(context.Background()); err != nil {
		t.Fatalf("the first posd stopped answering: %v", err)
	}
}

// A demo whose port is taken says so and names the flags that move it.
func TestE2EDemoPortTakenNamesTheFlag(t *testing.T) {
	needBinaries(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, args := range [][]string{
		{"-demo-http", l.Addr().String(), "-demo-gateway", testenv.FreeAddr(t)},
		{"-demo-http", testenv.FreeAddr(t), "-demo-gateway", l.Addr().String()},
	} {
		cmd := exec.Command(binaries.posd, append([]string{"-demo", "-demo-dir", t.TempDir()}, args...)...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Fatalf("posd %v: %v\n%s", args, err, out)
		}
		for _, want := range []string{"address already in use", "-demo-http", "-demo-gateway"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("posd %v: output lacks %q:\n%s", args, want, out)
			}
		}
	}
}
