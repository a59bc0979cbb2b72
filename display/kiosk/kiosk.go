package kiosk

import (
	_ "embed"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
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
	// MaxClients bounds concurrent event streams; zero means 8. When all
	// are taken the newest stream wins: the oldest one ends (the kiosk's
	// page reconnects by itself), except that a stream from another
	// machine never ends one from this machine (the local kiosk).
	MaxClients int
	// WriteTimeout bounds writing one event; a page that stops reading
	// loses its stream. Zero means 10 s.
	WriteTimeout time.Duration
	Logger       *slog.Logger
}

type handler struct {
	k   *display.Kiosk
	cfg Config

	mu      sync.Mutex
	streams []*stream // open event streams, oldest first
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
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
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
	case "/logo.png":
		// The picture LoadLogo checked at start, from memory.
		logo := h.k.LogoPNG()
		if logo == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(logo)
	default:
		http.NotFound(w, r)
	}
}

// stream is one open event stream.
type stream struct {
	local bool          // from this machine: the kiosk's own browser
	end   chan struct{} // closed when a newer stream takes the slot
}

// evict picks the stream a new one replaces when every slot is taken:
// the oldest from another machine, else, for a local newcomer, the oldest
// local one. -1: the newcomer is refused (only a remote one, when every
// stream is local).
func evict(streams []*stream, newLocal bool) int {
	for i, s := range streams {
		if !s.local {
			return i
		}
	}
	if newLocal && len(streams) > 0 {
		return 0
	}
	return -1
}

// isLocal reports whether a request comes from this machine.
func isLocal(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// join takes a slot for a new stream, ending another if it must; nil when
// the slots are all the local kiosk's.
func (h *handler) join(local bool) *stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.streams) >= h.cfg.MaxClients {
		i := evict(h.streams, local)
		if i < 0 {
			return nil
		}
		close(h.streams[i].end)
		h.streams = slices.Delete(h.streams, i, i+1)
		h.cfg.Logger.Info("kiosk event stream replaced by a newer one", "local", local)
	}
	s := &stream{local: local, end: make(chan struct{})}
	h.streams = append(h.streams, s)
	return s
}

func (h *handler) leave(s *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if i := slices.Index(h.streams, s); i >= 0 {
		h.streams = slices.Delete(h.streams, i, i+1)
	}
}

// serveEvents streams the state: the current one at once, then every
// change, with comments as keep-alives. "retry" makes EventSource reconnect
// after a second when posd restarts or the stream drops. Every write has
// its own deadline, so a page that stops reading ends its stream instead
// of holding it; the server's read deadline is lifted, as the page sends
// nothing more.
func (h *handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_, _, _, closed := h.k.Current()
	var me *stream
	if !isClosed(closed) {
		me = h.join(isLocal(r))
	}
	if me == nil {
		http.Error(w, "display busy or closed", http.StatusServiceUnavailable)
		return
	}
	defer h.leave(me)
	_ = rc.SetReadDeadline(time.Time{}) // not every ResponseWriter has one
	write := func(format string, args ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(h.cfg.WriteTimeout))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		if err := rc.Flush(); err != nil {
			h.cfg.Logger.Debug("kiosk event stream ended", "err", err)
			return false
		}
		return true
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if !write("retry: 1000\n\n") {
		return
	}
	keepAlive := time.NewTicker(h.cfg.KeepAlive)
	defer keepAlive.Stop()
	var sent uint64
	first := true
	for {
		state, seq, changed, _ := h.k.Current()
		if first || seq != sent {
			if !write("id: %d\nevent: screen\ndata: %s\n\n", seq, state) {
				return
			}
			first, sent = false, seq
		}
		select {
		case <-changed:
		case <-keepAlive.C:
			if !write("event: ping\ndata: {}\n\n") {
				return
			}
		case <-r.Context().Done():
			return
		case <-me.end:
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
