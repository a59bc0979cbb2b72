package amssim_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
)

// The Entry Code flow as posd's tests drive it from outside: pay, then
// POST /sim/customer with the redirectUrl, then /sim/ledger shows the
// scenario, the wallet's exact User-Agent and the request as sent.
func TestEntryCodeRedirectsToWallet(t *testing.T) {
	e := newEnv(t)
	const ua = "Mozilla/5.0 (Linux; Android 9; wv) AppleWebKit/537.36 Chrome/70.0 Mobile Safari/537.36 NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AlipayClient/10.5"
	req := payRequest("EC1", usd(1200), alipay.ScenarioEntryCode, "")
	req.Order.Env = alipay.Env{UserAgent: ua}
	req.PaymentRedirectURL = "https://pos.example.com/paid"
	resp, r, _ := e.client.Pay(t.Context(), req)
	expect(t, r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	if resp.RedirectActionForm == nil || resp.RedirectActionForm.Method != "SCAN" || !strings.HasPrefix(resp.RedirectActionForm.RedirectURL, e.srv.URL+"/sim/wallet/") {
		t.Fatalf("redirectActionForm %+v", resp.RedirectActionForm)
	}
	var paid amssim.Payment
	body := map[string]string{"codeValue": resp.RedirectActionForm.RedirectURL, "action": "pay"}
	if status := e.postJSON(http.MethodPost, "/sim/customer", body, &paid); status != http.StatusOK || paid.Status != amssim.StatusSuccess {
		t.Fatalf("POST /sim/customer: %d %+v", status, paid)
	}
	if inq, _ := e.inquire("EC1"); inq.PaymentStatus != amssim.StatusSuccess {
		t.Fatalf("%s", inq.PaymentStatus)
	}
	p := e.ledgerPayment("EC1")
	sent, err := alipay.EncodePay(req)
	if err != nil {
		t.Fatal(err)
	}
	if p.Scenario != alipay.ScenarioEntryCode || p.UserAgent != ua || p.FirstRequest != string(sent) || p.Calls.Pay != 1 || p.Calls.InquiryPayment != 1 {
		t.Fatalf("ledger %+v\nfirstRequest %s", p, p.FirstRequest)
	}
}

// The ledger's per-payment detail: settlement currency and the count of
// every API that concerned the payment.
func TestLedgerDetail(t *testing.T) {
	e := newEnv(t)
	req := payRequest("L1", usd(1000), alipay.ScenarioPaymentCode, amssim.CodePaid)
	req.SettlementStrategy.SettlementCurrency = "HKD"
	resp, _, _ := e.client.Pay(t.Context(), req)
	e.inquire("L1")
	e.inquire("L1")
	e.refund("L1-R1", resp.PaymentID, usd(100))
	e.client.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: "L1-R1"})
	e.cancel("L1")
	p := e.ledgerPayment("L1")
	want := amssim.Calls{Pay: 1, InquiryPayment: 2, Cancel: 1, Refund: 1, InquiryRefund: 1}
	if p.Calls != want || p.SettlementCurrency != "HKD" || p.Scenario != alipay.ScenarioPaymentCode || p.UserAgent != "" {
		t.Fatalf("ledger %+v, calls want %+v", p, want)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(p.FirstRequest), &first); err != nil || first["paymentRequestId"] != "L1" {
		t.Fatalf("firstRequest %s: %v", p.FirstRequest, err)
	}
}

