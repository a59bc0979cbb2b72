package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/posapi"
)

// The Alipay wallet's User-Agent as the Entry Code guide shows it, and a
// desktop browser's.
const (
	walletUA  = "Mozilla/5.0 (Linux; U; Android 12; zh-CN; SM-G9910) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.28 Mobile Safari/537.36 UCBS/3.22.2.28_220223200704 ChannelId(0) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AliApp(AP/10.2.58.8000) AlipayClient/10.2.58.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CNAliApp(AP/10.2.58.8000)"
	browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
)

// updateEntryScreenshot rewrites testdata/entry.png, the README's picture of the entry page.
var updateEntryScreenshot = flag.Bool("update-entry-screenshot", false, "rewrite testdata/entry.png from the entry page")

// entryTill is posd run from a posd.toml with [entry_code] on, against an
// in-process amssim over TLS, with the virtual printer and the kiosk.
type entryTill struct {
	*demoProc
	sim     *amssim.Simulator
	gw      *httptest.Server
	url     string // [entry_code] url
	display string // the kiosk's address
	conf    string // posd.toml
}

func startEntryTill(t *testing.T, preset bool, simCfg func(*amssim.Config)) *entryTill {
	t.Helper()
	needBinaries(t)
	dir := t.TempDir()
	const clientID = "SANDBOX_E2E_ENTRY"
	gw := startTestGateway(t, dir, clientID, simCfg)
	notify, display := testenv.FreeAddr(t), testenv.FreeAddr(t)
	entryURL := "http://" + notify + "/entry/T01"
	socket := filepath.Join(dir, "run", "posd.sock")
	conf := fmt.Sprintf(`
[merchant]
name = "Golden Noodle Bar"
id = "M-ENTRY"
store = "Harbour Street"
[till]
currency = "USD"
max_amount = "500.00"
payment_expiry = "1m"
result_hold = "0s"
[alipay]
client_id = %q
private_key_file = %q
alipay_public_key_file = %q
gateway = %q
pin_sha256 = %q
notify_url = "http://%s/alipay/notify"
notify_listen = %q
[outbox]
path = %q
[printer]
kind = "virtual"
dir = %q
[display]
kind = "kiosk"
listen = %q
font = "builtin"
[api]
socket = %q
[metrics]
listen = %q
[entry_code]
enabled = true
url = %q
preset = %v
`, clientID, gw.keyFile, gw.platform, gw.srv.URL, gw.pin, notify, notify, filepath.Join(dir, "posd.db"),
		filepath.Join(dir, "receipts"), display, socket, testenv.FreeAddr(t), entryURL, preset)
	path := filepath.Join(dir, "posd.toml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &demoProc{t: t, dir: dir}
	d.start(socket, nil, "-config", path)
	return &entryTill{demoProc: d, sim: gw.sim, gw: gw.srv, url: entryURL, display: display, conf: path}
}

// restart starts posd again on the same files.
func (e *entryTill) restart() {
	e.t.Helper()
	e.start(e.socket, nil, "-config", e.conf)
}

// ledger is the gateway's record of id.
func (e *entryTill) ledger(id string) amssim.Payment {
	e.t.Helper()
	for _, p := range e.sim.Ledger().Payments {
		if p.PaymentRequestID == id {
			return p
		}
	}
	e.t.Fatalf("the gateway has no payment %s", id)
	return amssim.Payment{}
}

// customer acts on a wallet URL as the customer's phone would.
func (e *entryTill) customer(codeValue, action string) {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"codeValue": codeValue, "action": action})
	resp, err := e.gw.Client().Post(e.gw.URL+"/sim/customer", "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("/sim/customer %s: %s %s", action, resp.Status, body)
	}
}

// http sends one request to the entry page as a phone or a browser with
// user agent ua, following no redirect.
func (e *entryTill) http(method, target, ua string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("User-Agent", ua)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: e2eDeadline}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var entryToken = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)

// form GETs the entry page as the wallet and returns its token.
func (e *entryTill) form() string {
	e.t.Helper()
	resp, body := e.http(http.MethodGet, e.url, walletUA, nil)
	m := entryToken.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		e.t.Fatalf("entry page %d:\n%s", resp.StatusCode, body)
	}
	return m[1]
}

