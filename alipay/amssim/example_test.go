package amssim_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/money"
)

// A simulator mounted in-process behind TLS, paid with a test code through
// the alipay client, and its ledger read back.
func Example() {
	merchant, _ := rsa.GenerateKey(rand.Reader, 2048)
	sim, err := amssim.New(amssim.Config{
		Merchants: []amssim.MerchantKey{{ClientID: "SANDBOX_DEMO", PublicKey: &merchant.PublicKey}},
	})
	if err != nil {
		panic(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go sim.Run(ctx) // sends notifications

	srv := httptest.NewTLSServer(sim)
	defer srv.Close()
	client, err := alipay.NewClient(alipay.Config{
		ClientID: "SANDBOX_DEMO", PrivateKey: merchant, PlatformPublicKey: sim.GatewayPublicKey(),
		BaseURL: srv.URL, Transport: srv.Client().Transport.(*http.Transport),
	})
	if err != nil {
		panic(err)
	}
	_, reply, _ := client.Pay(ctx, alipay.PayRequest{
		PaymentRequestID: "DEMO-1",
		Order: alipay.Order{OrderDescription: "Coffee", Merchant: alipay.Merchant{
			ReferenceMerchantID: "M1", MerchantName: "Demo Cafe", MerchantMCC: "5814",
			Store: alipay.Store{ReferenceStoreID: "S1", StoreName: "Main St", StoreMCC: "5814"}},
			Env: alipay.Env{StoreTerminalID: "T1", StoreTerminalRequestTime: alipay.NewTime(sim.Now())}},
		PaymentAmount:    money.Amount{Currency: "USD", Value: 450},
		PaymentMethod:    alipay.PaymentMethod{PaymentMethodID: amssim.CodePaid},
		PaymentFactor:    alipay.PaymentFactor{InStorePaymentScenario: alipay.ScenarioPaymentCode},
		PaymentNotifyURL: "https://pos.example.com/alipay/notify",
	})
	fmt.Println(reply.Outcome, reply.Result.ResultCode)
	p := sim.Ledger().Payments[0]
	fmt.Println(p.Status, p.Amount, p.Calls.Pay)
	// Output:
	// success SUCCESS
	// SUCCESS USD 4.50 1
}
