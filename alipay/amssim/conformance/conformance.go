package conformance

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// Behaviour names a customer behaviour a test payment code stands for.
type Behaviour string

const (
	PaysAtOnce       Behaviour = "paid"
	Insufficient     Behaviour = "insufficient-balance"
	PasswordThenPaid Behaviour = "password-then-paid"
)

// Gateway is the gateway under test.
type Gateway interface {
	// Client is an alipay client configured for the gateway.
	Client() *alipay.Client
	// Order is the merchant and store every payment is made for (they must
	// be registered with the gateway).
	Order() alipay.Order
	// Currency is the currency the merchant's contract accepts.
	Currency() money.Currency
	// PaymentCode returns a customer payment code with behaviour b; false
	// when the gateway has none (a real wallet must be scanned).
	PaymentCode(b Behaviour) (string, bool)
	// Customer acts on an order code as the customer would ("pay",
	// "decline"); false when no customer can be automated.
	Customer(ctx context.Context, codeValue, action string) (bool, error)
	// Advance moves the gateway's clock forward by d and lets it act on
	// what fell due (expiry, delayed outcomes, notifications); false when
	// the gateway's clock cannot be moved.
	Advance(ctx context.Context, d time.Duration) bool
	// NotifyURL is a paymentNotifyUrl whose verified notifications arrive
	// on Notifications; empty when the gateway cannot reach the test.
	NotifyURL() string
	Notifications() <-chan alipay.Notification
	// PasswordDelay is how long a PasswordThenPaid code takes to settle.
	PasswordDelay() time.Duration
	// CancelWindow is how long after creation a paid payment can still be
	// cancelled; 0 when unknown (the contract sets it).
	CancelWindow() time.Duration
}

// suite holds what the scenarios share.
type suite struct {
	g   Gateway
	c   *alipay.Client
	seq atomic.Uint64
	run string // makes ids unique across runs against a long-lived gateway
}

// Run runs every scenario against g, each as a subtest.
func Run(t *testing.T, g Gateway) {
	s := &suite{g: g, c: g.Client(), run: time.Now().UTC().Format("0102150405")}
	for _, sc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"UPMPaidAtOnce", s.upmPaidAtOnce},
		{"UPMDeclinedIsFinalAndUncharged", s.upmDeclined},
		{"UPMInProcessThenPaid", s.upmInProcessThenPaid},
		{"OrderCodeIssuedThenPaid", s.orderCodePaid},
		{"OrderCodeCancelledUnpaid", s.orderCodeCancelled},
		{"OrderCodeExpires", s.orderCodeExpires},
		{"EntryCodeRedirectThenPaid", s.entryCodePaid},
		{"EntryCodeDeclined", s.entryCodeDeclined},
		{"EntryCodeNeedsUserAgentAndRedirect", s.entryCodeRefused},
		{"PayIdempotent", s.payIdempotent},
		{"InquiryUnknownID", s.inquiryUnknown},
		{"CancelUnknownID", s.cancelUnknown},
		{"CancelPaidReverses", s.cancelPaid},
		{"PaidTooLateIsRefunded", s.cancelWindow},
		{"RefundsPartialRepeatedBounded", s.refunds},
		{"RefundOfCancelledPayment", s.refundCancelled},
		{"NotificationOnSuccess", s.notification},
	} {
		t.Run(sc.name, sc.fn)
	}
}

func (s *suite) id(t *testing.T) string {
	name := t.Name()
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if len(name) > 30 {
		name = name[:30]
	}
	return fmt.Sprintf("conf-%s-%s-%d", s.run, name, s.seq.Add(1))
}

func (s *suite) amount(minor int64) money.Amount {
	return money.Amount{Currency: s.g.Currency(), Value: minor}
}

func (s *suite) request(id string, amount money.Amount, scenario alipay.Scenario, code string) alipay.PayRequest {
	order := s.g.Order()
	order.OrderAmount = amount
	if scenario == alipay.ScenarioPaymentCode {
		order.Env.StoreTerminalRequestTime = alipay.NewTime(time.Now())
	}
	notify := s.g.NotifyURL()
	if notify == "" {
		notify = "https://posd.invalid/alipay/notify"
	}
	return alipay.PayRequest{
		PaymentRequestID: id,
		Order:            order,
		PaymentAmount:    amount,
		PaymentMethod:    alipay.PaymentMethod{PaymentMethodID: code},
		PaymentFactor:    alipay.PaymentFactor{InStorePaymentScenario: scenario},
		PaymentNotifyURL: notify,
	}
}

