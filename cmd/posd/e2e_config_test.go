package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
	"github.com/posd/posd/printer/virtual"
)

// The packaged way to run: posd -config with a TOML file, the merchant key
// passed by systemd as a credential, Antom's key from a file, a gateway
// over TLS with a pinned certificate (amssim here), an ESC/POS printer on
// TCP port 9100 (the printer package's virtual device behind a real
// socket), a separate notification listener. One payment end to end, then
// SIGTERM.
func TestE2EConfiguredDaemon(t *testing.T) {
	needBinaries(t)
	testenv.Tool(t, "zbarimg")
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.Mkdir(creds, 0o700); err != nil {
		t.Fatal(err)
	}
	// The configured key file does not exist: the credential must win.
	// The name systemd/posd.service gives the credential (LoadCredential=).
	key := writeMerchantKey(t, filepath.Join(creds, "merchant-key"))
	const clientID = "SANDBOX_E2E_CONFIG"
	sim, err := amssim.New(amssim.Config{Merchants: []amssim.MerchantKey{{ClientID: clientID, PublicKey: &key.PublicKey}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = sim.Run(ctx) }()
	gw := httptest.NewTLSServer(sim)
	defer gw.Close()
	pin := sha256.Sum256(gw.Certificate().Raw)
	platform := filepath.Join(dir, "alipay-public-key.txt")
	if err := os.WriteFile(platform, []byte(sim.GatewayPublicKeyBase64()), 0o644); err != nil {
		t.Fatal(err)
	}

	printerAddr, dev := tcpPrinter(t)
	notify := testenv.FreeAddr(t)
	socket := filepath.Join(dir, "run", "posd.sock")
	conf := fmt.Sprintf(`
[merchant]
name = "Config Test Shop"
id = "M-E2E"
[till]
currency = "SGD"
[alipay]
client_id = %q
private_key_file = %q
alipay_public_key_file = %q
gateway = %q
pin_sha256 = %q
notify_url = "http://%s/alipay/notify"
notify_listen = %q
[outbox]
path = %q
[printer]
kind = "tcp"
address = %q
paper = "58"
[display]
kind = "none"
[api]
socket = %q
[metrics]
listen = ""
[log]
format = "json"
`, clientID, filepath.Join(dir, "missing-key.pem"), platform, gw.URL, hex.EncodeToString(pin[:]), notify, notify,
		filepath.Join(dir, "state", "posd.db"), printerAddr, socket)
	path := filepath.Join(dir, "posd.toml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	check := exec.Command(binaries.posd, "-config", path, "-check")
	check.Env = append(os.Environ(), "CREDENTIALS_DIRECTORY="+creds)
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("-check: %v\n%s", err, out)
	}

	d := &demoProc{t: t, dir: dir}
	d.start(socket, []string{"CREDENTIALS_DIRECTORY=" + creds}, "-config", path)
	if fi, err := os.Stat(socket); err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket: %v %v", fi, err)
	}

	d.posctl("keys", "7.35<ENTER>")
	st := d.waitStatus("the QR", func(s posapi.Status) bool { return s.QR != "" })
	if _, err := sim.Customer(st.QR, "pay"); err != nil {
		t.Fatal(err)
	}
	p := d.waitPayment(st.Current, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	if p.Amount != (money.Amount{Currency: "SGD", Value: 735}) {
		t.Errorf("amount %v", p.Amount)
	}
	// The slip came out of the printer, cut, with the payment on it.
	wctx, wcancel := context.WithTimeout(ctx, e2eDeadline)
	defer wcancel()
	if err := dev.Wait(wctx, func(s virtual.State) bool { return s.Cuts == 1 }); err != nil {
		t.Fatalf("no slip: %v", err)
	}
	if text := dev.Transcript(); !strings.Contains(text, "SGD 7.35") || !strings.Contains(text, "Config Test Shop") || !strings.Contains(text, p.PaymentRequestID) {
		t.Errorf("slip text:\n%s", text)
	}
	png, err := dev.PNG()
	if err != nil {
		t.Fatal(err)
	}
	slip := filepath.Join(t.TempDir(), "slip.png")
	if err := os.WriteFile(slip, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := decodeOne(t, slip); got != p.PaymentID {
		t.Errorf("slip QR %q, want %q", got, p.PaymentID)
	}
	d.waitStatus("the printer reported ok", func(s posapi.Status) bool { return s.Printer == "ok" })
	// JSON logs, as [log] format asks, and the notification verified on
	// its own listener.
	d.poll("the notification", func() bool {
		return strings.Contains(d.output(), `"msg":"payment notification","paymentRequestId":"`+p.PaymentRequestID)
	})

	d.stop()
}

// tcpPrinter serves a virtual ESC/POS printer on a loopback port, the way
// a network printer listens on 9100.
func tcpPrinter(t testing.TB) (string, *virtual.Device) {
	t.Helper()
	dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: 384, Chinese: true}})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = dev.Serve(t.Context(), c)
			}()
		}
	}()
	return l.Addr().String(), dev
}
