package display

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"image"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed kiosk.html
var kioskPage string

// kioskStatePlaceholder is replaced by the current state, so the first paint
// already shows it (and a page opened while posd is busy is never blank).
const kioskStatePlaceholder = "/*STATE*/null"

// KioskConfig configures the kiosk page.
type KioskConfig struct {
	// Size is the screen the page is shown on; it picks the QR error
	// correction level. Zero means 800x480 (a 7" HDMI panel).
	Size image.Point
	// KeepAlive is the interval of SSE comments that keep proxies and the
	// page's watchdog happy; zero means 15 s.
	KeepAlive time.Duration
	// MaxClients bounds concurrent event streams; zero means 8.
	MaxClients int
	Now        func() time.Time
	Logger     *slog.Logger
}

// Kiosk is a Display that serves a full-screen web page for a browser in
// kiosk mode (chromium --kiosk --app=http://127.0.0.1:PORT/display/). The
// page gets every change over server-sent events, reconnects by itself, and
// draws the QR on a canvas at a whole number of device pixels per module.
// Kiosk is an http.Handler: mount it with
// mux.Handle("/display/", http.StripPrefix("/display", kiosk)).
type Kiosk struct {
	cfg      KioskConfig
	renderer *Renderer

	mu      sync.Mutex
	state   []byte        // JSON of the current screen
	key     []byte        // state without clock readings: equal keys, same picture
	seq     uint64        // increases with every state change
	changed chan struct{} // closed and replaced on every change
	clients int
	closed  bool
	done    chan struct{}
}

// kioskState is what the page receives.
type kioskState struct {
	Seq     uint64      `json:"seq"`
	Kind    string      `json:"kind"`
	Lines   []kioskLine `json:"lines"`
	QR      []string    `json:"qr,omitempty"` // rows of '0'/'1', quiet zone included
	QRLevel string      `json:"qrLevel,omitempty"`
	// ExpiresAt and Now are Unix milliseconds: the page counts down itself
	// and corrects for its own clock with Now.
	ExpiresAt int64 `json:"expiresAt,omitempty"`
	Now       int64 `json:"now"`
}

type kioskLine struct {
	Text      string `json:"text"`
	Role      string `json:"role"`
	Color     string `json:"color"`
	Countdown bool   `json:"countdown,omitempty"`
}

// NewKiosk returns a kiosk showing the idle screen.
func NewKiosk(cfg KioskConfig) *Kiosk {
	if cfg.Size == (image.Point{}) {
		cfg.Size = image.Pt(800, 480)
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	k := &Kiosk{cfg: cfg, renderer: NewRenderer(Options{}), changed: make(chan struct{}), done: make(chan struct{})}
	st, _ := k.encode(Screen{Kind: Idle})
	k.state, k.key = st.marshal()
	return k
}

var roleNames = [...]string{small: "small", body: "body", title: "title", amount: "amount"}

func (k *Kiosk) encode(s Screen) (kioskState, error) {
	now := k.cfg.Now()
	st := kioskState{Kind: s.Kind.String(), Now: now.UnixMilli()}
	for _, l := range screenLines(s, now, false) {
		r, g, b, _ := Palette[l.color].RGBA()
		st.Lines = append(st.Lines, kioskLine{Text: l.text, Role: roleNames[l.role],
			Color: fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8), Countdown: l.countdown})
	}
	var qrErr error
	if s.showsQR(now) {
		plan, err := k.renderer.plan(s.QR, min(k.cfg.Size.X, k.cfg.Size.Y))
		if err != nil {
			qrErr = err
			// The page may still manage on a bigger screen: send level L.
			plan, err = PlanQR(s.QR, 1<<20)
		}
		if err == nil {
			st.QRLevel = plan.LevelName()
			for _, row := range plan.Bitmap {
				var b strings.Builder
				for _, dark := range row {
					b.WriteByte('0' + boolByte(dark))
				}
				st.QR = append(st.QR, b.String())
			}
			st.ExpiresAt = s.ExpiresAt.UnixMilli()
		}
	}
	return st, qrErr
}

// marshal returns the JSON sent to pages and a key that leaves out the
// clock readings (now, the countdown text), so showing the same screen
// again every second sends nothing.
func (st kioskState) marshal() (data, key []byte) {
	data, _ = json.Marshal(st) // cannot fail: strings and numbers; escapes <, > and & for <script>
	st.Seq, st.Now = 0, 0
	st.Lines = append([]kioskLine(nil), st.Lines...)
	for i := range st.Lines {
		if st.Lines[i].Countdown {
			st.Lines[i].Text = ""
		}
	}
	key, _ = json.Marshal(st)
	return data, key
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Show publishes s to every open page. The page itself decides whether the
// code fits its real size; a code too large for the configured Size is
// still sent and ErrQRTooLarge returned so the cashier can be told.
func (k *Kiosk) Show(ctx context.Context, s Screen) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return ErrClosed
	}
	st, qrErr := k.encode(s)
	st.Seq = k.seq + 1
	data, key := st.marshal()
	if !bytes.Equal(key, k.key) {
		k.seq++
		k.state, k.key = data, key
		close(k.changed)
		k.changed = make(chan struct{})
	}
	if qrErr != nil {
		return fmt.Errorf("kiosk: %w", qrErr)
	}
	return nil
}

// Close ends every event stream; the pages keep trying to reconnect.
func (k *Kiosk) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.closed {
		k.closed = true
		close(k.done)
	}
	return nil
}

// ServeHTTP serves the page at "/", the event stream at "/events" and the
// current state as JSON at "/state", relative to where it is mounted.
func (k *Kiosk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	k.mu.Lock()
	state := k.state
	k.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case "":
		// Mounted at /display and asked for /display: the page's relative
		// URLs need the trailing slash.
		http.Redirect(w, r, strings.SplitN(r.RequestURI, "?", 2)[0]+"/", http.StatusMovedPermanently)
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		fmt.Fprint(w, strings.Replace(kioskPage, kioskStatePlaceholder, string(state), 1))
	case "/state":
		w.Header().Set("Content-Type", "application/json")
		w.Write(state)
	case "/events":
		k.serveEvents(w, r)
	default:
		http.NotFound(w, r)
	}
}

// serveEvents streams the state: the current one at once, then every
// change, with comments as keep-alives. "retry" makes EventSource reconnect
// after a second when posd restarts or the stream drops.
func (k *Kiosk) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	k.mu.Lock()
	if k.closed || k.clients >= k.cfg.MaxClients {
		k.mu.Unlock()
		http.Error(w, "display busy or closed", http.StatusServiceUnavailable)
		return
	}
	k.clients++
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.clients--
		k.mu.Unlock()
	}()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	keepAlive := time.NewTicker(k.cfg.KeepAlive)
	defer keepAlive.Stop()
	var sent uint64
	first := true
	for {
		k.mu.Lock()
		state, seq, changed := k.state, k.seq, k.changed
		k.mu.Unlock()
		if first || seq != sent {
			if _, err := fmt.Fprintf(w, "id: %d\nevent: screen\ndata: %s\n\n", seq, state); err != nil {
				return
			}
			first, sent = false, seq
		}
		if err := rc.Flush(); err != nil {
			k.cfg.Logger.Debug("kiosk event stream ended", "err", err)
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
		case <-k.done:
			return
		}
	}
}
