package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
)

// The Entry Code page (https://docs.antom.com/ac/ams/ec): the customer
// scans the till's static code with the Alipay wallet, types the amount
// here and is sent on to the wallet's confirmation. The page faces the
// internet: everything a request carries is hostile, and nothing a
// stranger does here refunds, cancels or reads another payment.

// ErrTillBusy is the entry page's refusal while the till is busy with
// another sale (or, in preset mode, offers no amount): the till could not
// follow the customer's payment.
var ErrTillBusy = errors.New("posd: the till is busy")

// entryDoor is what the entry page needs of the till.
type entryDoor interface {
	// startEntry commits an Entry Code payment of amount for the wallet
	// userAgent (sent as received) and returns its paymentRequestId.
	startEntry(ctx context.Context, amount money.Amount, userAgent string) (string, error)
	// payment is a payment's current state.
	payment(id string) (queue.Payment, error)
	// offered is the amount the cashier offers in preset mode, if any.
	offered() (money.Amount, bool)
}

// entryConfig is what the page shows and accepts.
type entryConfig struct {
	Path     string // the entry URL's path; the result page is Path + "/result/ID"
	Origin   string // scheme://host of the entry URL: a POST's Origin must be it
	Merchant string
	Store    string
	Currency money.Currency
	Min, Max money.Amount
	Preset   bool
	// Wait bounds how long a POST waits for the gateway's redirectUrl
	// before sending the customer to the result page instead.
	Wait time.Duration
}

// Entry page limits. The form is two short fields; a token lives as long
// as a customer could plausibly look at the page.
const (
	maxEntryBody   = 512
	maxEntryForms  = 2048
	entryFormTTL   = 15 * time.Minute
	entryTokenSize = 16
	// Per client address: a burst of 20 requests, then one every 3 s.
	entryBurst    = 20
	entryRefill   = 3 * time.Second
	maxEntryPeers = 4096
)

type entryHandler struct {
	cfg   entryConfig
	door  entryDoor
	forms *entryForms
	rate  *rateLimiter
	now   func() time.Time
	log   *slog.Logger
}

func newEntryHandler(cfg entryConfig, door entryDoor, now func() time.Time, log *slog.Logger) *entryHandler {
	if cfg.Wait <= 0 {
		cfg.Wait = 20 * time.Second
	}
	return &entryHandler{cfg: cfg, door: door, now: now, log: log,
		forms: &entryForms{m: map[string]*entryForm{}, max: maxEntryForms, ttl: entryFormTTL},
		rate:  &rateLimiter{peers: map[string]time.Time{}, burst: entryBurst, every: entryRefill, max: maxEntryPeers}}
}

// routes mounts the entry page and its result page on mux.
func (h *entryHandler) routes(mux *http.ServeMux) {
	mux.Handle(h.cfg.Path, h)
	mux.Handle(h.cfg.Path+"/result/", h)
}

// isAlipay reports whether a User-Agent is the Alipay wallet's: it names
// AlipayClient (https://docs.antom.com/ac/ams/ec).
func isAlipay(ua string) bool { return strings.Contains(ua, "AlipayClient") }

func (h *entryHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	// No script, no frames, no third-party anything; form-action is left
	// open because the POST is answered with a redirect to the wallet.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: with no-referrer browsers send
	// "Origin: null" on the form POST, which sameOrigin must refuse.
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	if !h.rate.allow(peerOf(r), h.now()) {
		hd.Set("Retry-After", fmt.Sprint(int(entryRefill/time.Second)))
		h.page(w, r, http.StatusTooManyRequests, pageView{Notice: txtTooMany})
		return
	}
	switch {
	case r.URL.Path == h.cfg.Path:
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h.show(w, r)
		case http.MethodPost:
			h.submit(w, r)
		default:
			hd.Set("Allow", "GET, HEAD, POST")
			h.page(w, r, http.StatusMethodNotAllowed, pageView{Notice: txtNotFound})
		}
	case strings.HasPrefix(r.URL.Path, h.cfg.Path+"/result/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h.result(w, r, strings.TrimPrefix(r.URL.Path, h.cfg.Path+"/result/"))
	default:
		h.page(w, r, http.StatusNotFound, pageView{Notice: txtNotFound})
	}
}

