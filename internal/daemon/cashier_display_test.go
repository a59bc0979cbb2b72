package daemon

import (
	"bytes"
	"context"
	"crypto/tls"
	"image"
	"image/draw"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
)

// startSimDaemon runs posd against amssim over TLS until the test ends;
// file gives posd.toml from the gateway's URL, its pin and the client id.
// ctx bounds the whole test. prepare, if set, may change the
// configuration and the options before posd starts.
func startSimDaemon(t *testing.T, ctx context.Context, clientID string, file func(gateway, pin string) string, prepare func(*config.Config, *Options)) (config.Config, *testenv.LogBuffer) {
	t.Helper()
	key, gatewayKey := alipaytest.Keys(t)
	sim, err := amssim.New(amssim.Config{Merchants: []amssim.MerchantKey{{ClientID: clientID, PublicKey: &key.PublicKey}},
		GatewayKey: gatewayKey})
	if err != nil {
		t.Fatal(err)
	}
	simCtx, stopSim := context.WithCancel(ctx)
	t.Cleanup(stopSim)
	go func() { _ = sim.Run(simCtx) }()
	cert, pin, err := amssim.SelfSignedCertificate([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewUnstartedServer(sim)
	gw.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	gw.StartTLS()
	t.Cleanup(gw.Close)

	cfg, err := config.Parse("posd.toml", []byte(file(gw.URL, pin)))
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Version: "test", MerchantKey: key, PlatformKey: sim.GatewayPublicKey()}
	if prepare != nil {
		prepare(&cfg, &o)
	}
	_, logs := runDaemon(t, ctx, cfg, o)
	return cfg, logs
}

// runDaemon runs posd from cfg and o (its Logger and Ready set here) until
// the test ends, and returns it once ready with its log.
func runDaemon(t *testing.T, ctx context.Context, cfg config.Config, o Options) (*Daemon, *testenv.LogBuffer) {
	t.Helper()
	logs := &testenv.LogBuffer{}
	ready := make(chan *Daemon, 1)
	o.Logger, o.Ready = slog.New(slog.NewTextHandler(logs, nil)), func(d *Daemon) { ready <- d }
	d, err := New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run ended before ready: %v", err)
	case <-ctx.Done():
		t.Fatal("posd never became ready")
	}
	return d, logs
}

// Two displays from one posd.toml: the customer's PNG panel gets the QR
// code while the cashier's shows the amount typed and the till's state,
// never the code.
func TestCashierDisplayBesideTheCustomers(t *testing.T) {
	zbar := testenv.Tool(t, "zbarimg")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const clientID = "SANDBOX_TWO_DISPLAYS"
	dir := t.TempDir()
	customerPNG, cashierPNG := filepath.Join(dir, "customer.png"), filepath.Join(dir, "cashier.png")
	cfg, logs := startSimDaemon(t, ctx, clientID, func(gateway, pin string) string {
		return simConfig(dir, clientID, gateway, pin, "name = \"Two Screens\"\nid = \"M-TWO\"\n", `[[display]]
kind = "png"
device = "`+customerPNG+`"
font = "builtin"
[[display]]
role = "cashier"
kind = "png"
device = "`+cashierPNG+`"
width = 320
height = 240
font = "builtin"
`)
	}, nil)

	// What the cashier's panel should hold, drawn by the same driver.
	want := func(s display.Screen) *image.RGBA {
		t.Helper()
		p := filepath.Join(t.TempDir(), "want.png")
		ref, err := display.Open(ctx, display.Config{Driver: "png", Device: p, Width: 320, Height: 240, Font: "builtin", Languages: cfg.LangsOf(cfg.Cashier)})
		if err != nil {
			t.Fatal(err)
		}
		defer ref.Close()
		if err := ref.Show(ctx, s); err != nil {
			t.Fatal(err)
		}
		return readPNG(t, p)
	}
	waitFor := func(what, path string, ok func(*image.RGBA) bool) *image.RGBA {
		t.Helper()
		for {
			if _, err := os.Stat(path); err == nil {
				if img := readPNG(t, path); ok(img) {
					return img
				}
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s never shown; log:\n%s", what, logs.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	same := func(w *image.RGBA) func(*image.RGBA) bool {
		return func(g *image.RGBA) bool { return bytes.Equal(g.Pix, w.Pix) && g.Rect == w.Rect }
	}
	amount := money.Amount{Currency: "SGD", Value: 1234}

	api := posapi.NewClient(cfg.API.Socket)
	if err := api.Keys(ctx, "12.34"); err != nil {
		t.Fatal(err)
	}
	waitFor("the typed amount on the cashier's display", cashierPNG, same(want(display.Screen{Kind: display.AmountEntry, Amount: amount,
		Merchant: "Type the amount, Enter for a QR code, or scan the customer's code"})))

	if err := api.Keys(ctx, "<ENTER>"); err != nil {
		t.Fatal(err)
	}
	waitFor("the QR code on the customer's display", customerPNG, func(*image.RGBA) bool {
		out, err := exec.CommandContext(ctx, zbar, "--raw", "-q", customerPNG).Output()
		return err == nil && len(bytes.TrimSpace(out)) > 0
	})
	waitFor("the state on the cashier's display", cashierPNG, same(want(display.Screen{Kind: display.Processing, Amount: amount,
		Merchant: "Cancel: abort", Reason: "Customer is scanning the QR code"})))
	if out, err := exec.CommandContext(ctx, zbar, "--raw", "-q", cashierPNG).Output(); err == nil {
		t.Errorf("the cashier's display shows a code: %q", out)
	}
}

func readPNG(t *testing.T, path string) *image.RGBA {
	t.Helper()
	img := testenv.ReadPNG(t, path)
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}
