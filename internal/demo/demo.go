package demo

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/posd/posd/internal/lang"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/daemon"
	"github.com/posd/posd/queue"
)

// Options are the -demo-* flags and what the daemon gets.
type Options struct {
	Dir     string // keys, database, socket and receipts
	HTTP    string // the cashier and customer pages
	Gateway string // the simulated gateway (TLS)
	Metrics string // the Prometheus endpoint, or ""
	// MQTT, when set, streams the demo's events to this broker
	// ([events] mqtt_url, docs/events.md); Terminal is the till's
	// terminal_id (default T01), so several demos can share a broker.
	MQTT     string
	Terminal string
	// Lang is the demo's language (zh-CN, zh-TW or en; "" is en): the
	// cashier page, the receipts, and the customer display, which adds
	// English under Chinese.
	Lang string
	// Stdout gets the banner once the demo takes payments.
	Stdout io.Writer
	// Daemon are the daemon's options; the demo sets the keys, the
	// policy and the extra pages, and calls Ready after its banner.
	Daemon daemon.Options
	// Tweak, when set, adjusts the daemon's options last (benchmarks
	// hook in).
	Tweak func(*daemon.Options)
	// Benchmarks only: Ephemeral keeps the simulator's ledger in memory
	// (no amssim.json, no disk work beside posd's), and WrapGateway, when
	// set, wraps the simulator's handler (to time the gateway's share).
	Ephemeral   bool
	WrapGateway func(http.Handler) http.Handler
}

// ManagerPIN opens the demo's manager menu (F1): refunds, reprints,
// the last payments. The cashier page says so.
const ManagerPIN = "1234"

// demoClientID is the demo merchant's client id: a sandbox id, so the
// sandbox path prefix is used as with the real sandbox.
const demoClientID = "SANDBOX_POSD_DEMO"

// demoKey returns the demo merchant key in dir, creating it (PKCS#8 PEM,
// mode 0600) on first use.
func demoKey(dir string) (*rsa.PrivateKey, error) {
	path := filepath.Join(dir, "merchant-key.pem")
	key, err := alipay.LoadPrivateKey(path)
	if err == nil {
		return key, nil
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
		return nil, err // there is a key, and it is unusable: say so, never replace it
	}
	if key, err = rsa.GenerateKey(rand.Reader, alipay.MinKeyBits); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	pub, err := alipay.PublicKeyBase64(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return key, os.WriteFile(filepath.Join(dir, "merchant-public-key.txt"), []byte(pub+"\n"), 0o644)
}

// lanIPv4 returns this machine's first non-loopback IPv4 address, or "".
func lanIPv4() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}

// publicAddr is addr as others reach it: listening on every interface
// (-demo-http 0.0.0.0:8080), a phone on the LAN reaches it at lan.
func publicAddr(addr, lan string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || lan == "" {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return net.JoinHostPort(lan, port)
	}
	return addr
}

// demoConfig is the configuration -demo runs with.
func demoConfig(d Options, dir, pin string) config.Config {
	cfg := config.Default()
	cfg.Merchant = config.Merchant{Name: "posd demo café", ID: "DEMO-MERCHANT-1", MCC: "5812", Store: "Demo Street",
		StoreID: "S01", TerminalID: "T01", Footer: "Demo only: no money moved", Language: cfg.Merchant.Language}
	cfg.Till.Currency, cfg.Till.MaxAmount = "USD", "5000.00"
	cfg.Till.ResultHold = config.Duration{Duration: 8 * time.Second}
	cfg.Till.ManagerPIN = ManagerPIN
	cfg.Alipay.ClientID = demoClientID
	cfg.Alipay.Gateway = "https://" + d.Gateway
	cfg.Alipay.PinSHA256 = pin
	// The keys are handed to run directly; these name where they are kept.
	cfg.Alipay.PrivateKeyFile = filepath.Join(dir, "merchant-key.pem")
	cfg.Alipay.AlipayPublicKeyFile = filepath.Join(dir, "amssim.json")
	cfg.Outbox.Path = filepath.Join(dir, "posd.db")
	cfg.Printer = config.Printer{Kind: "virtual", Dir: filepath.Join(dir, "receipts"), Paper: "80", Baud: 9600,
		Parity: "none", DataBits: 8, StopBits: 1, Flow: "status", CodePage: "PC858", NativeQR: true}
	cfg.Display.Kind, cfg.Display.Listen, cfg.Display.Font = "kiosk", d.HTTP, "builtin"
	cfg.API.Socket = filepath.Join(dir, "posd.sock")
	cfg.Metrics.Listen = d.Metrics
	cfg.Events.MQTTURL = d.MQTT
	if d.Terminal != "" {
		cfg.Merchant.TerminalID = d.Terminal
	}
	if l, err := lang.Parse(d.Lang); err == nil && l.Chinese() {
		cfg.Merchant.Name, cfg.Merchant.Store = "posd 演示咖啡馆", "演示街店"
		if l.String() == "zh-TW" {
			cfg.Merchant.Name, cfg.Merchant.Store = "posd 示範咖啡館", "示範街門市"
		}
		cfg.Merchant.Language, cfg.Merchant.Footer = l.String(), l.T("Demo only: no money moved")
		cfg.Display.Languages = []string{l.String(), "en"}
		cfg.Printer.Chinese = true
	}
	// The simulator posts notifications to the demo's page server.
	cfg.Alipay.NotifyURL = "http://" + publicAddr(d.HTTP, "127.0.0.1") + "/alipay/notify"
	cfg.Alipay.NotifyListen = d.HTTP
	return cfg
}

