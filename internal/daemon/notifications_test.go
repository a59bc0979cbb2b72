package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

// notifyFixture is a real outbox on a bbolt file behind the in-memory
// gateway ledger, and the daemon's notification handler in front of it.
type notifyFixture struct {
	t       *testing.T
	gw      *queuetest.Gateway
	eng     *queue.Engine
	m       *metrics
	srv     *httptest.Server
	gateway *alipay.Signer
}

func newNotifyFixture(t *testing.T) *notifyFixture {
	t.Helper()
	store, err := queue.Open(filepath.Join(t.TempDir(), "posd.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	gw := queuetest.NewGateway(time.Now)
	eng, err := queue.NewEngine(queue.Config{Store: store, Gateway: gw})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); eng.Wait() })
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	_, gatewayKey := alipaytest.Keys(t)
	signer, err := alipay.NewSigner(gatewayKey, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := newMetrics("test", "")
	h, err := notificationHandler(config.Alipay{ClientID: "C1", NotifyURL: "https://pos.example/alipay/notify"},
		&gatewayKey.PublicKey, eng.Notice, m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &notifyFixture{t: t, gw: gw, eng: eng, m: m, srv: srv, gateway: signer}
}

// notify posts a payment-success notification signed by the gateway and
// reports whether posd acknowledged it.
func (f *notifyFixture) notify(id string) bool {
	f.t.Helper()
	body := fmt.Appendf(nil, `{"notifyType":"PAYMENT_RESULT","result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},`+
		`"paymentRequestId":%q,"paymentId":"2026X","paymentAmount":{"currency":"USD","value":"1000"}}`, id)
	now := time.Now().Format(time.RFC3339)
	sig, err := f.gateway.Sign(http.MethodPost, "/alipay/notify", "C1", now, body)
	if err != nil {
		f.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/alipay/notify", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", "C1")
	req.Header.Set("Request-Time", now)
	req.Header.Set("Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode == http.StatusOK && b.String() == alipay.NotificationAck
}

func (f *notifyFixture) settled(id string) queue.Payment {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second) // deadlock guard
	for {
		p, err := f.eng.Get(id)
		if err == nil && !p.Live() {
			return p
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%s not settled: %s %s", id, p.State, p.Next)
		}
		time.Sleep(5 * time.Millisecond) // polling a real engine on the real clock
	}
}

func (f *notifyFixture) metric(series string) bool {
	rec := httptest.NewRecorder()
	f.m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return strings.Contains(rec.Body.String(), series)
}

// Issue 12, rule 3: a verified success notification for a payment posd
// closed makes the outbox inquire; the gateway says paid, so the money goes
// back (reversed, with a void slip) and the payment needs attention. A
// notification for a payment posd does not hold is acknowledged, logged
// and counted.
func TestNotificationForClosedPaymentIsChecked(t *testing.T) {
	f := newNotifyFixture(t)
	body := []byte(`{"paymentRequestId":"T01-A","paymentAmount":{"currency":"USD","value":"1000"},` +
		`"paymentMethod":{"paymentMethodId":"` + queuetest.CodeDeclined + `0001"},"paymentFactor":{"inStorePaymentScenario":"PaymentCode"}}`)
	if _, err := f.eng.Pay(queue.PaymentRequest{RequestID: "T01-A", SaleID: "T01-A", Scenario: queue.PaymentCode,
		Amount: money.Amount{Currency: "USD", Value: 1000}, Body: body}); err != nil {
		t.Fatal(err)
	}
	if p := f.settled("T01-A"); p.State != queue.Failed {
		t.Fatalf("declined payment is %s", p.State)
	}
	f.gw.PaidLate("T01-A") // the gateway charged it after all
	if !f.notify("T01-A") {
		t.Fatal("notification not acknowledged")
	}
	p := f.settled("T01-A")
	if e := f.gw.Ledger()["T01-A"]; p.State != queue.Cancelled || !e.Reversed || p.Attention != queue.AttentionPaidAfterClose {
		t.Fatalf("after the notification: %s attention %q, gateway reversed=%v", p.State, p.Attention, e.Reversed)
	}
	if !f.metric(`posd_notifications_total{result="closed_payment_rechecked"} 1`) {
		t.Error("recheck not counted")
	}
	if !f.notify("NOBODY") {
		t.Fatal("notification for an unknown payment not acknowledged")
	}
	if !f.metric(`posd_notifications_total{result="unknown_payment"} 1`) {
		t.Error("unknown payment not counted")
	}
}
