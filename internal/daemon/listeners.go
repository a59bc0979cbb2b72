package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/posd/posd/internal/config"
)

// listeners are posd's TCP endpoints: metrics (loopback only), the
// customer display page (and the demo's pages), and the optional
// notification endpoint.
type listeners struct {
	wg      *sync.WaitGroup
	log     *slog.Logger
	servers []*http.Server
}

// webParts is what the endpoints serve.
type webParts struct {
	metrics      *metrics
	printerState func() string
	kiosk        http.Handler            // nil unless the display is the kiosk page
	notify       http.Handler            // Alipay's notifications, or nil
	extra        func(Desk) http.Handler // the demo's pages, or nil
	desk         Desk
}

func (l *listeners) serve(name, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(l.log.Handler(), slog.LevelWarn)}
	l.servers = append(l.servers, srv)
	l.wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.log.Error(name, "err", err)
		}
	})
	l.log.Info("listening", "what", name, "addr", ln.Addr().String())
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
		if err := l.serve("metrics", cfg.Metrics.Listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.metrics.printerUp.Store(p.printerState() == "ok")
			p.metrics.ServeHTTP(w, r)
		})); err != nil {
			return err
		}
	}
	notify := p.notify
	notifyPath := notifyPathOf(cfg.Alipay.NotifyURL)
	// The notification endpoint shares the display's listener when both
	// have the same address (the demo); otherwise it has its own.
	shared := notify != nil && cfg.Alipay.NotifyListen == cfg.Display.Listen
	if p.kiosk != nil || p.extra != nil || shared {
		mux := http.NewServeMux()
		if p.kiosk != nil {
			mux.Handle("/display/", http.StripPrefix("/display", p.kiosk))
			mux.Handle("/display", http.RedirectHandler("/display/", http.StatusFound))
		}
		if shared {
			mux.Handle(notifyPath, notify)
		}
		if p.extra != nil {
			mux.Handle("/", p.extra(p.desk))
		}
		if err := l.serve("display", cfg.Display.Listen, mux); err != nil {
			return err
		}
	}
	if notify != nil && !shared {
		mux := http.NewServeMux()
		mux.Handle(notifyPath, notify)
		return l.serve("notifications", cfg.Alipay.NotifyListen, mux)
	}
	return nil
}