// demoPolicy inquires every second so the demo's screens follow the
// wallet page at once; everything else is the production schedule.
func demoPolicy() *queue.Policy {
	p := queue.DefaultPolicy()
	p.InquiryInterval = time.Second
	return &p
}

// Run runs posd against an in-process simulator until ctx ends. When one of
// the demo's ports is taken, the error names the flags that move them.
func Run(ctx context.Context, d Options) error {
	err := run(ctx, d)
	if errors.Is(err, syscall.EADDRINUSE) {
		err = fmt.Errorf("%w\n(another program uses that port: move the demo with -demo-http 127.0.0.1:PORT (pages, default 127.0.0.1:8080), -demo-gateway 127.0.0.1:PORT (simulated gateway, default 127.0.0.1:9443) or -demo-metrics)", err)
	}
	return err
}

func run(ctx context.Context, d Options) error {
	log := d.Daemon.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	stdout := d.Stdout
	if stdout == nil {
		stdout = io.Discard
	}
	dir, err := filepath.Abs(d.Dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "receipts"), 0o755); err != nil {
		return fmt.Errorf("demo directory: %w", err)
	}
	key, err := demoKey(dir)
	if err != nil {
		return fmt.Errorf("demo key: %w", err)
	}
	host, _, err := net.SplitHostPort(d.Gateway)
	if err != nil {
		return fmt.Errorf("-demo-gateway %q: %w", d.Gateway, err)
	}
	cert, pin, err := amssim.SelfSignedCertificate([]string{host}, time.Now())
	if err != nil {
		return err
	}
	simCfg := amssim.Config{
		Merchants: []amssim.MerchantKey{{ClientID: demoClientID, PublicKey: &key.PublicKey}},
		// Wallet links point at the demo's own page server, plain HTTP,
		// so the browser opens them without a certificate warning.
		BaseURL:   "http://" + publicAddr(d.HTTP, lanIPv4()),
		StatePath: filepath.Join(dir, "amssim.json"),
		Logger:    log.With("component", "amssim"),
	}
	if d.Ephemeral {
		simCfg.StatePath = ""
	}
	sim, err := amssim.New(simCfg)
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	defer sim.Close() // last: the ledger is on disk before the demo returns
	simCtx, stopSim := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSim()
	go func() { _ = sim.Run(simCtx) }()
	l, err := tls.Listen("tcp", d.Gateway, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return fmt.Errorf("simulator (-demo-gateway): %w", err)
	}
	var gwHandler http.Handler = sim
	if d.WrapGateway != nil {
		gwHandler = d.WrapGateway(sim)
	}
	gw := &http.Server{Handler: gwHandler, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() { _ = gw.Serve(l) }()
	defer gw.Close()

	cfg := demoConfig(d, dir, pin)
	if err := cfg.Validate("demo configuration"); err != nil {
		return err
	}
	receipts := cfg.Printer.Dir
	o := d.Daemon
	o.Logger, o.MerchantKey, o.PlatformKey, o.Policy = log, key, sim.GatewayPublicKey(), demoPolicy()
	ready := o.Ready
	o.Extra = func(dk daemon.Desk) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/sim/", sim) // the wallet pages, test controls and ledger
		mux.Handle("/", cashierHandler(dk, receipts, cfg.Merchant.Lang(), log))
		return mux
	}
	o.Ready = func(dm *daemon.Daemon) {
		rel := func(p string) string {
			if wd, err := os.Getwd(); err == nil {
				if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
					return r
				}
			}
			return p
		}
		fmt.Fprintf(stdout, `
posd demo is running (simulated Alipay gateway; no real money moves).
  Cashier (keypad): http://%[1]s/
  Customer display: http://%[1]s/display/
  Receipts:         %[2]s
  posctl:           go run ./cmd/posctl --socket %[3]s status
Type an amount, press Enter, click "Open wallet to pay". Ctrl-C stops.

`, publicAddr(d.HTTP, lanIPv4()), rel(receipts), rel(cfg.API.Socket))
		if ready != nil {
			ready(dm)
		}
	}
	if d.Tweak != nil {
		d.Tweak(&o)
	}
	dm, err := daemon.New(cfg, o)
	if err != nil {
		return err
	}
	return dm.Run(ctx)
}
