package daemon

import (
	"context"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/internal/config"
)

// notificationHandler verifies Alipay's notifications. A payment
// notification only brings that payment's next inquiry forward (notified):
// polling stays the source of truth, so a notification decides nothing
// and acknowledging it needs nothing stored.
func notificationHandler(cfg config.Alipay, pub *rsa.PublicKey, notified func(paymentRequestID string) bool, log *slog.Logger) (http.Handler, error) {
	return alipay.NewNotificationHandler(alipay.NotifyConfig{
		PlatformPublicKey: pub, ClientID: cfg.ClientID, Logger: log.With("component", "notify"),
		Path: notifyPathOf(cfg.NotifyURL),
		Handle: func(_ context.Context, n alipay.Notification) error {
			if n.Kind == alipay.NotificationPayment && n.Payment != nil {
				early := notified(n.Payment.PaymentRequestID)
				log.Info("payment notification", "paymentRequestId", n.Payment.PaymentRequestID, "inquiry_brought_forward", early)
			}
			return nil
		},
	})
}

// notifyPathOf is the path of the notification URL, which the platform signs.
func notifyPathOf(notifyURL string) string {
	if u, err := url.Parse(notifyURL); err == nil && u.Path != "" {
		return u.Path
	}
	return "/"
}
