package conformance_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim/conformance"
	"github.com/posd/posd/money"
)

// sandboxGateway is the real Alipay sandbox. It has no scripted customers
// and no movable clock, so the scenarios needing them skip; a payment code
// for "paid at once" may be given in POSD_SANDBOX_PAYMENT_CODE (the sandbox
// wallet app shows one).
type sandboxGateway struct {
	client   *alipay.Client
	code     string
	currency money.Currency
	merchant string
}

func (g *sandboxGateway) Client() *alipay.Client   { return g.client }
func (g *sandboxGateway) Currency() money.Currency { return g.currency }
func (g *sandboxGateway) Order() alipay.Order {
	return alipay.Order{
		OrderDescription: "posd conformance",
		Merchant: alipay.Merchant{ReferenceMerchantID: g.merchant, MerchantName: "posd conformance", MerchantMCC: "5814",
			Store: alipay.Store{ReferenceStoreID: g.merchant + "-S01", StoreName: "posd conformance", StoreMCC: "5814"}},
		Env: alipay.Env{StoreTerminalID: "CONFORMANCE"},
	}
}

func (g *sandboxGateway) PaymentCode(b conformance.Behaviour) (string, bool) {
	return g.code, b == conformance.PaysAtOnce && g.code != ""
}
func (g *sandboxGateway) Customer(context.Context, string, string) (bool, error) { return false, nil }
func (g *sandboxGateway) Advance(_ context.Context, d time.Duration) bool        { return d == 0 }
func (g *sandboxGateway) NotifyURL() string                                      { return "" }
func (g *sandboxGateway) Notifications() <-chan alipay.Notification              { return nil }
func (g *sandboxGateway) PasswordDelay() time.Duration                           { return 0 }
func (g *sandboxGateway) CancelWindow() time.Duration                            { return 0 }

func TestConformanceSandbox(t *testing.T) {
	clientID := os.Getenv("POSD_SANDBOX_CLIENT_ID")
	keyFile := os.Getenv("POSD_SANDBOX_PRIVATE_KEY_FILE")
	pubFile := os.Getenv("POSD_SANDBOX_ALIPAY_PUBLIC_KEY_FILE")
	if clientID == "" || keyFile == "" || pubFile == "" {
		t.Skip("set POSD_SANDBOX_CLIENT_ID, POSD_SANDBOX_PRIVATE_KEY_FILE and POSD_SANDBOX_ALIPAY_PUBLIC_KEY_FILE " +
			"(optional: POSD_SANDBOX_BASE_URL, POSD_SANDBOX_MERCHANT_ID, POSD_SANDBOX_CURRENCY, POSD_SANDBOX_PAYMENT_CODE) " +
			"to run the conformance suite against the real Alipay sandbox")
	}
	key, err := alipay.LoadPrivateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := alipay.LoadPublicKey(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	client, err := alipay.NewClient(alipay.Config{
		ClientID: clientID, PrivateKey: key, PlatformPublicKey: pub,
		BaseURL: envOr("POSD_SANDBOX_BASE_URL", alipay.HostAsia),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	conformance.Run(t, &sandboxGateway{
		client:   client,
		code:     os.Getenv("POSD_SANDBOX_PAYMENT_CODE"),
		currency: money.Currency(envOr("POSD_SANDBOX_CURRENCY", "USD")),
		merchant: envOr("POSD_SANDBOX_MERCHANT_ID", "POSD-CONFORMANCE"),
	})
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
