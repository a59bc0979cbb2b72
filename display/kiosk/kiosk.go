// Package kiosk serves a display.Kiosk as a web page for a browser in
// kiosk mode: the page at "/", the current state as JSON at "/state" and
// every change as server-sent events at "/events", relative to where it is
// mounted. The page reconnects by itself and draws the QR on a canvas at a
// whole number of device pixels per module.
package kiosk

import (
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/posd/posd/display"
)

//go:embed kiosk.html
var page string

// statePlaceholder is replaced by the current state, so the first paint
// already shows it (and a page opened while posd is busy is never blank).
const statePlaceholder = "/*STATE*/null"

// Config tunes the event streams.
type Config struct {
	// KeepAlive is the interval of SSE comments that keep proxies and the
	// page's watchdog happy; zero means 15 s.
	KeepAlive time.Duration
	// MaxClients bounds concurrent event streams; zero means 8.
	MaxClients int
	Logger     *slog.Logger
}

type handler struct {
	k   *display.Kiosk
	cfg Config

	mu      sync.Mutex
	clients int
}

// Handler serves k. Mount it with
// mux.Handle("/display/", http.StripPrefix("/display", h)).
func Handler(k *display.Kiosk, cfg Config) http.Handler {
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 8
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &handler{k: k, cfg: cfg}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	state, _, _, _ := h.k.Current()
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case "":
		// Mounted at /display and asked for /display: the page's relative
		// URLs need the trailing slash.
		http.Redirect(w, r, strings.SplitN(r.RequestURI, "?", 2)[0]+"/", http.StatusMovedPermanently)
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		fmt.Fprint(w, strings.Replace(page, statePlaceholder, string(state), 1))
	case "/state":
		w.Header().Set("Content-Type", "application/json")
		w.Write(state)
	case "/events":
		h.serveEvents(w, r)
	default:
		http.NotFound(w, r)
	}
}

// serveEvents streams the state: the current one at once, then every
// change, with comments as keep-alives. "retry" makes EventSource reconnect
// after a second when posd restarts or the stream drops.
func (h *handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_, _, _, closed := h.k.Current()
	h.mu.Lock()
	if isClosed(closed) || h.clients >= h.cfg.MaxClients {
		h.mu.Unlock()
		http.Error(w, "display busy or closed", http.StatusServiceUnavailable)
		return
	}
	h.clients++
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.clients--
		h.mu.Unlock()
	}()
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	keepAlive := time.NewTicker(h.cfg.KeepAlive)
	defer keepAlive.Stop()
	var sent uint64
	first := true
	for {
		state, seq, changed, _ := h.k.Current()
		if first || seq != sent {
			if _, err := fmt.Fprintf(w, "id: %d\nevent: screen\ndata: %s\n\n", seq, state); err != nil {
				return
			}
			first, sent = false, seq
		}
		if err := rc.Flush(); err != nil {
			h.cfg.Logger.Debug("kiosk event stream ended", "err", err)
			return
		}
		select {
		case <-changed:
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, "event: ping\ndata: {}\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-closed:
			return
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
