package display

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"strings"
	"sync"
	"time"

	"github.com/posd/posd/internal/lang"
)

// KioskConfig configures the kiosk page.
type KioskConfig struct {
	// Size is the screen the page is shown on; it picks the QR error
	// correction level. Zero means 800x480 (a 7" HDMI panel).
	Size image.Point
	Now  func() time.Time
	// Languages of the texts, main one first; none means English.
	Languages []lang.Lang
	// Logo is the acceptance mark ([display] logo) as LoadLogo read it;
	// the page shows it on the idle and amount screens, as the panels do.
	Logo *image.Paletted
}

// Kiosk is a Display for a full-screen web page in a browser in kiosk mode
// (chromium --kiosk --app=http://127.0.0.1:PORT/display/). It keeps the
// screen as the JSON state the page draws (Current); package
// display/kiosk serves the page and streams every change to it, so this
// package needs no HTTP server.
type Kiosk struct {
	cfg      KioskConfig
	renderer *Renderer
	logo     []byte // the logo as PNG, encoded once; nil: none

	mu      sync.Mutex
	state   []byte        // JSON of the current screen
	key     []byte        // state without clock readings: equal keys, same picture
	seq     uint64        // increases with every state change
	changed chan struct{} // closed and replaced on every change
	closed  bool
	done    chan struct{}
}

// KioskState is what the page receives.
type KioskState struct {
	Seq     uint64      `json:"seq"`
	Kind    string      `json:"kind"`
	Lines   []KioskLine `json:"lines"`
	QR      []string    `json:"qr,omitempty"` // rows of '0'/'1', quiet zone included
	QRLevel string      `json:"qrLevel,omitempty"`
	// ExpiresAt and Now are Unix milliseconds: the page counts down itself
	// and corrects for its own clock with Now.
	ExpiresAt int64 `json:"expiresAt,omitempty"`
	Now       int64 `json:"now"`
	// The page's own words, in the main language: the countdown it
	// redraws every second and the note when the code does not fit.
	ExpiresIn string `json:"expiresIn,omitempty"`
	Expired   string `json:"expired,omitempty"`
	TooLong   string `json:"tooLong,omitempty"`
	// Logo says the page shows the acceptance mark (logo.png) above the text.
	Logo bool `json:"logo,omitempty"`
}

// KioskLine is one line of text on the page.
type KioskLine struct {
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
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	k := &Kiosk{cfg: cfg, renderer: NewRenderer(Options{}), changed: make(chan struct{}), done: make(chan struct{})}
	if cfg.Logo != nil {
		var b bytes.Buffer
		if err := png.Encode(&b, cfg.Logo); err == nil { // a paletted image in memory: cannot fail
			k.logo = b.Bytes()
		}
	}
	st, _ := k.encode(Screen{Kind: Idle})
	k.state, k.key = st.marshal()
	return k
}

var roleNames = [...]string{small: "small", body: "body", title: "title", amount: "amount"}

func (k *Kiosk) encode(s Screen) (KioskState, error) {
	now := k.cfg.Now()
	st := KioskState{Kind: s.Kind.String(), Now: now.UnixMilli(), Logo: k.logo != nil && (s.Kind == Idle || s.Kind == AmountEntry)}
	if len(k.cfg.Languages) > 0 && k.cfg.Languages[0].Chinese() {
		l := k.cfg.Languages[0]
		st.ExpiresIn, st.Expired = l.T(countdownPrefix), l.T("Code expired")
		st.TooLong = l.T("Code too long for this screen") + ", " + l.T("Please ask the cashier")
	}
	for _, l := range screenLines(s, now, false, k.cfg.Languages) {
		r, g, b, _ := Palette[l.color].RGBA()
		st.Lines = append(st.Lines, KioskLine{Text: l.text, Role: roleNames[l.role],
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
			if !s.ExpiresAt.IsZero() {
				st.ExpiresAt = s.ExpiresAt.UnixMilli()
			}
		}
	}
	return st, qrErr
}

// marshal returns the JSON sent to pages and a key that leaves out the
// clock readings (now, the countdown text), so showing the same screen
// again every second sends nothing.
func (st KioskState) marshal() (data, key []byte) {
	data, _ = json.Marshal(st) // cannot fail: strings and numbers; escapes <, > and & for <script>
	st.Seq, st.Now = 0, 0
	st.Lines = append([]KioskLine(nil), st.Lines...)
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

// LogoPNG is the acceptance mark the page shows, as PNG; nil when none is
// configured. It is the picture LoadLogo checked and decoded, encoded
// again: never a file the request names.
func (k *Kiosk) LogoPNG() []byte { return k.logo }

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

// Current returns the state the page draws (JSON; see KioskState), its
// sequence number, a channel closed at the next change and one closed when
// the kiosk closes.
func (k *Kiosk) Current() (state []byte, seq uint64, changed, closed <-chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.state, k.seq, k.changed, k.done
}