// peerOf is the client's address without the port.
func peerOf(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// show serves the entry page: the form to an Alipay wallet, a hint to
// anyone else.
func (h *entryHandler) show(w http.ResponseWriter, r *http.Request) {
	if !isAlipay(r.UserAgent()) {
		h.page(w, r, http.StatusOK, pageView{Notice: txtOpenInAlipay})
		return
	}
	var preset money.Amount
	if h.cfg.Preset {
		a, ok := h.door.offered()
		if !ok {
			h.page(w, r, http.StatusOK, pageView{Notice: txtAskCashier})
			return
		}
		preset = a
	}
	token := h.forms.issue(preset, h.now())
	h.page(w, r, http.StatusOK, pageView{Form: true, Token: token, Preset: preset})
}

// submit takes the form: one payment per form, however often it is sent.
func (h *entryHandler) submit(w http.ResponseWriter, r *http.Request) {
	ua := r.UserAgent()
	if !isAlipay(ua) {
		h.page(w, r, http.StatusForbidden, pageView{Notice: txtOpenInAlipay})
		return
	}
	if !h.sameOrigin(r) {
		h.page(w, r, http.StatusForbidden, pageView{Notice: txtExpired})
		return
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/x-www-form-urlencoded" {
		h.page(w, r, http.StatusUnsupportedMediaType, pageView{Notice: txtNotFound})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEntryBody))
	if err != nil {
		h.page(w, r, http.StatusRequestEntityTooLarge, pageView{Notice: txtExpired})
		return
	}
	form, err := parseEntryForm(string(body))
	if err != nil {
		h.page(w, r, http.StatusBadRequest, pageView{Notice: txtExpired})
		return
	}
	f, ok := h.forms.get(form.Token, h.now())
	if !ok {
		h.page(w, r, http.StatusForbidden, pageView{Notice: txtExpired})
		return
	}
	amount, problem := h.amount(form.Amount, f.preset)
	if problem != "" {
		// The form stays valid: the customer corrects the amount.
		h.page(w, r, http.StatusUnprocessableEntity, pageView{Form: true, Token: form.Token, Preset: f.preset, Notice: problem, Typed: form.Amount})
		return
	}
	id, err := f.claim(r.Context(), func() (string, error) { return h.door.startEntry(r.Context(), amount, ua) })
	switch {
	case errors.Is(err, ErrTillBusy):
		h.page(w, r, http.StatusConflict, pageView{Notice: txtBusy})
		return
	case err != nil:
		h.log.Warn("entry code payment not started", "err", err)
		h.page(w, r, http.StatusServiceUnavailable, pageView{Notice: txtUnavailable})
		return
	}
	h.redirect(w, r, id)
}

// amount reads the typed amount: the till's currency and bounds; in preset
// mode it must be the amount offered.
func (h *entryHandler) amount(text string, preset money.Amount) (money.Amount, textID) {
	if preset.Value > 0 {
		if a, err := money.Parse(h.cfg.Currency, strings.TrimSpace(text)); err != nil || a != preset {
			return money.Amount{}, txtChanged
		}
		return preset, ""
	}
	a, err := money.Parse(h.cfg.Currency, strings.TrimSpace(text))
	switch {
	case err != nil || a.Validate() != nil:
		return a, txtBadAmount
	case h.cfg.Min.Value > 0 && a.Value < h.cfg.Min.Value:
		return a, txtTooSmall
	case h.cfg.Max.Value > 0 && a.Value > h.cfg.Max.Value:
		return a, txtTooLarge
	}
	return a, ""
}