func TestWalletPageButtons(t *testing.T) {
	e := newEnv(t, func(c *amssim.Config) { c.BaseURL = "https://192.0.2.10:9443" })
	resp, _ := e.payOrderCode("OC1", usd(2500))
	cv, _ := resp.OrderCodeForm.QRText()
	if !strings.HasPrefix(cv, "https://192.0.2.10:9443/sim/wallet/") {
		t.Fatalf("codeValue %q ignores BaseURL", cv)
	}
	page := e.srv.URL + strings.TrimPrefix(cv, "https://192.0.2.10:9443")
	html := e.get(page)
	for _, want := range []string{"Demo Cafe", "USD 25.00", "Coffee x2", `id="pay"`, `id="decline"`} {
		if !strings.Contains(html, want) {
			t.Fatalf("wallet page lacks %q:\n%s", want, html)
		}
	}
	noRedirect := *e.http
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// The page's form is urlencoded and small: a multipart body or a
	// large one is refused and pays nothing.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("action", "pay")
	mw.Close()
	for _, bad := range []struct{ ctype, body string }{
		{mw.FormDataContentType(), mp.String()},
		{"application/x-www-form-urlencoded", "action=pay&pad=" + strings.Repeat("x", 2<<10)},
	} {
		r, err := noRedirect.Post(page, bad.ctype, strings.NewReader(bad.body))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusBadRequest || e.ledgerPayment("OC1").Status == amssim.StatusSuccess {
			t.Fatalf("POST %s: %d, %+v", bad.ctype, r.StatusCode, e.ledgerPayment("OC1"))
		}
	}
	// Tapping Pay posts the form; the redirect shows the new status.
	r, err := noRedirect.PostForm(page, url.Values{"action": {"pay"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d", r.StatusCode)
	}
	if html := e.get(page); !strings.Contains(html, "Paid") || strings.Contains(html, `id="pay"`) {
		t.Fatalf("after paying:\n%s", html)
	}
	if p := e.ledgerPayment("OC1"); p.Status != amssim.StatusSuccess {
		t.Fatalf("%+v", p)
	}
	// Reposting (a reload) does not pay twice nor fail.
	r, err = noRedirect.PostForm(page, url.Values{"action": {"decline"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if p := e.ledgerPayment("OC1"); p.Status != amssim.StatusSuccess {
		t.Fatalf("decline after pay changed it: %+v", p)
	}
	if status, _ := e.status(e.srv.URL + "/sim/wallet/ffff"); status != http.StatusNotFound {
		t.Fatalf("unknown token: %d", status)
	}
}

func (e *env) get(u string) string {
	e.t.Helper()
	status, body := e.status(u)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s: %d", u, status)
	}
	return body
}

func (e *env) status(u string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, data := e.do(req)
	return resp.StatusCode, string(data)
}

// TestWalletPageInChromium loads the wallet page in headless Chromium, as
// the demo's browser would, and checks what it renders.
func TestWalletPageInChromium(t *testing.T) {
	e := newEnv(t)
	plain := httptest.NewServer(e.sim) // Chromium would refuse the test certificate
	t.Cleanup(plain.Close)
	resp, _ := e.payOrderCode("OC1", usd(990))
	cv, _ := resp.OrderCodeForm.QRText()
	page := plain.URL + strings.TrimPrefix(cv, e.srv.URL)
	dom := testenv.DumpDOM(t, page)
	for _, want := range []string{"USD 9.90", "Demo Cafe", `id="pay"`, `id="decline"`} {
		if !strings.Contains(dom, want) {
			t.Fatalf("rendered page lacks %q:\n%s", want, dom)
		}
	}
}

func TestIndexListsWaitingCodes(t *testing.T) {
	e := newEnv(t, func(c *amssim.Config) { c.TimeScale = 60 })
	resp, _ := e.payOrderCode("OC1", usd(450))
	cv, _ := resp.OrderCodeForm.QRText()
	if html := e.get(e.srv.URL + "/sim/"); !strings.Contains(html, strings.TrimPrefix(cv, e.srv.URL)) || !strings.Contains(html, "USD 4.50") {
		t.Fatalf("index lacks the waiting code:\n%s", html)
	}
	// The time scale shortens the default expiry: 3 minutes become 3 seconds.
	e.clock.Advance(3 * time.Second)
	if html := e.get(e.srv.URL + "/sim/"); strings.Contains(html, "USD 4.50") {
		t.Fatalf("expired code still listed:\n%s", html)
	}
	if p := e.ledgerPayment("OC1"); p.Status != amssim.StatusCancelled {
		t.Fatalf("%+v", p)
	}
}

// Merchant texts are the merchant's: both pages escape them.
func TestWalletPagesEscape(t *testing.T) {
	e := newEnv(t)
	req := payRequest("X1", usd(100), alipay.ScenarioOrderCode, "")
	req.Order.Merchant.MerchantName = `<b>"Eve" & Co</b>`
	req.Order.OrderDescription = `<script>alert('x')</script>`
	resp, r, _ := e.client.Pay(t.Context(), req)
	expect(t, r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	cv, _ := resp.OrderCodeForm.QRText()
	for _, page := range []string{cv, e.srv.URL + "/sim/"} {
		body := e.get(page)
		if strings.Contains(body, "<script>") || strings.Contains(body, "<b>") || strings.Contains(body, `"Eve"`) {
			t.Fatalf("%s: merchant text not escaped:\n%s", page, body)
		}
		if !strings.Contains(body, `&lt;b&gt;&#34;Eve&#34; &amp; Co&lt;/b&gt;`) {
			t.Fatalf("%s: escaped merchant name missing:\n%s", page, body)
		}
	}
	if body := e.get(cv); !strings.Contains(body, `&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;`) {
		t.Fatalf("escaped description missing:\n%s", body)
	}
}
