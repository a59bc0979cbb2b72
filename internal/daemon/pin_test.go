package daemon

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/posapi"
)

// A gateway whose certificate is not the pinned one is reported as a pin mismatch on the till, in
// posctl status, in the log and in the metrics, never as the network being down; nothing is paid.
func TestPinMismatchIsReportedAsSuch(t *testing.T) {
	key, gatewayKey := alipaytest.Keys(t) // fixed keys: generating RSA keys is slow under qemu
	const clientID = "SANDBOX_PIN_TEST"
	sim, err := amssim.New(amssim.Config{Merchants: []amssim.MerchantKey{{ClientID: clientID, PublicKey: &key.PublicKey}},
		GatewayKey: gatewayKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() { _ = sim.Run(ctx) }()
	gw := httptest.NewTLSServer(sim)
	defer gw.Close()

	dir := t.TempDir()
	cfg := config.Default()
	cfg.Merchant.Name, cfg.Merchant.ID = "Pin Test Shop", "M-PIN"
	cfg.Till.Currency = "SGD"
	cfg.Alipay.ClientID, cfg.Alipay.Gateway = clientID, gw.URL
	cfg.Alipay.PinSHA256 = strings.Repeat("ab", 32) // not gw's certificate
	cfg.Alipay.NotifyURL = "https://pos.example.com/alipay/notify"
	cfg.Outbox.Path = filepath.Join(dir, "posd.db")
	cfg.Display.Kind = "none"
	cfg.API.Socket = filepath.Join(dir, "posd.sock")
	cfg.Metrics.Listen = ""
	d, logs := runDaemon(t, ctx, cfg, Options{Version: "test", MerchantKey: key, PlatformKey: sim.GatewayPublicKey()})

	api := posapi.NewClient(cfg.API.Socket)
	if err := api.Keys(ctx, "7.35<ENTER>"); err != nil {
		t.Fatal(err)
	}
	st, err := api.WaitTill(ctx, 20*time.Millisecond, func(s posapi.Status) bool { return s.Network != "unknown" && s.Network != "ok" })
	if err != nil {
		t.Fatalf("the till never reported the gateway: %v", err)
	}
	if !strings.Contains(st.Network, "does not match [alipay] pin_sha256") || strings.Contains(st.Network, "cannot be reached") {
		t.Errorf("posctl status network = %q, want the pin mismatch", st.Network)
	}
	if l := logs.String(); !strings.Contains(l, "gateway TLS certificate pin mismatch") {
		t.Errorf("the log does not name the pin mismatch:\n%s", l)
	}
	rec := httptest.NewRecorder()
	d.metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "\nposd_gateway_pin_mismatch 1\n") {
		t.Errorf("metrics lack posd_gateway_pin_mismatch 1")
	}
	if ps, err := api.List(ctx, time.Time{}); err != nil || len(ps) != 1 || ps[0].State == "SUCCEEDED" {
		t.Errorf("payments: %+v, %v", ps, err)
	}
}