// sameOrigin refuses a POST another site's page makes a browser send: its
// Origin (sent on every form POST by current browsers) must be the entry
// URL's, and Sec-Fetch-Site must not say cross-site.
func (h *entryHandler) sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s == "cross-site" || s == "same-site" {
		return false
	}
	o := r.Header.Get("Origin")
	return o == "" || strings.EqualFold(o, h.cfg.Origin)
}

// redirect sends the wallet to the gateway's redirectUrl as soon as the
// verified pay answer carries it (303, so the wallet GETs it), or to the
// result page when it does not come in time or the payment ended.
func (h *entryHandler) redirect(w http.ResponseWriter, r *http.Request, id string) {
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.Wait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := h.door.payment(id)
		if err == nil && p.QR != "" && p.State == queue.AwaitingBuyer {
			http.Redirect(w, r, p.QR, http.StatusSeeOther)
			return
		}
		if err != nil || p.State.IsFinal() {
			break
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
			continue
		}
		break
	}
	http.Redirect(w, r, h.cfg.Path+"/result/"+url.PathEscape(id), http.StatusSeeOther)
}

// result shows a payment's verified state, for Entry Code payments only:
// the id is 96 random bits, so a stranger cannot guess another's.
func (h *entryHandler) result(w http.ResponseWriter, r *http.Request, id string) {
	p, err := h.door.payment(id)
	if id == "" || len(id) > 64 || err != nil || p.Scenario != queue.EntryCode {
		h.page(w, r, http.StatusNotFound, pageView{Notice: txtNotFound})
		return
	}
	v := pageView{Amount: p.Amount, Result: true}
	switch p.State {
	case queue.Succeeded, queue.Refunding, queue.PartiallyRefunded:
		v.Notice = txtPaid
	case queue.Refunded:
		v.Notice = txtRefunded
	case queue.Failed, queue.Cancelled:
		v.Notice = txtNotPaid
	case queue.NeedsAttention:
		v.Notice = txtChecking
	default:
		v.Notice, v.Refresh = txtProcessing, true
		if p.State == queue.AwaitingBuyer {
			v.Continue = p.QR
		}
	}
	h.page(w, r, http.StatusOK, v)
}

// entryForms are the forms handed out: a token each, for one payment.
type entryForms struct {
	mu  sync.Mutex
	m   map[string]*entryForm
	max int
	ttl time.Duration
}

// entryForm is one form handed out. Its first submission starts the
// payment; every other one (a double tap, a reload) gets the same one.
type entryForm struct {
	issued time.Time
	preset money.Amount // preset mode: the amount offered when the page was made

	mu    sync.Mutex
	state int           // 0 unclaimed, 1 starting, 2 done
	done  chan struct{} // closed when the first submission has an answer
	id    string
	err   error
}

func (fs *entryForms) issue(preset money.Amount, now time.Time) string {
	var b [entryTokenSize]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.m) >= fs.max {
		// Drop the expired; if that is not enough, the oldest: a flood of
		// GETs costs customers their open pages, never memory.
		var oldest string
		for k, f := range fs.m {
			if now.Sub(f.issued) > fs.ttl {
				delete(fs.m, k)
			} else if oldest == "" || f.issued.Before(fs.m[oldest].issued) {
				oldest = k
			}
		}
		if len(fs.m) >= fs.max {
			delete(fs.m, oldest)
		}
	}
	fs.m[token] = &entryForm{issued: now, preset: preset, done: make(chan struct{})}
	return token
}

func (fs *entryForms) get(token string, now time.Time) (*entryForm, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, ok := fs.m[token]
	if !ok || now.Sub(f.issued) > fs.ttl {
		return nil, false
	}
	return f, true
}

// claim runs start for the form's first submission; later ones wait for
// its answer and get the same payment.
func (f *entryForm) claim(ctx context.Context, start func() (string, error)) (string, error) {
	f.mu.Lock()
	if f.state == 0 {
		f.state = 1
		f.mu.Unlock()
		id, err := start()
		f.mu.Lock()
		f.id, f.err, f.state = id, err, 2
		close(f.done)
		f.mu.Unlock()
		return id, err
	}
	f.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.id, f.err
}