func (s *suite) code(t *testing.T, b Behaviour) string {
	t.Helper()
	code, ok := s.g.PaymentCode(b)
	if !ok {
		t.Skipf("the gateway offers no %s payment code: scan a real wallet to run this", b)
	}
	return code
}

func (s *suite) advance(t *testing.T, d time.Duration) {
	t.Helper()
	if !s.g.Advance(t.Context(), d) {
		t.Skipf("the gateway's clock cannot be moved by %v", d)
	}
}

func (s *suite) pay(t *testing.T, req alipay.PayRequest) (*alipay.PayResponse, alipay.Reply) {
	t.Helper()
	resp, r, _ := s.c.Pay(t.Context(), req)
	return resp, r
}

// want checks a reply: its outcome and, when verified, its result code.
func want(t *testing.T, what string, r alipay.Reply, outcome alipay.Outcome, code string) {
	t.Helper()
	if r.Outcome != outcome || code != "" && r.Result.ResultCode != code {
		t.Fatalf("%s: outcome %v code %q (err %v); want %v %q", what, r.Outcome, r.Result.ResultCode, r.Err, outcome, code)
	}
}

// status inquires and checks the payment's status.
func (s *suite) status(t *testing.T, id, wantStatus string) *alipay.InquiryPaymentResponse {
	t.Helper()
	resp, r, _ := s.c.InquiryPayment(t.Context(), alipay.InquiryPaymentRequest{PaymentRequestID: id})
	if !r.Verified || resp == nil {
		t.Fatalf("inquiry of %s: %v %v", id, r.Outcome, r.Err)
	}
	if resp.PaymentStatus != wantStatus {
		t.Fatalf("inquiry of %s: status %s (%s), want %s", id, resp.PaymentStatus, resp.PaymentResultCode, wantStatus)
	}
	return resp
}

