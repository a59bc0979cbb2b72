package conformance_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/alipay/amssim/conformance"
	"github.com/posd/posd/internal/clocktest"
	"github.com/posd/posd/money"
)

// simGateway is amssim behind real TLS, with a hand-driven clock and a
// notification receiver that verifies with alipay's own handler.
type simGateway struct {
	sim      *amssim.Simulator
	client   *alipay.Client
	notify   *httptest.Server
	received chan alipay.Notification
	now      *clocktest.Clock
}

func (g *simGateway) clock() time.Time { return g.now.Now() }

func newSimGateway(t *testing.T) *simGateway {
	merchant, gatewayKey := alipaytest.Keys(t)
	g := &simGateway{now: clocktest.New(time.Now()), received: make(chan alipay.Notification, 64)}
	var err error
	g.sim, err = amssim.New(amssim.Config{
		Merchants:    []amssim.MerchantKey{{ClientID: "SANDBOX_CONFORMANCE", PublicKey: &merchant.PublicKey}},
		GatewayKey:   gatewayKey,
		Now:          g.clock,
		CancelWindow: cancelWindow,
		NotifyClient: &http.Client{Transport: &receiverTransport{g: g}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := alipay.NewNotificationHandler(alipay.NotifyConfig{
		PlatformPublicKey: g.sim.GatewayPublicKey(),
		ClientID:          "SANDBOX_CONFORMANCE",
		Now:               g.clock,
		Handle: func(_ context.Context, n alipay.Notification) error {
			select {
			case g.received <- n:
				return nil
			default:
				return errors.New("test receiver full")
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	g.notify = httptest.NewTLSServer(h)
	t.Cleanup(g.notify.Close)
	srv := httptest.NewTLSServer(g.sim)
	t.Cleanup(srv.Close)
	g.client, err = alipay.NewClient(alipay.Config{
		ClientID: "SANDBOX_CONFORMANCE", PrivateKey: merchant, PlatformPublicKey: g.sim.GatewayPublicKey(),
		BaseURL: srv.URL, Transport: srv.Client().Transport.(*http.Transport), Now: g.clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.client.Close)
	return g
}

// receiverTransport reaches the receiver's TLS server, created after the simulator.
type receiverTransport struct{ g *simGateway }

func (rt *receiverTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return rt.g.notify.Client().Transport.RoundTrip(r)
}

func (g *simGateway) Client() *alipay.Client   { return g.client }
func (g *simGateway) Currency() money.Currency { return "USD" }
func (g *simGateway) Order() alipay.Order {
	return alipay.Order{
		OrderDescription: "Conformance",
		Merchant: alipay.Merchant{ReferenceMerchantID: "M0001", MerchantName: "Demo Cafe", MerchantMCC: "5814",
			Store: alipay.Store{ReferenceStoreID: "S01", StoreName: "Main St", StoreMCC: "5814"}},
		Env: alipay.Env{StoreTerminalID: "T01"},
	}
}

func (g *simGateway) PaymentCode(b conformance.Behaviour) (string, bool) {
	for _, tc := range amssim.TestCodes() {
		if string(tc.Behaviour) == string(b) {
			return tc.Code, true
		}
	}
	return "", false
}

func (g *simGateway) Customer(_ context.Context, codeValue, action string) (bool, error) {
	_, err := g.sim.Customer(codeValue, action)
	return true, err
}

func (g *simGateway) Advance(ctx context.Context, d time.Duration) bool {
	g.now.Advance(d)
	g.sim.DeliverDue(ctx)
	return true
}

func (g *simGateway) NotifyURL() string                         { return g.notify.URL + "/alipay/notify" }
func (g *simGateway) Notifications() <-chan alipay.Notification { return g.received }
func (g *simGateway) PasswordDelay() time.Duration              { return amssim.DefaultPasswordDelay }
func (g *simGateway) CancelWindow() time.Duration               { return cancelWindow }

// cancelWindow is short, as posd's end-to-end tests set it, so that the
// paid-too-late path runs without moving the clock by a day.
const cancelWindow = 2 * time.Second

func TestConformanceAmssim(t *testing.T) {
	conformance.Run(t, newSimGateway(t))
}