// entryFormFields is a submitted form.
type entryFormFields struct {
	Amount string
	Token  string
}

// errEntryForm is a form that is not the page's.
var errEntryForm = errors.New("entry form: malformed")

// parseEntryForm reads the urlencoded body: exactly the fields the page
// sends (amount and token), each once, short, and nothing else.
func parseEntryForm(body string) (entryFormFields, error) {
	var f entryFormFields
	if len(body) > maxEntryBody {
		return f, fmt.Errorf("%w: %d bytes", errEntryForm, len(body))
	}
	vals, err := url.ParseQuery(body)
	if err != nil {
		return f, fmt.Errorf("%w: %w", errEntryForm, err)
	}
	for k, v := range vals {
		if len(v) != 1 {
			return f, fmt.Errorf("%w: %q given %d times", errEntryForm, k, len(v))
		}
		switch k {
		case "amount":
			f.Amount = v[0]
		case "token":
			f.Token = v[0]
		default:
			return f, fmt.Errorf("%w: unknown field %q", errEntryForm, k)
		}
	}
	if len(f.Token) != 2*entryTokenSize || strings.Trim(f.Token, "0123456789abcdef") != "" {
		return f, fmt.Errorf("%w: token", errEntryForm)
	}
	if len(f.Amount) > 32 {
		return f, fmt.Errorf("%w: amount too long", errEntryForm)
	}
	return f, nil
}

// rateLimiter allows each client address a burst, then one request per
// interval (GCRA: a theoretical arrival time per address, integer time
// only). Behind a reverse proxy every customer shares the proxy's address,
// so the limit is then the whole page's; it still bounds what a flood
// costs the till.
type rateLimiter struct {
	mu    sync.Mutex
	peers map[string]time.Time // the theoretical arrival time
	burst int
	every time.Duration
	max   int
}

func (l *rateLimiter) allow(peer string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	tat, ok := l.peers[peer]
	if !ok && len(l.peers) >= l.max {
		// Forget the addresses that are idle again: they lose nothing.
		for k, t := range l.peers {
			if !t.After(now) {
				delete(l.peers, k)
			}
		}
		if len(l.peers) >= l.max {
			return false
		}
	}
	if tat.Before(now) {
		tat = now
	}
	if tat.Sub(now) > time.Duration(l.burst-1)*l.every {
		return false
	}
	l.peers[peer] = tat.Add(l.every)
	return true
}

// entryEndpoint is the name of the listener that serves the entry page:
// its own ("entry"), or the notification listener's.
func entryEndpoint(cfg config.Config) string {
	if cfg.EntryCode.Listen != "" && cfg.EntryCode.Listen != cfg.Alipay.NotifyListen {
		return "entry"
	}
	if cfg.Alipay.NotifyListen == cfg.Display.Listen {
		return "display"
	}
	return "notifications"
}

// entryConfigOf is the page's configuration; the POST waits for the
// wallet's URL for as long as its listener lets it write.
func entryConfigOf(cfg config.Config, u *url.URL, lim Limits) entryConfig {
	cur := money.Currency(cfg.Till.Currency)
	c := entryConfig{Path: u.Path, Origin: u.Scheme + "://" + u.Host, Merchant: cfg.Merchant.Name,
		Store: cfg.Merchant.Store, Currency: cur, Preset: cfg.EntryCode.Preset,
		Wait: min(20*time.Second, max(time.Second, lim.WriteTimeout-2*time.Second))}
	// Both were checked by config.Config.check.
	if cfg.Till.MinAmount != "" {
		c.Min, _ = money.Parse(cur, cfg.Till.MinAmount)
	}
	if cfg.Till.MaxAmount != "" {
		c.Max, _ = money.Parse(cur, cfg.Till.MaxAmount)
	}
	return c
}