func (s *suite) upmPaidAtOnce(t *testing.T) {
	id := s.id(t)
	resp, r := s.pay(t, s.request(id, s.amount(1000), alipay.ScenarioPaymentCode, s.code(t, PaysAtOnce)))
	want(t, "pay", r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if resp.PaymentID == "" || resp.PaymentAmount == nil || *resp.PaymentAmount != s.amount(1000) {
		t.Fatalf("pay reply lacks id or amount: %+v", resp)
	}
	s.status(t, id, alipay.PaymentStatusSuccess)
}

func (s *suite) upmDeclined(t *testing.T) {
	id := s.id(t)
	_, r := s.pay(t, s.request(id, s.amount(1000), alipay.ScenarioPaymentCode, s.code(t, Insufficient)))
	want(t, "pay", r, alipay.OutcomeFailure, alipay.CodeUserBalanceNotEnough)
	s.status(t, id, alipay.PaymentStatusFail)
}

// upmInProcessThenPaid: U is never failure; inquiry settles it (§9.3).
func (s *suite) upmInProcessThenPaid(t *testing.T) {
	id := s.id(t)
	req := s.request(id, s.amount(1000), alipay.ScenarioPaymentCode, s.code(t, PasswordThenPaid))
	_, r := s.pay(t, req)
	want(t, "pay", r, alipay.OutcomeInProcess, alipay.CodePaymentInProcess)
	s.status(t, id, alipay.PaymentStatusProcessing)
	s.advance(t, s.g.PasswordDelay())
	s.status(t, id, alipay.PaymentStatusSuccess)
	// Repeating the pay now reports the final result (§6).
	_, r = s.pay(t, req)
	want(t, "repeated pay", r, alipay.OutcomeSuccess, alipay.CodeSuccess)
}

func (s *suite) orderCode(t *testing.T, id string, amount money.Amount) string {
	t.Helper()
	resp, r := s.pay(t, s.request(id, amount, alipay.ScenarioOrderCode, ""))
	want(t, "order code pay", r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	code, ok := resp.OrderCodeForm.QRText()
	if !ok || !strings.HasPrefix(code, "http") {
		t.Fatalf("no TEXT/QRCODE URL in %+v", resp.OrderCodeForm)
	}
	if resp.OrderCodeForm.ExpireTime.IsZero() {
		t.Fatal("orderCodeForm without expireTime")
	}
	return code
}

func (s *suite) customer(t *testing.T, code, action string) {
	t.Helper()
	ok, err := s.g.Customer(t.Context(), code, action)
	if !ok {
		t.Skipf("no automated customer: open %s in a wallet to run this", code)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func (s *suite) orderCodePaid(t *testing.T) {
	id := s.id(t)
	code := s.orderCode(t, id, s.amount(2500))
	s.status(t, id, alipay.PaymentStatusProcessing)
	s.customer(t, code, "pay")
	got := s.status(t, id, alipay.PaymentStatusSuccess)
	if got.PaymentAmount == nil || *got.PaymentAmount != s.amount(2500) {
		t.Fatalf("paid amount %v", got.PaymentAmount)
	}
}

// orderCodeCancelled: cancel closes an unpaid payment, and says so again (§8.7).
func (s *suite) orderCodeCancelled(t *testing.T) {
	id := s.id(t)
	s.orderCode(t, id, s.amount(300))
	for i := range 2 {
		resp, r, _ := s.c.Cancel(t.Context(), alipay.CancelRequest{PaymentRequestID: id})
		want(t, fmt.Sprintf("cancel %d", i+1), r, alipay.OutcomeSuccess, alipay.CodeSuccess)
		if resp.CancelTime.IsZero() {
			t.Fatal("cancel SUCCESS without cancelTime")
		}
	}
	s.status(t, id, alipay.PaymentStatusCancelled)
}

func (s *suite) orderCodeExpires(t *testing.T) {
	id := s.id(t)
	req := s.request(id, s.amount(300), alipay.ScenarioOrderCode, "")
	req.PaymentExpiryTime = alipay.NewTime(time.Now().Add(2 * time.Minute))
	if _, r := s.pay(t, req); r.Outcome != alipay.OutcomeInProcess {
		t.Fatalf("pay: %v %v", r.Outcome, r.Err)
	}
	s.advance(t, 3*time.Minute)
	s.status(t, id, alipay.PaymentStatusCancelled)
}

// entryWalletUA is the Alipay wallet's User-Agent as the Entry Code guide
// shows it: sent as order.env.userAgent, as posd sends the wallet's own.
const entryWalletUA = "Mozilla/5.0 (Linux; U; Android 12; zh-CN) AppleWebKit/537.36 (KHTML, like Gecko) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AliApp(AP/10.2.58.8000) AlipayClient/10.2.58.8000 Language/zh-Hans"

// entryCode pays an Entry Code request and returns the redirectUrl the
// wallet is sent to (https://docs.antom.com/ac/ams/ec): S, like an order
// code, with the payment waiting for the buyer.
func (s *suite) entryCode(t *testing.T, id string, amount money.Amount) string {
	t.Helper()
	req := s.request(id, amount, alipay.ScenarioEntryCode, "")
	req.Order.Env.UserAgent = entryWalletUA
	req.PaymentRedirectURL = "https://posd.invalid/entry/T01/result/" + id
	resp, r := s.pay(t, req)
	want(t, "entry code pay", r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	if resp.RedirectActionForm == nil || !strings.HasPrefix(resp.RedirectActionForm.RedirectURL, "http") {
		t.Fatalf("no redirectActionForm.redirectUrl in %+v", resp.RedirectActionForm)
	}
	if resp.OrderCodeForm != nil {
		t.Errorf("an entry code pay answered an orderCodeForm: %+v", resp.OrderCodeForm)
	}
	return resp.RedirectActionForm.RedirectURL
}

func (s *suite) entryCodePaid(t *testing.T) {
	id := s.id(t)
	url := s.entryCode(t, id, s.amount(1234))
	s.status(t, id, alipay.PaymentStatusProcessing)
	s.customer(t, url, "pay")
	got := s.status(t, id, alipay.PaymentStatusSuccess)
	if got.PaymentAmount == nil || *got.PaymentAmount != s.amount(1234) {
		t.Fatalf("paid amount %v", got.PaymentAmount)
	}
}

func (s *suite) entryCodeDeclined(t *testing.T) {
	id := s.id(t)
	url := s.entryCode(t, id, s.amount(700))
	s.customer(t, url, "decline")
	resp, r, _ := s.c.InquiryPayment(t.Context(), alipay.InquiryPaymentRequest{PaymentRequestID: id})
	if !r.Verified || resp == nil || resp.PaymentStatus == alipay.PaymentStatusSuccess || resp.PaymentStatus == alipay.PaymentStatusProcessing {
		t.Fatalf("declined entry code: %+v %v", resp, r.Err)
	}
}

// entryCodeRefused: the client refuses, before sending, an Entry Code pay
// without the wallet's User-Agent or the result page.
func (s *suite) entryCodeRefused(t *testing.T) {
	for _, mutate := range []func(*alipay.PayRequest){
		func(r *alipay.PayRequest) { r.Order.Env.UserAgent = "" },
		func(r *alipay.PayRequest) { r.PaymentRedirectURL = "" },
	} {
		req := s.request(s.id(t), s.amount(100), alipay.ScenarioEntryCode, "")
		req.Order.Env.UserAgent, req.PaymentRedirectURL = entryWalletUA, "https://posd.invalid/entry/T01/result/x"
		mutate(&req)
		if _, r := s.pay(t, req); r.Outcome != alipay.OutcomeNotSent {
			t.Fatalf("incomplete entry code pay: %v %v", r.Outcome, r.Err)
		}
	}
}

// payIdempotent: same id and key fields, same payment; different key fields refused (§6).
func (s *suite) payIdempotent(t *testing.T) {
	id := s.id(t)
	req := s.request(id, s.amount(700), alipay.ScenarioOrderCode, "")
	first, r := s.pay(t, req)
	want(t, "pay", r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	again, r := s.pay(t, req)
	want(t, "repeated pay", r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	if again.PaymentID != first.PaymentID {
		t.Fatalf("repeat created payment %s, first %s", again.PaymentID, first.PaymentID)
	}
	_, r = s.pay(t, s.request(id, s.amount(701), alipay.ScenarioOrderCode, ""))
	want(t, "pay with another amount", r, alipay.OutcomeFailure, alipay.CodeRepeatReqInconsistent)
	s.status(t, id, alipay.PaymentStatusProcessing)
	if _, r, _ := s.c.Cancel(t.Context(), alipay.CancelRequest{PaymentRequestID: id}); r.Outcome != alipay.OutcomeSuccess {
		t.Fatalf("clean-up cancel: %v", r.Err)
	}
}

// inquiryUnknown: ORDER_NOT_EXIST leaves the payment unknown, never failed (§9.6).
func (s *suite) inquiryUnknown(t *testing.T) {
	_, r, _ := s.c.InquiryPayment(t.Context(), alipay.InquiryPaymentRequest{PaymentRequestID: s.id(t)})
	want(t, "inquiry", r, alipay.OutcomeUnknown, alipay.CodeOrderNotExist)
	if !r.Verified {
		t.Fatalf("ORDER_NOT_EXIST not verified: %v", r.Err)
	}
}

func (s *suite) cancelUnknown(t *testing.T) {
	_, r, _ := s.c.Cancel(t.Context(), alipay.CancelRequest{PaymentRequestID: s.id(t)})
	want(t, "cancel", r, alipay.OutcomeFailure, alipay.CodeOrderNotExist)
}

func (s *suite) paid(t *testing.T, amount money.Amount) (id, paymentID string) {
	t.Helper()
	id = s.id(t)
	resp, r := s.pay(t, s.request(id, amount, alipay.ScenarioPaymentCode, s.code(t, PaysAtOnce)))
	want(t, "pay", r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	return id, resp.PaymentID
}

func (s *suite) cancelPaid(t *testing.T) {
	id, _ := s.paid(t, s.amount(1000))
	_, r, _ := s.c.Cancel(t.Context(), alipay.CancelRequest{PaymentRequestID: id})
	want(t, "cancel", r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	s.status(t, id, alipay.PaymentStatusCancelled)
}

// cancelWindow: paid, then cancelled too late: CANCEL_WINDOW_EXCEED, the
// payment stays paid, and a refund of the whole amount is how the money
// goes back (reference §8.7, §9.5).
func (s *suite) cancelWindow(t *testing.T) {
	window := s.g.CancelWindow()
	if window == 0 {
		t.Skip("the gateway's cancel window is not known")
	}
	id, paymentID := s.paid(t, s.amount(1000))
	s.advance(t, window+time.Second)
	_, r, _ := s.c.Cancel(t.Context(), alipay.CancelRequest{PaymentRequestID: id})
	want(t, "late cancel", r, alipay.OutcomeFailure, alipay.CodeCancelWindowExceed)
	if r.Action() != alipay.ActionRefundInstead {
		t.Fatalf("action %v", r.Action())
	}
	s.status(t, id, alipay.PaymentStatusSuccess)
	refund := alipay.RefundRequest{RefundRequestID: id + "-R1", PaymentID: paymentID, RefundAmount: s.amount(1000)}
	resp, r, _ := s.c.Refund(t.Context(), refund)
	want(t, "refund instead", r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if resp.RefundID == "" || *resp.RefundAmount != s.amount(1000) {
		t.Fatalf("refund %+v", resp)
	}
	inq, r, _ := s.c.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: refund.RefundRequestID})
	want(t, "inquiryRefund", r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if inq.RefundStatus != alipay.RefundStatusSuccess || inq.RefundID != resp.RefundID {
		t.Fatalf("inquiryRefund %+v", inq)
	}
}

// refunds: partial and repeated, idempotent on refundRequestId, never above the payment (§8.8).
func (s *suite) refunds(t *testing.T) {
	id, paymentID := s.paid(t, s.amount(1000))
	refund := func(n int, v int64) alipay.Reply {
		_, r, _ := s.c.Refund(t.Context(), alipay.RefundRequest{RefundRequestID: fmt.Sprintf("%s-R%d", id, n), PaymentID: paymentID, RefundAmount: s.amount(v)})
		return r
	}
	want(t, "refund 1", refund(1, 400), alipay.OutcomeSuccess, alipay.CodeSuccess)
	want(t, "refund 1 again", refund(1, 400), alipay.OutcomeSuccess, alipay.CodeSuccess)
	want(t, "refund 1 changed", refund(1, 401), alipay.OutcomeFailure, alipay.CodeRepeatReqInconsistent)
	want(t, "refund 2 too much", refund(2, 601), alipay.OutcomeFailure, alipay.CodeRefundAmountExceed)
	want(t, "refund 2", refund(2, 600), alipay.OutcomeSuccess, alipay.CodeSuccess)
	want(t, "refund 3", refund(3, 1), alipay.OutcomeFailure, alipay.CodeRefundAmountExceed)
	resp, r, _ := s.c.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: id + "-R2"})
	want(t, "inquiryRefund", r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if resp.RefundStatus != alipay.RefundStatusSuccess || *resp.RefundAmount != s.amount(600) {
		t.Fatalf("inquiryRefund %+v", resp)
	}
}

func (s *suite) refundCancelled(t *testing.T) {
	id, paymentID := s.paid(t, s.amount(1000))
	if _, r, _ := s.c.Cancel(t.Context(), alipay.CancelRequest{PaymentRequestID: id}); r.Outcome != alipay.OutcomeSuccess {
		t.Fatalf("cancel: %v", r.Err)
	}
	_, r, _ := s.c.Refund(t.Context(), alipay.RefundRequest{RefundRequestID: id + "-R1", PaymentID: paymentID, RefundAmount: s.amount(100)})
	want(t, "refund", r, alipay.OutcomeFailure, alipay.CodeOrderIsCanceled)
}

// notification: a verified notifyPayment arrives for a final success (§8.10).
func (s *suite) notification(t *testing.T) {
	if s.g.NotifyURL() == "" {
		t.Skip("no notification URL reachable by the gateway")
	}
	id, paymentID := s.paid(t, s.amount(1000))
	s.g.Advance(t.Context(), 0)
	timeout := time.After(30 * time.Second)
	for {
		select {
		case n := <-s.g.Notifications():
			if n.Payment == nil || n.Payment.PaymentRequestID != id {
				continue // another scenario's notification
			}
			if n.Payment.PaymentID != paymentID || n.Payment.Outcome() != alipay.OutcomeSuccess || *n.Payment.PaymentAmount != s.amount(1000) {
				t.Fatalf("notification %+v", n.Payment)
			}
			return
		case <-timeout:
			t.Fatal("no notification within 30 s")
		}
	}
}
