package amssim_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/internal/clocktest"
	"github.com/posd/posd/money"
)

const testClientID = "SANDBOX_5YTEST01234ABCD"

// The merchant and gateway keys of the shared signature vectors, parsed
// once: generating RSA keys is slow, above all under qemu.
var (
	keysOnce    sync.Once
	merchantKey *rsa.PrivateKey
	gatewayPriv *rsa.PrivateKey
)

func loadKeys(t testing.TB) {
	keysOnce.Do(func() { merchantKey, gatewayPriv = alipaytest.Keys(t) })
}

func newClock() *clocktest.Clock {
	return clocktest.New(time.Date(2026, 5, 29, 16, 26, 40, 0, time.FixedZone("UTC+8", 8*3600)))
}

// env is a simulator behind a real TLS server and an alipay client for it.
type env struct {
	t      testing.TB
	sim    *amssim.Simulator
	srv    *httptest.Server
	client *alipay.Client
	clock  *clocktest.Clock
	now    func() time.Time // the simulator's clock
	http   *http.Client
}

func newEnv(t testing.TB, mutate ...func(*amssim.Config)) *env {
	t.Helper()
	loadKeys(t)
	clk := newClock()
	cfg := amssim.Config{
		Merchants:  []amssim.MerchantKey{{ClientID: testClientID, KeyVersion: 1, PublicKey: &merchantKey.PublicKey}},
		GatewayKey: gatewayPriv,
		Now:        clk.Now,
		Seed:       42,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	sim, err := amssim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Registered first, so it runs last: after the server is closed, before
	// a temporary state directory goes.
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	srv := httptest.NewTLSServer(sim)
	t.Cleanup(srv.Close)
	client, err := alipay.NewClient(alipay.Config{
		ClientID:          testClientID,
		PrivateKey:        merchantKey,
		PlatformPublicKey: sim.GatewayPublicKey(),
		BaseURL:           srv.URL,
		Transport:         srv.Client().Transport.(*http.Transport),
		Now:               clk.Now,
		// Bounds only (no test here waits for them): TLS and RSA for a
		// dozen concurrent calls take more than 5 s under qemu-user on a
		// loaded machine.
		PayTimeout:  time.Minute,
		CallTimeout: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return &env{t: t, sim: sim, srv: srv, client: client, clock: clk, now: cfg.Now, http: srv.Client()}
}

func usd(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }

// payRequest is a complete pay request for scenario.
func payRequest(id string, amount money.Amount, scenario alipay.Scenario, code string) alipay.PayRequest {
	req := alipay.PayRequest{
		PaymentRequestID: id,
		Order: alipay.Order{
			OrderDescription: "Coffee x2",
			Merchant: alipay.Merchant{
				ReferenceMerchantID: "M0001", MerchantName: "Demo Cafe", MerchantMCC: "5814",
				Store: alipay.Store{ReferenceStoreID: "S01", StoreName: "Demo Cafe Main St", StoreMCC: "5814"},
			},
			Env: alipay.Env{StoreTerminalID: "T01", StoreTerminalRequestTime: alipay.NewTime(time.Date(2026, 5, 29, 16, 26, 40, 0, time.UTC))},
		},
		PaymentAmount:    amount,
		PaymentMethod:    alipay.PaymentMethod{PaymentMethodID: code},
		PaymentFactor:    alipay.PaymentFactor{InStorePaymentScenario: scenario},
		PaymentNotifyURL: "https://pos.example.com/alipay/notify",
	}
	return req
}

func (e *env) pay(id string, amount money.Amount, code string) (*alipay.PayResponse, alipay.Reply) {
	e.t.Helper()
	resp, reply, _ := e.client.Pay(context.Background(), payRequest(id, amount, alipay.ScenarioPaymentCode, code))
	return resp, reply
}

func (e *env) payOrderCode(id string, amount money.Amount) (*alipay.PayResponse, alipay.Reply) {
	e.t.Helper()
	resp, reply, _ := e.client.Pay(context.Background(), payRequest(id, amount, alipay.ScenarioOrderCode, ""))
	return resp, reply
}

func (e *env) inquire(id string) (*alipay.InquiryPaymentResponse, alipay.Reply) {
	e.t.Helper()
	resp, reply, _ := e.client.InquiryPayment(context.Background(), alipay.InquiryPaymentRequest{PaymentRequestID: id})
	return resp, reply
}

func (e *env) cancel(id string) (*alipay.CancelResponse, alipay.Reply) {
	e.t.Helper()
	resp, reply, _ := e.client.Cancel(context.Background(), alipay.CancelRequest{PaymentRequestID: id})
	return resp, reply
}

func (e *env) refund(refundID, paymentID string, amount money.Amount) (*alipay.RefundResponse, alipay.Reply) {
	e.t.Helper()
	resp, reply, _ := e.client.Refund(context.Background(), alipay.RefundRequest{RefundRequestID: refundID, PaymentID: paymentID, RefundAmount: amount})
	return resp, reply
}

// ledgerPayment fetches /sim/ledger over HTTP and returns one payment.
func (e *env) ledgerPayment(id string) amssim.Payment {
	e.t.Helper()
	for _, p := range e.ledger().Payments {
		if p.PaymentRequestID == id {
			return p
		}
	}
	e.t.Fatalf("payment %s not in the ledger", id)
	return amssim.Payment{}
}

func (e *env) ledger() amssim.Ledger {
	e.t.Helper()
	resp, err := e.http.Get(e.srv.URL + "/sim/ledger")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var l amssim.Ledger
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		e.t.Fatal(err)
	}
	return l
}

// expect checks a verified reply's outcome and result code.
func expect(t *testing.T, r alipay.Reply, outcome alipay.Outcome, code string) {
	t.Helper()
	if r.Outcome != outcome || r.Verified && r.Result.ResultCode != code || !r.Verified && code != "" {
		t.Fatalf("got outcome %v code %q (verified %v, err %v); want %v %q", r.Outcome, r.Result.ResultCode, r.Verified, r.Err, outcome, code)
	}
}

// do sends req to the simulator and reads the whole reply.
func (e *env) do(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, data
}
