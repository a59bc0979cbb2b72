package alipay

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NotificationAck is the fixed acknowledgement AMS expects; any other reply
// makes the platform resend (https://docs.antom.com/ac/ams/paymentrn,
// https://docs.antom.com/ac/ams/nrs).
const NotificationAck = `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`

// notAcked is what the handler answers when it did not take the
// notification; like the reference SDK it says U so the platform retries.
const notAcked = `{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U","resultMessage":"not processed"}}`

// DefaultNotifyMaxAge is how far a notification's Request-Time may be from
// the local clock. It assumes each platform retry is signed afresh with a
// new Request-Time (unconfirmed: if retries replayed the first time, those
// older than the window would be refused, and inquiry remains the backstop).
// Keep the clock NTP-synchronised.
const DefaultNotifyMaxAge = 15 * time.Minute

// NotifyConfig configures a NotificationHandler.
type NotifyConfig struct {
	PlatformPublicKey *rsa.PublicKey // required
	// Handle receives every verified payment and registration notification.
	// It must be idempotent (duplicates are normal) and return nil only once
	// the event is durably recorded: the acknowledgement follows its success.
	Handle func(ctx context.Context, n Notification) error
	// ClientID, when set, must equal the notification's Client-Id header.
	ClientID string
	// Path is the path signed by the platform: the path of the notification
	// URL as configured (paymentNotifyUrl). Empty: the path the request
	// arrived on, which is right unless a proxy rewrites it.
	Path string
	// MaxAge bounds |now - Request-Time|; 0 means DefaultNotifyMaxAge,
	// negative disables the check.
	MaxAge time.Duration
	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: no logs
}

// NotificationHandler is an http.Handler for notifyPayment and
// notifyRegistrationStatus. It verifies the signature before reading the
// body as JSON, refuses bodies over MaxBodyBytes and stale Request-Times,
// hands the event to Handle and acknowledges only after Handle succeeded.
type NotificationHandler struct{ cfg NotifyConfig }

// NewNotificationHandler checks cfg and returns the handler.
func NewNotificationHandler(cfg NotifyConfig) (*NotificationHandler, error) {
	if cfg.PlatformPublicKey == nil || cfg.PlatformPublicKey.N == nil {
		return nil, fmt.Errorf("%w: NotifyConfig.PlatformPublicKey is required", ErrKeyFormat)
	}
	if cfg.Handle == nil {
		return nil, errors.New("alipay: NotifyConfig.Handle is required")
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultNotifyMaxAge
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &NotificationHandler{cfg: cfg}, nil
}

func (h *NotificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, n, err := h.receive(w, r)
	log := h.cfg.Logger.With(slog.String("kind", n.Kind.String()))
	if n.Payment != nil {
		log = log.With(slog.String("paymentRequestId", n.Payment.PaymentRequestID), slog.String("outcome", n.Payment.Outcome().String()))
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if err != nil {
		log.LogAttrs(r.Context(), slog.LevelWarn, "notification refused", slog.Int("http_status", status), slog.String("error", err.Error()))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, notAcked)
		return
	}
	level := slog.LevelInfo
	if n.Kind == NotificationOther {
		level = slog.LevelWarn // acknowledged unread, so the platform stops resending
	}
	log.LogAttrs(r.Context(), level, "notification acknowledged")
	_, _ = io.WriteString(w, NotificationAck)
}

// receive verifies, decodes and dispatches one notification; a nil error
// means acknowledge.
func (h *NotificationHandler) receive(w http.ResponseWriter, r *http.Request) (int, Notification, error) {
	var n Notification
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, n, fmt.Errorf("method %s", r.Method)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return http.StatusRequestEntityTooLarge, n, fmt.Errorf("body over %d bytes", MaxBodyBytes)
		}
		return http.StatusBadRequest, n, fmt.Errorf("reading body: %w", err)
	}
	clientID, requestTime := r.Header.Get("Client-Id"), r.Header.Get("Request-Time")
	if h.cfg.ClientID != "" && clientID != h.cfg.ClientID {
		return http.StatusUnauthorized, n, fmt.Errorf("%w: Client-Id %q", ErrUnverified, truncate(clientID, 64))
	}
	path := h.cfg.Path
	if path == "" {
		path = r.URL.EscapedPath()
	}
	if err := Verify(h.cfg.PlatformPublicKey, r.Method, path, clientID, requestTime, body, r.Header.Get("Signature")); err != nil {
		return http.StatusUnauthorized, n, fmt.Errorf("%w: %w", ErrUnverified, err)
	}
	if err := checkFresh(requestTime, h.cfg.Now(), h.cfg.MaxAge); err != nil {
		return http.StatusBadRequest, n, err
	}
	// Verified: now the body may be parsed.
	n, err = DecodeNotification(body)
	if err != nil {
		return http.StatusBadRequest, n, err
	}
	n.ClientID, n.RequestTime = clientID, requestTime
	if n.Kind == NotificationOther {
		return http.StatusOK, n, nil // acknowledged so the platform stops; logged by the caller
	}
	if err := h.cfg.Handle(r.Context(), n); err != nil {
		return http.StatusInternalServerError, n, fmt.Errorf("handler: %w", err)
	}
	return http.StatusOK, n, nil
}

// ParseRequestTime reads a Request-Time header: epoch milliseconds
// ("1685599933871") or ISO 8601 with offset and optional fraction
// ("2019-07-12T12:08:56.253+05:30").
func ParseRequestTime(v string) (time.Time, error) {
	if v != "" && strings.Trim(v, "0123456789") == "" && len(v) <= 16 {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return time.UnixMilli(ms), nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("alipay: Request-Time %q is neither epoch milliseconds nor ISO 8601", truncate(v, 40))
	}
	return t, nil
}

// checkFresh refuses a time further than maxAge from now in either
// direction; maxAge < 0 disables the check.
func checkFresh(requestTime string, now time.Time, maxAge time.Duration) error {
	if maxAge < 0 {
		return nil
	}
	t, err := ParseRequestTime(requestTime)
	if err != nil {
		return err
	}
	if d := now.Sub(t); d > maxAge || d < -maxAge {
		return fmt.Errorf("%w: %s is %v from now", ErrStaleNotification, requestTime, d.Round(time.Second))
	}
	return nil
}