// payments are posd's payments.
func (e *entryTill) payments() []posapi.Payment {
	e.t.Helper()
	ps, err := e.api.List(context.Background(), time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

// waitHref polls the page's location until it satisfies ok.
func waitHref(t *testing.T, d *demoProc, page *testenv.ChromePage, what string, ok func(string) bool) string {
	t.Helper()
	var href string
	d.poll(what, func() bool {
		_ = json.Unmarshal(page.Eval(t, `location.href`), &href)
		return ok(href)
	})
	return href
}

// The whole flow with the real binaries: the sticker and the idle display
// carry the URL; the wallet (Chromium with Alipay's User-Agent) opens the
// page, types the amount and pays in the (simulated) wallet; the till,
// the receipt, posctl and the gateway all agree.
func TestE2EEntryCodePaid(t *testing.T) {
	testenv.Tool(t, "zbarimg")
	testenv.Tool(t, "chromium")
	e := startEntryTill(t, false, nil)

	sticker := filepath.Join(t.TempDir(), "sticker.png")
	out := e.posctl("entry-code", "--out", sticker, "--paper", "58")
	if got := decodeOne(t, sticker); got != e.url {
		t.Fatalf("sticker QR %q, want %q", got, e.url)
	}
	for _, want := range []string{"Golden Noodle", "Harbour Street", "Alipay", "Scan to pay"} {
		if !strings.Contains(out, want) {
			t.Errorf("sticker lacks %q:\n%s", want, out)
		}
	}
	// --print: the same sticker from the till's own (virtual) printer.
	e.posctl("entry-code", "--out", sticker, "--print")
	if got := decodeOne(t, filepath.Join(e.dir, "receipts", "entry-code.png")); got != e.url {
		t.Fatalf("printed sticker QR %q, want %q", got, e.url)
	}
	if !fileHas(filepath.Join(e.dir, "receipts", "entry-code.txt"), "Scan to pay") {
		t.Error("printed sticker lacks Scan to pay")
	}
	if got := decodeOne(t, testenv.Screenshot(t, "http://"+e.display+"/display/", 800, 480)); got != e.url {
		t.Fatalf("idle display QR %q, want %q", got, e.url)
	}

	page := testenv.OpenChromium(t, e.url, image.Pt(390, 720), "--user-agent="+walletUA, "--ignore-certificate-errors")
	page.Eval(t, `new Promise(ok => { const f = () => document.getElementById("amount") ? ok(true) : setTimeout(f, 20); f(); })`)
	if *updateEntryScreenshot {
		png, err := os.ReadFile(page.Screenshot(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "entry.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page.Eval(t, `document.getElementById("amount").focus()`)
	page.Call(t, "Input.insertText", map[string]any{"text": "12.34"}, nil)
	page.Eval(t, `document.getElementById("pay").click()`)
	wallet := waitHref(t, e.demoProc, page, "the wallet page", func(h string) bool { return strings.HasPrefix(h, e.gw.URL+"/sim/wallet/") })

	ps := e.payments()
	if len(ps) != 1 || ps[0].Scenario != "EntryCode" || ps[0].Amount.Decimal() != "12.34" {
		t.Fatalf("payments %+v", ps)
	}
	id := ps[0].PaymentRequestID
	e.waitStatus("the till following the customer", func(s posapi.Status) bool { return s.Current == id })
	g := e.ledger(id)
	if g.Scenario != alipay.ScenarioEntryCode || g.UserAgent != walletUA || g.Calls.Pay != 1 || !strings.HasSuffix(wallet, g.CodeValue[strings.LastIndex(g.CodeValue, "/"):]) {
		t.Fatalf("gateway holds %+v (wallet %s)", g, wallet)
	}

	// The customer confirms in the wallet.
	page.Eval(t, `new Promise(ok => { const f = () => document.getElementById("pay") ? ok(true) : setTimeout(f, 20); f(); })`)
	page.Eval(t, `document.getElementById("pay").click()`)
	p := e.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	e.waitStatus("the paid screen", func(s posapi.Status) bool { return s.Till == "paid" })
	receipt := filepath.Join(e.dir, "receipts", id+".txt")
	e.poll("the receipt", func() bool { return fileHas(receipt, "PAID") })
	if !fileHas(receipt, "USD 12.34") || !fileHas(receipt, p.PaymentID) {
		b, _ := os.ReadFile(receipt)
		t.Errorf("receipt:\n%s", b)
	}

	// The result page tells the customer what the gateway verified.
	page.Call(t, "Page.navigate", map[string]any{"url": e.url + "/result/" + id}, nil)
	waitHref(t, e.demoProc, page, "the result page", func(h string) bool { return strings.HasSuffix(h, "/result/"+id) })
	var text string
	e.poll("the result page's verdict", func() bool {
		_ = json.Unmarshal(page.Eval(t, `document.body ? document.body.innerText : ""`), &text)
		return strings.Contains(text, "Paid")
	})
	if !strings.Contains(text, "付款成功") || !strings.Contains(text, "USD 12.34") || !strings.Contains(text, "Golden Noodle Bar") {
		t.Errorf("result page:\n%s", text)
	}

	var listed []posapi.Payment
	if err := json.Unmarshal([]byte(e.posctl("--json", "list")), &listed); err != nil || len(listed) != 1 || listed[0].Scenario != "EntryCode" {
		t.Errorf("posctl --json list: %+v %v", listed, err)
	}
	if csv := e.posctl("export", "--all"); !strings.Contains(csv, "EntryCode") {
		t.Errorf("export lacks the scenario:\n%s", csv)
	}
	e.stop()
}

// Variants on one till: a desktop browser, a decline, the limits.
func TestE2EEntryCodeVariants(t *testing.T) {
	e := startEntryTill(t, false, nil)
	before := len(e.sim.Ledger().Payments)

	// A browser that is not the wallet: a page that says so, and its POST
	// is refused before anything reaches the gateway.
	resp, body := e.http(http.MethodGet, e.url, browserUA, nil)
	if resp.StatusCode != 200 || strings.Contains(body, "<form") || !strings.Contains(body, "Alipay") {
		t.Fatalf("browser GET %d:\n%s", resp.StatusCode, body)
	}
	tok := e.form()
	if resp, _ := e.http(http.MethodPost, e.url, browserUA, url.Values{"amount": {"5.00"}, "token": {tok}}); resp.StatusCode/100 != 4 {
		t.Fatalf("browser POST: %d", resp.StatusCode)
	}
	if resp, _ := e.http(http.MethodPost, e.url, walletUA, url.Values{"amount": {"500.01"}, "token": {tok}}); resp.StatusCode != 422 {
		t.Fatalf("over max_amount: %d", resp.StatusCode)
	}
	if n := len(e.sim.Ledger().Payments); n != before || len(e.payments()) != 0 {
		t.Fatalf("refused posts reached the gateway: %d payments", n)
	}

	// The customer declines in the wallet.
	resp, _ = e.http(http.MethodPost, e.url, walletUA, url.Values{"amount": {"7.00"}, "token": {tok}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.gw.URL) {
		t.Fatalf("POST: %d %q", resp.StatusCode, loc)
	}
	// The same form again (a double tap): the same payment.
	if again, _ := e.http(http.MethodPost, e.url, walletUA, url.Values{"amount": {"7.00"}, "token": {tok}}); again.Header.Get("Location") != loc {
		t.Fatalf("double submit: %d %q, want %q", again.StatusCode, again.Header.Get("Location"), loc)
	}
	ps := e.payments()
	if len(ps) != 1 {
		t.Fatalf("%d payments after a double submit", len(ps))
	}
	id := ps[0].PaymentRequestID
	e.customer(loc, "decline")
	e.waitPayment(id, "FAILED", func(p posapi.Payment) bool { return p.State == "FAILED" })
	e.waitStatus("the declined screen", func(s posapi.Status) bool { return s.Till == "declined" })
	if _, body := e.http(http.MethodGet, e.url+"/result/"+id, walletUA, nil); !strings.Contains(body, "Not paid") {
		t.Errorf("result page after a decline:\n%s", body)
	}
	// Nothing else is served on that listener.
	for _, path := range []string{"/", "/v1/status", "/display/", "/entry/T01/result/" + strings.Repeat("0", 30)} {
		if resp, _ := e.http(http.MethodGet, strings.TrimSuffix(e.url, "/entry/T01")+path, walletUA, nil); resp.StatusCode != 404 {
			t.Errorf("GET %s on the entry listener: %d", path, resp.StatusCode)
		}
	}
	e.stop()
}

// Preset: the cashier types the amount; the page shows it read-only; the
// customer confirms; only that sale, once.
func TestE2EEntryCodePreset(t *testing.T) {
	e := startEntryTill(t, true, nil)
	if _, body := e.http(http.MethodGet, e.url, walletUA, nil); strings.Contains(body, "<form") {
		t.Fatalf("a form before the cashier typed an amount:\n%s", body)
	}
	e.posctl("keys", "19.99<ENTER>")
	e.waitStatus("the amount offered", func(s posapi.Status) bool { return s.Till == "confirming" })
	resp, body := e.http(http.MethodGet, e.url, walletUA, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `value="19.99" readonly`) {
		t.Fatalf("preset page:\n%s", body)
	}
	tok := entryToken.FindStringSubmatch(body)[1]
	other := e.form()
	resp, _ = e.http(http.MethodPost, e.url, walletUA, url.Values{"amount": {"19.99"}, "token": {tok}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("preset POST: %d", resp.StatusCode)
	}
	if resp, _ := e.http(http.MethodPost, e.url, walletUA, url.Values{"amount": {"19.99"}, "token": {other}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("a second form for the same sale: %d", resp.StatusCode)
	}
	ps := e.payments()
	if len(ps) != 1 || ps[0].Amount.Decimal() != "19.99" {
		t.Fatalf("payments %+v", ps)
	}
	e.customer(resp.Header.Get("Location"), "pay")
	e.waitPayment(ps[0].PaymentRequestID, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	e.waitStatus("the paid screen", func(s posapi.Status) bool { return s.Till == "paid" && s.Current == ps[0].PaymentRequestID })
	e.stop()
}

// posd is SIGKILLed after the payment is committed and the pay processed
// at the gateway, but before its answer came back and the customer was
// redirected (amssim's sandbox amount 99.02 holds the reply): after the
// restart the payment is inquired and resolved, and the form cannot make
// a second one.
func TestE2EEntryCodeKilledBeforeRedirect(t *testing.T) {
	e := startEntryTill(t, false, func(c *amssim.Config) { c.SandboxAmounts, c.Hang = true, time.Minute })
	tok := e.form()
	form := url.Values{"amount": {"99.02"}, "token": {tok}}
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		req, _ := http.NewRequest(http.MethodPost, e.url, strings.NewReader(form.Encode()))
		req.Header.Set("User-Agent", walletUA)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close() // cut by the kill
		}
	}()
	var id string
	var g amssim.Payment
	e.poll("the pay processed at the gateway", func() bool {
		for _, p := range e.sim.Ledger().Payments {
			if p.CodeValue != "" {
				id, g = p.PaymentRequestID, p
				return true
			}
		}
		return false
	})
	if err := e.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-e.exited
	<-posted
	e.restart()
	// The customer's browser sends the form again: the token died with
	// the process, so no second payment.
	if resp, _ := e.http(http.MethodPost, e.url, walletUA, form); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the form after the restart: %d", resp.StatusCode)
	}
	// The customer pays in the wallet.
	e.customer(g.CodeValue, "pay")
	e.waitPayment(id, "SUCCEEDED after the restart", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	if ps := e.payments(); len(ps) != 1 {
		t.Fatalf("%d payments after the restart", len(ps))
	}
	n := 0
	for _, p := range e.sim.Ledger().Payments {
		if p.Amount.Value == 9902 {
			n++
		}
	}
	if n != 1 || e.ledger(id).Calls.Pay != 1 {
		t.Fatalf("the gateway holds %d payments of 99.02, %d pay calls", n, e.ledger(id).Calls.Pay)
	}
	e.stop()
}

// The customer never confirms: the code expires and posd cancels it.
func TestE2EEntryCodeExpires(t *testing.T) {
	testenv.Slow(t, "an Entry Code payment left to expire (payment_expiry is at least 1m)")
	e := startEntryTill(t, false, nil)
	tok := e.form()
	resp, _ := e.http(http.MethodPost, e.url, walletUA, url.Values{"amount": {"3.00"}, "token": {tok}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	id := e.payments()[0].PaymentRequestID
	deadline := time.Now().Add(3 * time.Minute)
	for {
		p, err := e.api.Show(context.Background(), id)
		if err == nil && p.State == "CANCELLED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not cancelled after expiry: %+v %v", p, err)
		}
		select {
		case <-e.exited:
			t.Fatal("posd exited")
		case <-time.After(250 * time.Millisecond):
		}
	}
	if g := e.ledger(id); g.Status != "CANCELLED" {
		t.Errorf("gateway holds %s", g.Status)
	}
	if _, body := e.http(http.MethodGet, e.url+"/result/"+id, walletUA, nil); !strings.Contains(body, "Not paid") {
		t.Errorf("result page after expiry:\n%s", body)
	}
	e.stop()
}
