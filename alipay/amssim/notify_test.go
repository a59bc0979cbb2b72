package amssim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// receiver is a merchant notification endpoint: alipay's own handler,
// which verifies every notification with the gateway key. It refuses the
// first refuse notifications, then acknowledges.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	refuse int
	got    []alipay.Notification
	seen   chan alipay.Notification
}

func newReceiver(t *testing.T, e *env, refuse int) *receiver {
	t.Helper()
	rc := &receiver{refuse: refuse, seen: make(chan alipay.Notification, 16)}
	h, err := alipay.NewNotificationHandler(alipay.NotifyConfig{
		PlatformPublicKey: e.sim.GatewayPublicKey(),
		ClientID:          testClientID,
		Now:               e.now,
		Handle: func(_ context.Context, n alipay.Notification) error {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			rc.got = append(rc.got, n)
			rc.seen <- n
			if len(rc.got) <= rc.refuse {
				return errors.New("not yet")
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/alipay/notify", h)
	rc.srv = httptest.NewTLSServer(mux)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

func notifyEnv(t *testing.T, refuse int, mutate ...func(*amssim.Config)) (*env, *receiver) {
	t.Helper()
	var rc *receiver
	client := &http.Client{Transport: &lateTransport{rc: &rc}}
	e := newEnv(t, append(mutate, func(c *amssim.Config) { c.NotifyClient = client })...)
	rc = newReceiver(t, e, refuse)
	return e, rc
}

// lateTransport uses the receiver's TLS client, which exists only after the simulator.
type lateTransport struct{ rc **receiver }

func (l *lateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return (*l.rc).srv.Client().Transport.RoundTrip(r)
}

func payWithNotify(t *testing.T, e *env, rc *receiver, id, code string) {
	t.Helper()
	req := payRequest(id, usd(1000), alipay.ScenarioPaymentCode, code)
	req.PaymentNotifyURL = rc.srv.URL + "/alipay/notify"
	if _, r, _ := e.client.Pay(t.Context(), req); r.Outcome == alipay.OutcomeUnknown {
		t.Fatalf("pay: %v", r.Err)
	}
}

func TestNotificationRetrySchedule(t *testing.T) {
	e, rc := notifyEnv(t, 3)
	payWithNotify(t, e, rc, "P1", amssim.CodePaid)
	schedule := amssim.NotifySchedule()
	for attempt := 1; attempt <= 4; attempt++ {
		if n := e.sim.DeliverDue(t.Context()); n != 1 {
			t.Fatalf("attempt %d: %d deliveries", attempt, n)
		}
		if attempt == 4 {
			break
		}
		// Nothing until the next step of the schedule has passed.
		e.clock.Advance(schedule[attempt] - time.Second)
		if n := e.sim.DeliverDue(t.Context()); n != 0 {
			t.Fatalf("attempt %d came early", attempt+1)
		}
		e.clock.Advance(time.Second)
	}
	if rc.count() != 4 {
		t.Fatalf("%d notifications received", rc.count())
	}
	n := <-rc.seen
	if n.Kind != alipay.NotificationPayment || n.Payment.PaymentRequestID != "P1" || n.Payment.Outcome() != alipay.OutcomeSuccess ||
		*n.Payment.PaymentAmount != usd(1000) {
		t.Fatalf("notification %+v", n.Payment)
	}
	d := e.ledgerPayment("P1").Notification
	if d == nil || !d.Acked || d.Attempts != 4 {
		t.Fatalf("delivery %+v", d)
	}
	e.clock.Advance(24 * time.Hour)
	if n := e.sim.DeliverDue(t.Context()); n != 0 {
		t.Fatalf("acknowledged notification resent")
	}
}

func TestNotificationGivesUpAfterSchedule(t *testing.T) {
	e, rc := notifyEnv(t, 100, func(c *amssim.Config) { c.TimeScale = 60 })
	payWithNotify(t, e, rc, "P1", amssim.CodeInsufficient)
	for _, wait := range amssim.NotifySchedule() {
		e.clock.Advance(wait / 60)
		if n := e.sim.DeliverDue(t.Context()); n != 1 {
			t.Fatalf("after %v: %d deliveries", wait, n)
		}
	}
	e.clock.Advance(48 * time.Hour)
	if n := e.sim.DeliverDue(t.Context()); n != 0 {
		t.Fatal("resent after the last attempt")
	}
	d := e.ledgerPayment("P1").Notification
	if !d.GaveUp || d.Acked || d.Attempts != 8 || d.LastError == "" {
		t.Fatalf("delivery %+v", d)
	}
	n := <-rc.seen
	if n.Payment.Outcome() != alipay.OutcomeFailure || n.Payment.Result.ResultCode != alipay.CodeUserBalanceNotEnough {
		t.Fatalf("failure notification %+v", n.Payment.Result)
	}
}

func TestNotificationWhenPasswordSettles(t *testing.T) {
	e, rc := notifyEnv(t, 0)
	payWithNotify(t, e, rc, "P1", amssim.CodePasswordPaid)
	if n := e.sim.DeliverDue(t.Context()); n != 0 {
		t.Fatal("notified before the payment was final")
	}
	e.clock.Advance(amssim.DefaultPasswordDelay)
	if n := e.sim.DeliverDue(t.Context()); n != 1 {
		t.Fatalf("%d deliveries after settling", n)
	}
	if n := <-rc.seen; n.Payment.Outcome() != alipay.OutcomeSuccess {
		t.Fatalf("%+v", n.Payment)
	}
}

// TestRunDelivers checks the background worker on the real clock: the
// schedule is scaled down so the first retry comes 20 ms after the first try.
func TestRunDelivers(t *testing.T) {
	e, rc := notifyEnv(t, 1, func(c *amssim.Config) { c.TimeScale = 6000; c.Now = time.Now })
	e.client.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.sim.Run(ctx) }()
	client, err := alipay.NewClient(alipay.Config{
		ClientID: testClientID, PrivateKey: merchantKey, PlatformPublicKey: e.sim.GatewayPublicKey(),
		BaseURL: e.srv.URL, Transport: e.srv.Client().Transport.(*http.Transport),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.client = client
	payWithNotify(t, e, rc, "P1", amssim.CodePaid)
	for range 2 {
		select {
		case <-rc.seen:
		case <-time.After(10 * time.Second):
			t.Fatal("notification not delivered")
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// TestSlowMerchantDoesNotBlockOthers: a notification URL that hangs does
// not hold up the notification of another payment.
func TestSlowMerchantDoesNotBlockOthers(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		http.Error(w, "late", http.StatusServiceUnavailable)
	}))
	defer slow.Close()
	defer close(release)
	var rc *receiver
	e := newEnv(t, func(c *amssim.Config) {
		c.NotifyClient = &http.Client{Transport: &lateTransport{rc: &rc}}
	})
	rc = newReceiver(t, e, 0)
	req := payRequest("SLOW", usd(100), alipay.ScenarioPaymentCode, amssim.CodePaid)
	req.PaymentNotifyURL = slow.URL + "/alipay/notify"
	if _, r, _ := e.client.Pay(t.Context(), req); r.Outcome != alipay.OutcomeSuccess {
		t.Fatal(r.Err)
	}
	payWithNotify(t, e, rc, "FAST", amssim.CodePaid)
	done := make(chan int, 1)
	go func() { done <- e.sim.DeliverDue(t.Context()) }()
	select {
	case n := <-rc.seen:
		if n.Payment.PaymentRequestID != "FAST" {
			t.Fatalf("got %s", n.Payment.PaymentRequestID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the fast merchant waited for the slow one")
	}
	release <- struct{}{}
	if n := <-done; n != 2 {
		t.Fatalf("%d attempts", n)
	}
}
