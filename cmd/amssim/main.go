// Command amssim serves the Alipay AMS gateway simulator (package
// alipay/amssim) on the network: for posd's demo, for a phone on the LAN
// opening the wallet page, and for integrators breaking things on purpose.
//
//	amssim -listen 127.0.0.1:9443 -tls=true -client-id ID -merchant-pubkey FILE
//	       [-gateway-key FILE] [-seed N] [-faults SPEC] [-state FILE] [-time-scale F]
//	       [-cert FILE -key FILE] [-cancel-window D] [-refund-delay D] [-max-skew D] [-paths docs|sdk|any]
//	       [-idle-timeout D]
//	amssim -version
//
// With -state the ledger, the gateway key and the generated TLS
// certificate survive a restart, so the printed fingerprint stays the same
// and posd's pin keeps working; -cert/-key serve a given certificate.
//
// It prints the listening URL, the TLS certificate's SHA-256 fingerprint
// (for alipay.Config.PinSHA256) and the gateway public key (the "platform
// public key" posd must be given), then logs one line per request.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, errVersion) {
		fmt.Fprintln(os.Stderr, "amssim:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// errVersion ends a run that printed the version (-version).
var errVersion = errors.New("version printed")

// version is stamped at build time (build/build.sh): -ldflags "-X main.version=0.2.0+5.gabc1234".
var version = "dev"

// options are the parsed command line.
type options struct {
	listen, clientID, merchantPubKey, gatewayKey, faults, state, baseURL, tlsHosts string
	certFile, keyFile, paths                                                       string
	useTLS, sandboxAmounts, requireRegistration, showVersion                       bool
	keyVersion                                                                     int
	seed                                                                           uint64
	timeScale                                                                      float64
	cancelWindow, refundWindow, paymentExpiry, refundDelay, maxSkew, idleTimeout   time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("amssim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:9443", "address to listen on")
	fs.BoolVar(&o.useTLS, "tls", true, "serve HTTPS with a generated self-signed certificate")
	fs.StringVar(&o.tlsHosts, "tls-hosts", "", "extra comma-separated host names or IPs for the certificate (e.g. the LAN address)")
	fs.StringVar(&o.certFile, "cert", "", "PEM certificate (chain) to serve instead of a generated one; needs -key")
	fs.StringVar(&o.keyFile, "key", "", "PEM private key of -cert")
	fs.StringVar(&o.paths, "paths", string(amssim.PathsDocs), "which path prefix a client id may use: docs (SANDBOX_ ids on both, others on /ams/api), sdk (SANDBOX_ ids on /ams/sandbox/api only) or any")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", time.Minute, "close keep-alive connections idle this long")
	fs.DurationVar(&o.maxSkew, "max-skew", 0, "refuse a Request-Time further than this from the clock (0: no limit, as the docs give none)")
	fs.StringVar(&o.clientID, "client-id", "", "merchant client id (required)")
	fs.StringVar(&o.merchantPubKey, "merchant-pubkey", "", "file with the merchant public key, SPKI base64 or PEM (required)")
	fs.IntVar(&o.keyVersion, "key-version", 1, "keyVersion of the merchant public key")
	fs.StringVar(&o.gatewayKey, "gateway-key", "", "file with the gateway private key (PKCS#8/PKCS#1); generated when absent")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for fault injection and wallet tokens")
	fs.StringVar(&o.faults, "faults", "", "faults: endpoint:kind[:probability[:count[:delayMs]]],...")
	fs.StringVar(&o.state, "state", "", "JSON file keeping the ledger across restarts")
	fs.Float64Var(&o.timeScale, "time-scale", 1, "divide expiry, delays and the notification schedule by this")
	fs.StringVar(&o.baseURL, "base-url", "", "scheme://host:port for wallet links (default: the Host of each pay request)")
	fs.DurationVar(&o.cancelWindow, "cancel-window", amssim.DefaultCancelWindow, "how long after creation a payment may be cancelled")
	fs.DurationVar(&o.refundWindow, "refund-window", amssim.DefaultRefundWindow, "how long after payment a refund is accepted")
	fs.DurationVar(&o.refundDelay, "refund-delay", 0, "how long a refund stays PROCESSING (refund answers U, inquiryRefund says PROCESSING; divided by -time-scale); 0: at once")
	fs.DurationVar(&o.paymentExpiry, "payment-expiry", amssim.DefaultPaymentExpiry, "life of a payment without paymentExpiryTime")
	fs.BoolVar(&o.sandboxAmounts, "sandbox-amounts", false, "honour the ams-java-sdk sandbox amounts 9901-9904")
	fs.BoolVar(&o.requireRegistration, "require-registration", false, "refuse pay for merchants not registered through registration")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	if o.showVersion {
		return o, errVersion
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if o.clientID == "" || o.merchantPubKey == "" {
		return o, fmt.Errorf("%w: -client-id and -merchant-pubkey are required", errUsage)
	}
	// Zero would mean "the default" to the simulator; a flag of 0 asks for
	// something else, so it is refused rather than silently widened.
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"cancel-window", o.cancelWindow}, {"refund-window", o.refundWindow}, {"payment-expiry", o.paymentExpiry}, {"idle-timeout", o.idleTimeout}} {
		if d.v <= 0 {
			return o, fmt.Errorf("%w: -%s must be positive (1ns for \"at once\"), got %v", errUsage, d.name, d.v)
		}
	}
	if o.refundDelay < 0 || o.maxSkew < 0 {
		return o, fmt.Errorf("%w: -refund-delay and -max-skew must not be negative", errUsage)
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return o, fmt.Errorf("%w: -cert and -key go together", errUsage)
	}
	return o, nil
}

