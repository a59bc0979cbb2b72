package queue_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
)

const amsClientID = "SANDBOX_5YTEST01234ABCD"

// signingGateway is a real TLS server on loopback answering each AMS path
// with a canned body signed by the vector gateway key (or left unsigned).
type signingGateway struct {
	t       *testing.T
	srv     *httptest.Server
	signer  *alipay.Signer
	mu      sync.Mutex
	replies map[alipay.API]string
	signed  bool
	paths   []string
}

func newSigningGateway(t *testing.T) (*signingGateway, *queue.AMS) {
	merchant, gateway := alipaytest.Keys(t)
	signer, err := alipay.NewSigner(gateway, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := &signingGateway{t: t, signer: signer, replies: map[alipay.API]string{}, signed: true}
	g.srv = httptest.NewUnstartedServer(http.HandlerFunc(g.serve))
	g.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	g.srv.StartTLS()
	t.Cleanup(g.srv.Close)
	sum := sha256.Sum256(g.srv.Certificate().Raw)
	client, err := alipay.NewClient(alipay.Config{
		ClientID: amsClientID, PrivateKey: merchant, PlatformPublicKey: &gateway.PublicKey,
		BaseURL: g.srv.URL, PinSHA256: hex.EncodeToString(sum[:]),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return g, queue.NewAMS(client)
}

func (g *signingGateway) reply(api alipay.API, body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.replies[api] = body
}

func (g *signingGateway) serve(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	g.mu.Lock()
	g.paths = append(g.paths, r.URL.Path)
	var body string
	for api, b := range g.replies {
		if strings.HasSuffix(r.URL.Path, string(api)) {
			body = b
		}
	}
	signed := g.signed
	g.mu.Unlock()
	const rt = "2026-11-23T12:00:01+00:00"
	if signed {
		sig, err := g.signer.Sign(http.MethodPost, r.URL.Path, amsClientID, rt, []byte(body))
		if err != nil {
			g.t.Error(err)
		}
		w.Header().Set("Signature", sig)
	}
	w.Header().Set("Client-Id", amsClientID)
	w.Header().Set("Response-Time", rt)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	io.WriteString(w, body)
}

func encodedPay(t *testing.T, id string, sc alipay.Scenario) []byte {
	t.Helper()
	req := alipay.PayRequest{
		PaymentRequestID: id,
		Order: alipay.Order{OrderDescription: "Coffee x2", Merchant: alipay.Merchant{
			ReferenceMerchantID: "M0001", MerchantName: "Demo Cafe", MerchantMCC: "5814",
			Store: alipay.Store{ReferenceStoreID: "S01", StoreName: "Main St", StoreMCC: "5814"}},
			Env: alipay.Env{StoreTerminalID: "T01", StoreTerminalRequestTime: alipay.Time{Time: start}}},
		PaymentAmount:    money.Amount{Currency: "USD", Value: 1000},
		PaymentFactor:    alipay.PaymentFactor{InStorePaymentScenario: sc},
		PaymentNotifyURL: "https://pos.example.com/alipay/notify",
	}
	if sc == alipay.ScenarioPaymentCode {
		req.PaymentMethod.PaymentMethodID = "281234567890123456"
	}
	body, err := alipay.EncodePay(req)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestAMSMapsVerifiedReplies(t *testing.T) {
	g, ams := newSigningGateway(t)
	ctx := context.Background()

	g.reply(alipay.APIPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentRequestId":"P1","paymentId":"2026P1","paymentAmount":{"currency":"USD","value":"1000"}}`)
	if r := ams.Pay(ctx, encodedPay(t, "P1", alipay.ScenarioPaymentCode)); r.Outcome != queue.Success || r.PaymentID != "2026P1" {
		t.Errorf("UPM pay S: %+v", r)
	}
	g.reply(alipay.APIPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentRequestId":"P2","paymentId":"2026P2",`+
		`"orderCodeForm":{"expireTime":"2026-11-23T12:02:00+00:00","codeDetails":[{"codeValue":"https://qr.alipay.com/bax01","codeValueType":"QRCODE","displayType":"TEXT"},{"codeValue":"https://img","codeValueType":"QRCODE","displayType":"BIGIMAGE"}]}}`)
	r := ams.Pay(ctx, encodedPay(t, "P2", alipay.ScenarioOrderCode))
	if r.Outcome != queue.Success || r.QR != "https://qr.alipay.com/bax01" || !r.QRExpires.Equal(start.Add(2*time.Minute)) {
		t.Errorf("OC pay S: %+v", r)
	}
	g.reply(alipay.APIPay, `{"result":{"resultCode":"PAYMENT_IN_PROCESS","resultStatus":"U","resultMessage":"wait"},"paymentRequestId":"P3"}`)
	if r := ams.Pay(ctx, encodedPay(t, "P3", alipay.ScenarioPaymentCode)); r.Outcome != queue.InProcess || r.Code != "PAYMENT_IN_PROCESS" {
		t.Errorf("pay U: %+v", r)
	}
	g.reply(alipay.APIInquiryPayment, `{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F","resultMessage":"no"}}`)
	if r := ams.InquirePayment(ctx, "P4"); r.Outcome != queue.Failure || r.Code != queue.CodeOrderNotExist {
		t.Errorf("inquiry F: %+v", r)
	}
	g.reply(alipay.APIInquiryPayment, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"ok"},"paymentStatus":"SUCCESS","paymentRequestId":"P4","paymentId":"2026P4","paymentAmount":{"currency":"USD","value":"1000"}}`)
	if r := ams.InquirePayment(ctx, "P4"); r.Outcome != queue.Success || r.Status != queue.StatusSuccess || r.PaymentID != "2026P4" ||
		r.RequestID != "P4" || r.Amount == nil || *r.Amount != (money.Amount{Currency: "USD", Value: 1000}) {
		t.Errorf("inquiry SUCCESS: %+v (the amount goes to the outbox, which compares it with the stored one)", r)
	}
	g.reply(alipay.APICancel, `{"result":{"resultCode":"CANCEL_WINDOW_EXCEED","resultStatus":"F","resultMessage":"late"}}`)
	if r := ams.Cancel(ctx, "P4"); r.Outcome != queue.Failure || r.Code != queue.CodeCancelWindowExceed {
		t.Errorf("cancel F: %+v", r)
	}
	g.reply(alipay.APIRefund, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"ok"},"refundRequestId":"P4-R1","refundId":"RF1","paymentId":"2026P4"}`)
	if r := ams.Refund(ctx, queue.RefundCall{RefundRequestID: "P4-R1", PaymentRequestID: "P4", Amount: money.Amount{Currency: "USD", Value: 100}}); r.Outcome != queue.Success || r.RefundID != "RF1" {
		t.Errorf("refund without a known paymentId: %+v", r)
	}
	g.reply(alipay.APIInquiryRefund, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"ok"},"refundRequestId":"P4-R1","refundId":"RF1","refundStatus":"PROCESSING"}`)
	if r := ams.InquireRefund(ctx, "P4-R1"); r.Outcome != queue.Success || r.Status != queue.StatusProcessing {
		t.Errorf("inquiryRefund: %+v", r)
	}
}

// Ids and result codes from the gateway reach receipts, the display and
// exports: a signed reply carrying a formula or a control character in
// one is not used, and the call counts as unsure (inquired again).
func TestAMSMalformedIdsAreUnsure(t *testing.T) {
	g, ams := newSigningGateway(t)
	ctx := context.Background()
	for _, bad := range []string{`=HYPERLINK(\"http://evil\")`, `2026P1\r\nPaid`, strings.Repeat("9", 65), `+1 \u202e`} {
		g.reply(alipay.APIPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentRequestId":"P1","paymentId":"`+bad+`"}`)
		if r := ams.Pay(ctx, encodedPay(t, "P1", alipay.ScenarioPaymentCode)); r.Outcome != queue.Unsure || r.PaymentID != "" {
			t.Errorf("pay S with paymentId %s: %+v, want UNKNOWN without the id", bad, r)
		}
		g.reply(alipay.APIInquiryPayment, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"ok"},"paymentStatus":"FAIL","paymentResultCode":"`+bad+`","paymentRequestId":"P1"}`)
		if r := ams.InquirePayment(ctx, "P1"); r.Outcome != queue.Unsure || r.Code != "" {
			t.Errorf("inquiry with paymentResultCode %s: %+v, want UNKNOWN without the code", bad, r)
		}
		g.reply(alipay.APIInquiryRefund, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"ok"},"refundRequestId":"P1-R1","refundId":"`+bad+`","refundStatus":"SUCCESS"}`)
		if r := ams.InquireRefund(ctx, "P1-R1"); r.Outcome != queue.Unsure || r.RefundID != "" {
			t.Errorf("inquiryRefund with refundId %s: %+v, want UNKNOWN without the id", bad, r)
		}
		g.reply(alipay.APICancel, `{"result":{"resultCode":"`+bad+`","resultStatus":"F","resultMessage":"no"}}`)
		if r := ams.Cancel(ctx, "P1"); r.Outcome != queue.Unsure || r.Code != "" {
			t.Errorf("cancel with resultCode %s: %+v, want UNKNOWN without the code", bad, r)
		}
	}
}

// A genuine decline naming no payment (a replay) is Unsure; its code is
// kept as a claim, for alerts only.
func TestAMSUnboundDeclineIsUnsure(t *testing.T) {
	g, ams := newSigningGateway(t)
	g.reply(alipay.APIPay, `{"result":{"resultCode":"PARAM_ILLEGAL","resultStatus":"F","resultMessage":"bad"}}`)
	if r := ams.Pay(context.Background(), encodedPay(t, "P1", alipay.ScenarioPaymentCode)); r.Outcome != queue.Unsure || r.Code != "PARAM_ILLEGAL" {
		t.Errorf("pay F naming no payment: %+v, want UNKNOWN with the claimed code", r)
	}
	g.reply(alipay.APIPay, `{"result":{"resultCode":"USER_BALANCE_NOT_ENOUGH","resultStatus":"F","resultMessage":"no"},"paymentRequestId":"P1"}`)
	if r := ams.Pay(context.Background(), encodedPay(t, "P1", alipay.ScenarioPaymentCode)); r.Outcome != queue.Failure || r.RequestID != "P1" {
		t.Errorf("pay F naming this payment: %+v", r)
	}
}

func TestAMSUnverifiedIsUnsure(t *testing.T) {
	g, ams := newSigningGateway(t)
	g.reply(alipay.APIPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentRequestId":"P1","paymentId":"2026P1"}`)
	g.signed = false
	if r := ams.Pay(context.Background(), encodedPay(t, "P1", alipay.ScenarioPaymentCode)); r.Outcome != queue.Unsure {
		t.Errorf("unsigned S: %+v, want UNKNOWN", r)
	}
	closed, fresh := newSigningGateway(t) // a client with no pooled connection
	closed.srv.Close()
	if r := fresh.Cancel(context.Background(), "P1"); r.Outcome != queue.NotSent {
		t.Errorf("closed server: %+v, want NOT_SENT", r)
	}
}

// The engine over real HTTPS: a paid payment code ends SUCCEEDED with a
// receipt; the pay body on the wire is the one stored.
func TestEngineOverHTTPS(t *testing.T) {
	g, ams := newSigningGateway(t)
	g.reply(alipay.APIPay, `{"result":{"resultCode":"PAYMENT_IN_PROCESS","resultStatus":"U","resultMessage":"wait"},"paymentRequestId":"P1"}`)
	g.reply(alipay.APIInquiryPayment, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"ok"},"paymentStatus":"SUCCESS","paymentRequestId":"P1","paymentId":"2026P1","paymentAmount":{"currency":"USD","value":"1000"}}`)
	h := newHarness(t)
	h.cfg = func(c *queue.Config) { c.Gateway = ams }
	h.start()
	body := encodedPay(t, "P1", alipay.ScenarioPaymentCode)
	if _, err := h.eng.Pay(queue.PaymentRequest{RequestID: "P1", SaleID: "S1", Scenario: queue.PaymentCode,
		Amount: money.Amount{Currency: "USD", Value: 1000}, Body: body}); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeSucceeded, "P1")
	p, _ := h.store.Get("P1")
	if p.PaymentID != "2026P1" || len(h.jobs("P1")) != 1 {
		t.Errorf("stored %+v", p)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.paths) != 2 || !strings.HasSuffix(g.paths[0], string(alipay.APIPay)) || !strings.HasSuffix(g.paths[1], string(alipay.APIInquiryPayment)) {
		t.Errorf("calls %v, want pay then inquiryPayment", g.paths)
	}
}

// The pay request is built once, here, with the merchant, store and
// terminal of every pay; the store's name falls back to the merchant's.
func TestEncodePay(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	shop := queue.Shop{MerchantID: "M1", MerchantName: "Golden Noodle Bar", MCC: "5812", StoreID: "S01", TerminalID: "T01",
		OrderTitle: "In-store purchase", NotifyURL: "https://pos.example.com/alipay/notify"}
	req, err := queue.EncodePay(shop, queue.InStorePay{RequestID: "T01-1", Scenario: queue.OrderCode,
		Amount: money.Amount{Currency: "USD", Value: 1250}, At: at, ExpiresAt: at.Add(3 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if req.RequestID != "T01-1" || req.SaleID != "T01-1" || req.Scenario != queue.OrderCode || req.Amount.Value != 1250 || !req.ExpiresAt.Equal(at.Add(3*time.Minute)) {
		t.Fatalf("%+v", req)
	}
	for _, want := range []string{`"paymentRequestId":"T01-1"`, `"referenceOrderId":"T01-1"`, `"storeName":"Golden Noodle Bar"`,
		`"inStorePaymentScenario":"OrderCode"`, `"paymentNotifyUrl":"https://pos.example.com/alipay/notify"`, `"value":"1250"`} {
		if !strings.Contains(string(req.Body), want) {
			t.Errorf("body lacks %s:\n%s", want, req.Body)
		}
	}
	if _, err := queue.EncodePay(shop, queue.InStorePay{RequestID: "T01-2", Scenario: queue.PaymentCode,
		Amount: money.Amount{Currency: "USD", Value: 1250}, At: at, ExpiresAt: at.Add(time.Minute)}); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("a PaymentCode pay without the buyer's code: %v", err)
	}
}

// An Entry Code pay carries the wallet's User-Agent byte for byte and the
// result page; its answer's redirectUrl is what the wallet is sent to, and
// only when it is a plain http(s) URL.
func TestEntryCodePay(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	shop := queue.Shop{MerchantID: "M1", MerchantName: "Golden Noodle Bar", MCC: "5812", StoreID: "S01", TerminalID: "T01",
		OrderTitle: "In-store purchase", NotifyURL: "https://pos.example.com/alipay/notify"}
	const ua = `Mozilla/5.0 (Linux; Android 12) AlipayClient/10.5.36.8000 "quoted" \ tail`
	req, err := queue.EncodePay(shop, queue.InStorePay{RequestID: "T01-E1", Scenario: queue.EntryCode,
		Amount: money.Amount{Currency: "USD", Value: 1234}, At: at, ExpiresAt: at.Add(10 * time.Minute),
		UserAgent: ua, RedirectURL: "https://pos.example.com/entry/T01/result/T01-E1"})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Order struct {
			Env struct{ UserAgent string } `json:"env"`
		} `json:"order"`
		PaymentRedirectURL string `json:"paymentRedirectUrl"`
		PaymentFactor      struct{ InStorePaymentScenario string }
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Order.Env.UserAgent != ua || body.PaymentRedirectURL != "https://pos.example.com/entry/T01/result/T01-E1" ||
		body.PaymentFactor.InStorePaymentScenario != "EntryCode" {
		t.Fatalf("body: %s", req.Body)
	}
	if _, err := queue.EncodePay(shop, queue.InStorePay{RequestID: "T01-E2", Scenario: queue.EntryCode,
		Amount: money.Amount{Currency: "USD", Value: 1234}, At: at, ExpiresAt: at.Add(10 * time.Minute)}); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("an Entry Code pay without the wallet's User-Agent: %v", err)
	}

	g, ams := newSigningGateway(t)
	entry := func(id, form string) queue.PayReply {
		g.reply(alipay.APIPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentRequestId":"`+id+`","paymentId":"2026`+id+`"`+form+`}`)
		r, err := queue.EncodePay(shop, queue.InStorePay{RequestID: id, Scenario: queue.EntryCode,
			Amount: money.Amount{Currency: "USD", Value: 1234}, At: at, ExpiresAt: time.Now().Add(10 * time.Minute),
			UserAgent: ua, RedirectURL: "https://pos.example.com/entry/T01/result"})
		if err != nil {
			t.Fatal(err)
		}
		return ams.Pay(context.Background(), r.Body)
	}
	if r := entry("E1", `,"redirectActionForm":{"method":"SCAN","redirectUrl":"https://render.alipay.com/p/s/x?code=E1"}`); r.Outcome != queue.Success || r.QR != "https://render.alipay.com/p/s/x?code=E1" {
		t.Errorf("EntryCode pay S: %+v", r)
	}
	for _, bad := range []string{`javascript:alert(1)`, `https://a.example/x\r\nSet-Cookie: a=b`, `/relative`, `https:///nohost`} {
		form, _ := json.Marshal(map[string]string{"method": "SCAN", "redirectUrl": bad})
		if r := entry("E2", `,"redirectActionForm":`+string(form)); r.QR != "" {
			t.Errorf("redirectUrl %q kept: %+v", bad, r)
		}
	}
}

func TestEngineEntryCodePaidByBuyer(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.EntryCode, "", 1000))
	if c := h.waitFor(queue.ChangeQRReady, "P1"); c.QR == "" {
		t.Fatal("no redirect URL")
	}
	if err := h.gw.BuyerPays("P1"); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeSucceeded, "P1")
}

func TestEngineEntryCodeExpiresAndIsCancelled(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.EntryCode, "", 1000))
	h.waitFor(queue.ChangeQRReady, "P1")
	h.waitFor(queue.ChangeCancelled, "P1")
	if st := h.gw.Ledger()["P1"].Status; st != queue.StatusCancelled {
		t.Errorf("gateway holds %s", st)
	}
}
