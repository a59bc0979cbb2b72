package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"

	"github.com/posd/posd/internal/config"
)

// listeners are posd's TCP endpoints: metrics (loopback only), the
// customer display page (and the demo's pages), and the optional
// notification endpoint.
type listeners struct {
	wg      *sync.WaitGroup
	log     *slog.Logger
	servers []*http.Server
	addrs   map[string]string // endpoint name → the address it listens on
}

// webParts is what the endpoints serve.
type webParts struct {
	metrics      *metrics
	printerState func() string
	kiosk        http.Handler            // nil unless the display is the kiosk page
	cashierKiosk http.Handler            // nil unless the cashier's display is a kiosk page
	notify       http.Handler            // Alipay's notifications, or nil
	extra        func(Desk) http.Handler // the demo's pages, or nil
	desk         Desk
	limits       map[string]Limits // by endpoint name; unset fields take the defaults
	entry        *entryHandler     // the Entry Code page, or nil
}

// Limits bound one TCP endpoint. Every endpoint has all four, so a flood
// of connections on one (idle, slow or simply many) costs a bounded number
// of file descriptors and never reaches payments, the API socket or the
// gateway connection.
type Limits struct {
	// MaxConns is how many connections are served at once
	// (golang.org/x/net/netutil.LimitListener); more wait in the kernel's
	// backlog until one closes.
	MaxConns int
	// ReadTimeout bounds reading a whole request, headers and body.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a reply; event streams extend it for
	// every event they write.
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection that sends no request.
	IdleTimeout time.Duration
}

// DefaultLimits are each endpoint's limits, by name. They are sized for a Raspberry Pi with LimitNOFILE in the low
// thousands. The display serves one kiosk page (and the demo's pages);
// metrics one scraper; notifications face the internet, so they get the
// most connections but the shortest patience: Alipay sends a small signed
// POST and expects an answer within seconds
// (https://docs.antom.com/ac/ams/paymentrn_online).
func DefaultLimits() map[string]Limits {
	return map[string]Limits{
		// posctl and the operator's scripts; an export of months of
		// payments may take a while to write on a Pi.
		"api":           {MaxConns: 16, ReadTimeout: 10 * time.Second, WriteTimeout: 2 * time.Minute, IdleTimeout: time.Minute},
		"metrics":       {MaxConns: 4, ReadTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second},
		"display":       {MaxConns: 32, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second},
		"notifications": {MaxConns: 128, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 15 * time.Second},
		// The entry page waits for the pay answer (pay_timeout) before its
		// redirect, so it may write for longer.
		"entry": {MaxConns: 128, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 15 * time.Second},
	}
}

// limitsFor is the endpoint's limits: the defaults, with what o sets.
func limitsFor(name string, o map[string]Limits) Limits {
	l := DefaultLimits()[name]
	if set, ok := o[name]; ok {
		if set.MaxConns > 0 {
			l.MaxConns = set.MaxConns
		}
		if set.ReadTimeout > 0 {
			l.ReadTimeout = set.ReadTimeout
		}
		if set.WriteTimeout > 0 {
			l.WriteTimeout = set.WriteTimeout
		}
		if set.IdleTimeout > 0 {
			l.IdleTimeout = set.IdleTimeout
		}
	}
	return l
}

// maxHeaderBytes bounds a request's headers: no endpoint needs more.
const maxHeaderBytes = 16 << 10

func (l *listeners) serve(name, addr string, lim Limits, hosts hostPolicy, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	srv := &http.Server{
		Handler:           hosts.check(h),
		ReadHeaderTimeout: min(5*time.Second, lim.ReadTimeout),
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(l.log.Handler(), slog.LevelWarn),
	}
	l.servers = append(l.servers, srv)
	if l.addrs == nil {
		l.addrs = map[string]string{}
	}
	l.addrs[name] = ln.Addr().String()
	l.wg.Go(func() {
		if err := srv.Serve(netutil.LimitListener(ln, lim.MaxConns)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.log.Error(name, "err", err)
		}
	})
	l.log.Info("listening", "what", name, "addr", ln.Addr().String(), "max_conns", lim.MaxConns)
	return nil
}

// shutdown stops every endpoint, letting requests in flight finish briefly.
func (l *listeners) shutdown() {
	for _, s := range l.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.Shutdown(ctx)
		cancel()
	}
}

