package daemon

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
	"github.com/posd/posd/terminal"
)

// The wallet's User-Agent as Alipay's Entry Code guide shows it.
const walletUA = "Mozilla/5.0 (Linux; U; Android 12; zh-CN; SM-G9910) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.28 Mobile Safari/537.36 UCBS/3.22.2.28_220223200704 ChannelId(0) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AliApp(AP/10.2.58.8000) AlipayClient/10.2.58.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CNAliApp(AP/10.2.58.8000)"

type entryRig struct {
	*tillRig
	h    *entryHandler
	srv  *httptest.Server
	door *tillEntry
}

func newEntryRig(t *testing.T, preset bool) *entryRig {
	t.Helper()
	r := newTillRig(t, nil)
	cfg := *r.t.cfg
	cfg.EntryCode = config.EntryCode{Enabled: true, URL: "https://pos.example.com/entry/T01", Preset: preset}
	u, ok := cfg.EntryURL()
	if !ok {
		t.Fatal("entry URL refused")
	}
	door := &tillEntry{t: r.t, flow: tillConfig(cfg), result: u.String() + "/result/"}
	ec := entryConfigOf(cfg, u, DefaultLimits()["entry"])
	ec.Wait = 10 * time.Second
	h := newEntryHandler(ec, door, time.Now, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &entryRig{tillRig: r, h: h, srv: srv, door: door}
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (r *entryRig) do(t *testing.T, method, path, ua, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", ua)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := (&http.Client{CheckRedirect: noRedirects}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

var tokenRE = regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`)

func (r *entryRig) token(t *testing.T) string {
	t.Helper()
	resp, body := r.do(t, http.MethodGet, "/entry/T01", walletUA, "")
	m := tokenRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, `<form method="post"`) || !strings.Contains(body, `name="amount"`) {
		t.Fatalf("entry page %d:\n%s", resp.StatusCode, body)
	}
	return m[1]
}

func TestEntryPagePaysOncePerForm(t *testing.T) {
	r := newEntryRig(t, false)
	tok := r.token(t)
	form := url.Values{"amount": {"12.34"}, "token": {tok}}.Encode()
	resp, _ := r.do(t, http.MethodPost, "/entry/T01", walletUA, form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://qr.alipay.test/") {
		t.Fatalf("POST: %d %q", resp.StatusCode, loc)
	}
	// A double tap, a reload: the same payment, not another.
	again, _ := r.do(t, http.MethodPost, "/entry/T01", walletUA, form)
	if again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != loc {
		t.Fatalf("second POST: %d %q, want %q", again.StatusCode, again.Header.Get("Location"), loc)
	}
	if n := r.gw.Calls(queuetest.CallPay); n != 1 {
		t.Errorf("%d pay calls", n)
	}
	ps, _ := r.eng.List(time.Time{})
	if len(ps) != 1 || ps[0].Scenario != queue.EntryCode || ps[0].Amount != (money.Amount{Currency: "USD", Value: 1234}) {
		t.Fatalf("payments %+v", ps)
	}
	id := ps[0].RequestID
	if !regexp.MustCompile(`^T01-E[0-9a-f]{24}$`).MatchString(id) {
		t.Errorf("request id %q", id)
	}
	if in := <-r.t.events; in != (terminal.CustomerStarted{PaymentID: id, Amount: ps[0].Amount}) {
		t.Errorf("the till heard %#v", in)
	}
	var body struct {
		Order struct {
			Env struct{ UserAgent string } `json:"env"`
		} `json:"order"`
		PaymentRedirectURL string `json:"paymentRedirectUrl"`
	}
	if err := jsonUnmarshal(ps[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Order.Env.UserAgent != walletUA || body.PaymentRedirectURL != "https://pos.example.com/entry/T01/result/"+id {
		t.Errorf("pay body: %+v", body)
	}

	// The result page: processing until the buyer pays, then paid.
	res, page := r.do(t, http.MethodGet, "/entry/T01/result/"+id, "anything", "")
	if res.StatusCode != 200 || !strings.Contains(page, `http-equiv="refresh"`) || !strings.Contains(page, "Processing") || !strings.Contains(page, `href="`+loc+`"`) {
		t.Fatalf("result while waiting %d:\n%s", res.StatusCode, page)
	}
	if err := r.gw.BuyerPays(id); err != nil {
		t.Fatal(err)
	}
	// Alipay's notification brings the inquiry forward (the clock stands still).
	if _, err := r.eng.Notice(id, true); err != nil {
		t.Fatal(err)
	}
	r.relayUntil(t, func(c queue.Change) bool { return c.Kind == queue.ChangeSucceeded })
	if _, page := r.do(t, http.MethodGet, "/entry/T01/result/"+id, "anything", ""); !strings.Contains(page, "Paid") || strings.Contains(page, "refresh") || !strings.Contains(page, "USD 12.34") {
		t.Fatalf("result once paid:\n%s", page)
	}
}

// What a stranger can send: every one is refused before the gateway.
func TestEntryPageRefusals(t *testing.T) {
	r := newEntryRig(t, false)
	tok := r.token(t)
	post := func(form string, hdr ...string) int {
		resp, _ := r.do(t, http.MethodPost, "/entry/T01", walletUA, form, hdr...)
		return resp.StatusCode
	}
	ok := url.Values{"amount": {"12.34"}, "token": {tok}}.Encode()
	for _, c := range []struct {
		name string
		code int
		got  func() int
	}{
		{"browser GET", 200, func() int {
			resp, body := r.do(t, http.MethodGet, "/entry/T01", "Mozilla/5.0 Chrome/120", "")
			if strings.Contains(body, "<form") || !strings.Contains(body, "Alipay") {
				t.Errorf("browser page:\n%s", body)
			}
			return resp.StatusCode
		}},
		{"browser POST", 403, func() int {
			resp, _ := r.do(t, http.MethodPost, "/entry/T01", "Mozilla/5.0 Chrome/120", ok)
			return resp.StatusCode
		}},
		{"zero", 422, func() int { return post(url.Values{"amount": {"0"}, "token": {tok}}.Encode()) }},
		{"negative", 422, func() int { return post(url.Values{"amount": {"-5"}, "token": {tok}}.Encode()) }},
		{"three decimals", 422, func() int { return post(url.Values{"amount": {"1.234"}, "token": {tok}}.Encode()) }},
		{"above max_amount", 422, func() int { return post(url.Values{"amount": {"5000.01"}, "token": {tok}}.Encode()) }},
		{"float", 422, func() int { return post(url.Values{"amount": {"1e3"}, "token": {tok}}.Encode()) }},
		{"unknown token", 403, func() int { return post(url.Values{"amount": {"1"}, "token": {strings.Repeat("ab", 16)}}.Encode()) }},
		{"no token", 400, func() int { return post("amount=1") }},
		{"extra field", 400, func() int { return post(ok + "&refund=1") }},
		{"two amounts", 400, func() int { return post(ok + "&amount=99") }},
		{"big body", 413, func() int { return post(ok + "&x=" + strings.Repeat("a", 1000)) }},
		{"cross-site", 403, func() int { return post(ok, "Origin", "https://evil.example") }},
		{"null origin", 403, func() int { return post(ok, "Origin", "null") }},
		{"cross-site fetch", 403, func() int { return post(ok, "Sec-Fetch-Site", "cross-site") }},
		{"JSON", 415, func() int { return post(ok, "Content-Type", "application/json") }},
		{"PUT", 405, func() int { resp, _ := r.do(t, http.MethodPut, "/entry/T01", walletUA, ok); return resp.StatusCode }},
		{"other path", 404, func() int { resp, _ := r.do(t, http.MethodGet, "/entry/T01x", walletUA, ""); return resp.StatusCode }},
		{"unknown result", 404, func() int {
			resp, _ := r.do(t, http.MethodGet, "/entry/T01/result/T01-E000000000000000000000000", walletUA, "")
			return resp.StatusCode
		}},
	} {
		if got := c.got(); got != c.code {
			t.Errorf("%s: %d, want %d", c.name, got, c.code)
		}
	}
	if n := r.gw.Calls(queuetest.CallPay); n != 0 {
		t.Fatalf("%d pay calls", n)
	}
	// The same form still pays, once corrected: refusals cost it nothing.
	if got := post(ok, "Origin", "https://pos.example.com"); got != http.StatusSeeOther {
		t.Fatalf("valid POST after the refusals: %d", got)
	}
}

// The result page shows Entry Code payments only: not the till's others.
func TestEntryResultShowsOnlyEntryPayments(t *testing.T) {
	r := newEntryRig(t, false)
	id, err := r.t.StartPayment(t.Context(), terminal.PaymentRequest{Amount: money.Amount{Currency: "USD", Value: 500}, Scenario: terminal.OrderCode})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := r.do(t, http.MethodGet, "/entry/T01/result/"+id, walletUA, ""); resp.StatusCode != 404 {
		t.Fatalf("order code payment on the result page: %d", resp.StatusCode)
	}
}

func TestEntryPageBusyTill(t *testing.T) {
	r := newEntryRig(t, false)
	tok := r.token(t)
	r.t.observe(terminal.State{Phase: terminal.ShowingQR, Payment: terminal.Payment{ID: "P1"}})
	resp, body := r.do(t, http.MethodPost, "/entry/T01", walletUA, url.Values{"amount": {"1"}, "token": {tok}}.Encode())
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "busy") || r.gw.Calls(queuetest.CallPay) != 0 {
		t.Fatalf("busy till: %d %s", resp.StatusCode, body)
	}
}

// Preset: the page shows the amount the cashier offers, read-only, and
// only that sale is paid, once.
func TestEntryPagePreset(t *testing.T) {
	r := newEntryRig(t, true)
	if _, body := r.do(t, http.MethodGet, "/entry/T01", walletUA, ""); strings.Contains(body, "<form") || !strings.Contains(body, "cashier") {
		t.Fatalf("nothing offered:\n%s", body)
	}
	r.t.observe(terminal.State{Phase: terminal.Confirming, Attempt: 3, Payment: terminal.Payment{Amount: money.Amount{Currency: "USD", Value: 1999}}})
	tok := r.token(t)
	tok2 := r.token(t)
	if _, body := r.do(t, http.MethodGet, "/entry/T01", walletUA, ""); !strings.Contains(body, `value="19.99" readonly`) {
		t.Fatalf("preset page:\n%s", body)
	}
	if resp, _ := r.do(t, http.MethodPost, "/entry/T01", walletUA, url.Values{"amount": {"1.00"}, "token": {tok}}.Encode()); resp.StatusCode != 422 {
		t.Fatalf("another amount: %d", resp.StatusCode)
	}
	if resp, _ := r.do(t, http.MethodPost, "/entry/T01", walletUA, url.Values{"amount": {"19.99"}, "token": {tok}}.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("preset POST: %d", resp.StatusCode)
	}
	// A second form for the same sale (the flow has not moved on yet).
	if resp, _ := r.do(t, http.MethodPost, "/entry/T01", walletUA, url.Values{"amount": {"19.99"}, "token": {tok2}}.Encode()); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second form for the same sale: %d", resp.StatusCode)
	}
	if n := r.gw.Calls(queuetest.CallPay); n != 1 {
		t.Fatalf("%d pay calls", n)
	}
}

func TestEntryRateLimit(t *testing.T) {
	l := &rateLimiter{peers: map[string]time.Time{}, burst: 3, every: time.Second, max: 2}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.allow("a", now) {
			t.Fatalf("request %d refused", i)
		}
	}
	if l.allow("a", now) {
		t.Fatal("burst exceeded")
	}
	if !l.allow("b", now) || l.allow("c", now) {
		t.Fatal("the address table is not bounded")
	}
	if !l.allow("a", now.Add(time.Second)) || l.allow("a", now.Add(time.Second)) {
		t.Fatal("refill is not one per interval")
	}
	// Once idle, an address is forgotten to make room.
	if !l.allow("c", now.Add(time.Hour)) {
		t.Fatal("idle addresses kept")
	}

	r := newEntryRig(t, false)
	codes := map[int]int{}
	for range entryBurst + 5 {
		resp, _ := r.do(t, http.MethodGet, "/entry/T01", walletUA, "")
		codes[resp.StatusCode]++
	}
	if codes[200] != entryBurst || codes[http.StatusTooManyRequests] != 5 {
		t.Fatalf("codes %v", codes)
	}
}

func TestEntryFormsBounded(t *testing.T) {
	fs := &entryForms{m: map[string]*entryForm{}, max: 4, ttl: time.Minute}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	first := fs.issue(money.Amount{}, now)
	for i := range 4 {
		fs.issue(money.Amount{}, now.Add(time.Duration(i+1)*time.Second))
	}
	if len(fs.m) != 4 {
		t.Fatalf("%d forms kept", len(fs.m))
	}
	if _, ok := fs.get(first, now); ok {
		t.Fatal("the oldest form was kept")
	}
	last := fs.issue(money.Amount{}, now.Add(time.Minute))
	if _, ok := fs.get(last, now.Add(2*time.Minute+time.Second)); ok {
		t.Fatal("an expired form was taken")
	}
}

func TestParseEntryForm(t *testing.T) {
	tok := strings.Repeat("0f", 16)
	if f, err := parseEntryForm("amount=12.34&token=" + tok); err != nil || f.Amount != "12.34" || f.Token != tok {
		t.Fatalf("%+v %v", f, err)
	}
	for _, bad := range []string{"", "amount=1", "token=" + tok + "&token=" + tok, "amount=1&token=" + strings.ToUpper(tok),
		"amount=1&token=" + tok + "&x=1", "amount=%zz&token=" + tok, "amount=" + strings.Repeat("1", 33) + "&token=" + tok} {
		if _, err := parseEntryForm(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// FuzzParseEntryForm: any body is refused or read into the two fields,
// bounded, never a panic; what is accepted encodes back to itself.
func FuzzParseEntryForm(f *testing.F) {
	f.Add("amount=12.34&token=" + strings.Repeat("0f", 16))
	f.Add("amount=%E4%B8%AD&token=" + strings.Repeat("0f", 16))
	f.Add("token=" + strings.Repeat("0f", 16) + "&amount=")
	f.Add("amount=1;token=x")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := parseEntryForm(body)
		if err != nil {
			return
		}
		if len(form.Token) != 32 || len(form.Amount) > 32 {
			t.Fatalf("accepted %+v", form)
		}
		again, err := parseEntryForm(url.Values{"amount": {form.Amount}, "token": {form.Token}}.Encode())
		if err != nil || again != form {
			t.Fatalf("%+v does not read back: %+v %v", form, again, err)
		}
	})
}