func (o options) config(logger *slog.Logger) (amssim.Config, error) {
	pub, err := alipay.LoadPublicKey(o.merchantPubKey)
	if err != nil {
		return amssim.Config{}, fmt.Errorf("-merchant-pubkey: %w", err)
	}
	faults, err := amssim.ParseFaults(o.faults)
	if err != nil {
		return amssim.Config{}, fmt.Errorf("-faults: %w", err)
	}
	cfg := amssim.Config{
		Merchants:           []amssim.MerchantKey{{ClientID: o.clientID, KeyVersion: o.keyVersion, PublicKey: pub}},
		TimeScale:           o.timeScale,
		Seed:                o.seed,
		CancelWindow:        o.cancelWindow,
		RefundWindow:        o.refundWindow,
		PaymentExpiry:       o.paymentExpiry,
		RefundDelay:         o.refundDelay,
		MaxSkew:             o.maxSkew,
		Paths:               amssim.PathRule(o.paths),
		BaseURL:             o.baseURL,
		SandboxAmounts:      o.sandboxAmounts,
		RequireRegistration: o.requireRegistration,
		Faults:              faults,
		StatePath:           o.state,
		Logger:              logger,
	}
	if o.gatewayKey != "" {
		if cfg.GatewayKey, err = alipay.LoadPrivateKey(o.gatewayKey); err != nil {
			return cfg, fmt.Errorf("-gateway-key: %w", err)
		}
	}
	return cfg, nil
}

// run is main without the process: it serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, errVersion) {
		fmt.Fprintln(stdout, "amssim", version)
		return err
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg, err := o.config(logger)
	if err != nil {
		return err
	}
	var given *tls.Certificate // -cert/-key, read before any key is generated
	if o.certFile != "" {
		cert, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
		if err != nil {
			return fmt.Errorf("-cert/-key: %w", err)
		}
		given = &cert
	}
	sim, err := amssim.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	defer func() {
		if err := sim.Close(); err != nil {
			logger.Error("state not saved", "error", err.Error())
		}
	}()
	// Idle keep-alive connections are closed after -idle-timeout; a request
	// has 30 s to arrive whole. Replies have no write deadline: the delay
	// fault and the sandbox timeout amounts hold them on purpose.
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: o.idleTimeout,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	scheme := "http"
	if o.useTLS {
		hosts := append([]string{"localhost", "127.0.0.1", "::1", hostOf(ln.Addr().String())}, splitList(o.tlsHosts)...)
		cert, fingerprint, err := serverCertificate(given, sim, hosts)
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = tlsConfig(cert)
		// HTTP/1.1 only: the connection faults take the connection over.
		srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
		scheme = "https"
		fmt.Fprintf(stdout, "tls-sha256 %s\n", fingerprint)
	}
	fmt.Fprintf(stdout, "gateway-pubkey %s\n", sim.GatewayPublicKeyBase64())
	fmt.Fprintf(stdout, "listening %s://%s\n", scheme, ln.Addr())

	errc := make(chan error, 2)
	go func() { errc <- sim.Run(ctx) }()
	go func() {
		if o.useTLS {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// serverCertificate is -cert/-key when given, else the certificate kept in
// -state (or a new one).
func serverCertificate(given *tls.Certificate, sim *amssim.Simulator, hosts []string) (tls.Certificate, string, error) {
	if given != nil {
		return *given, amssim.Fingerprint(given.Certificate[0]), nil
	}
	return sim.TLSCertificate(hosts, time.Now())
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