// start opens the endpoints cfg asks for.
func (l *listeners) start(cfg config.Config, p webParts) error {
	if cfg.Metrics.Listen != "" {
		if err := l.serve("metrics", cfg.Metrics.Listen, limitsFor("metrics", p.limits), newHostPolicy(cfg.Metrics.Listen), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.metrics.printerUp.Set(boolGauge(p.printerState() == "ok"))
			p.metrics.ServeHTTP(w, r)
		})); err != nil {
			return err
		}
	}
	notify := p.notify
	notifyPath := notifyPathOf(cfg.Alipay.NotifyURL)
	notifyHost, entryHost := "", ""
	if u, err := url.Parse(cfg.Alipay.NotifyURL); err == nil {
		notifyHost = u.Hostname()
	}
	where := ""
	if p.entry != nil {
		where = entryEndpoint(cfg)
		if u, ok := cfg.EntryURL(); ok {
			entryHost = u.Hostname()
		}
	}
	// The notification endpoint shares the display's listener when both
	// have the same address (the demo); otherwise it has its own.
	shared := notify != nil && cfg.Alipay.NotifyListen == cfg.Display.Listen
	displayListener := p.kiosk != nil || p.extra != nil || shared
	// The cashier's page shares the display's listener when both have the
	// same address (config has made sure it is a loopback one).
	cashierShared := p.cashierKiosk != nil && displayListener && cfg.Cashier.Listen == cfg.Display.Listen
	if displayListener {
		mux := http.NewServeMux()
		if p.kiosk != nil {
			mux.Handle("/display/", http.StripPrefix("/display", p.kiosk))
			mux.Handle("/display", http.RedirectHandler("/display/", http.StatusFound))
		}
		if cashierShared {
			mountCashier(mux, p.cashierKiosk)
		}
		hosts := newHostPolicy(cfg.Display.Listen)
		if shared {
			mux.Handle(notifyPath, notify)
			hosts = newHostPolicy(cfg.Display.Listen, notifyHost, entryHost)
		}
		if where == "display" {
			p.entry.routes(mux)
		}
		if p.extra != nil {
			mux.Handle("/", p.extra(p.desk))
		}
		if err := l.serve("display", cfg.Display.Listen, limitsFor("display", p.limits), hosts, mux); err != nil {
			return err
		}
	}
	if p.cashierKiosk != nil && !cashierShared {
		mux := http.NewServeMux()
		mountCashier(mux, p.cashierKiosk)
		if err := l.serve("cashier-display", cfg.Cashier.Listen, limitsFor("display", p.limits), newHostPolicy(cfg.Cashier.Listen), mux); err != nil {
			return err
		}
	}
	// Nothing but the entry page, its result page and the notification
	// path on a listener that faces the internet.
	if notify != nil && !shared {
		mux := http.NewServeMux()
		mux.Handle(notifyPath, notify)
		lim := limitsFor("notifications", p.limits)
		if where == "notifications" {
			p.entry.routes(mux)
			lim = limitsFor("entry", p.limits)
		}
		if err := l.serve("notifications", cfg.Alipay.NotifyListen, lim, newHostPolicy(cfg.Alipay.NotifyListen, notifyHost, entryHost), mux); err != nil {
			return err
		}
	}
	if where == "entry" {
		mux := http.NewServeMux()
		p.entry.routes(mux)
		if notify != nil {
			mux.Handle(notifyPath, notify)
		}
		return l.serve("entry", cfg.EntryCode.Listen, limitsFor("entry", p.limits), newHostPolicy(cfg.EntryCode.Listen, notifyHost, entryHost), mux)
	}
	return nil
}

// cashierPath is where the cashier's kiosk page is served: not /cashier/,
// which the demo's own cashier page (keypad and state) uses.
const cashierPath = "/cashier-display/"

// mountCashier serves the cashier's kiosk page at cashierPath.
func mountCashier(mux *http.ServeMux, page http.Handler) {
	base := strings.TrimSuffix(cashierPath, "/")
	mux.Handle(cashierPath, http.StripPrefix(base, page))
	mux.Handle(base, http.RedirectHandler(cashierPath, http.StatusFound))
}

// hostPolicy is the Host headers an endpoint answers. A page on another
// site can make a browser send requests to 127.0.0.1 under its own name
// (DNS rebinding) and read the replies; refusing names posd was not
// configured with stops that. IP literals cannot be rebound and are
// always accepted (the kiosk opens 127.0.0.1, a phone the Pi's LAN
// address); names are: localhost, the listen address's host, the
// notification URL's host and this machine's hostname (and .local).
type hostPolicy struct{ names map[string]bool }

func newHostPolicy(listen string, names ...string) hostPolicy {
	p := hostPolicy{names: map[string]bool{"localhost": true}}
	if h, _, err := net.SplitHostPort(listen); err == nil {
		names = append(names, h)
	}
	if h, err := os.Hostname(); err == nil {
		names = append(names, h, h+".local")
	}
	for _, n := range names {
		if n = strings.TrimSuffix(strings.ToLower(n), "."); n != "" {
			p.names[n] = true
		}
	}
	return p
}

// allows reports whether a request's Host may be answered.
func (p hostPolicy) allows(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return p.names[host]
}

// check answers 421 Misdirected Request to a Host the endpoint is not.
func (p hostPolicy) check(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.allows(r.Host) {
			http.Error(w, "unknown host", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}
