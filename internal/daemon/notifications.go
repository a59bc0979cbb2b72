package daemon

import (
	"context"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/queue"
)

// notificationHandler verifies Alipay's notifications and hands each
// payment notification to the outbox (queue.Engine.Notice), which decides
// nothing from it: a pending payment's next inquiry is brought forward, a
// payment posd closed unpaid is reopened for an inquiry when the
// notification says it succeeded (committed before the acknowledgement,
// so a crash in between makes the gateway send it again). A notification
// for a paymentRequestId the outbox does not hold is logged and counted.
func notificationHandler(cfg config.Alipay, pub *rsa.PublicKey, notice func(paymentRequestID string, success bool) (queue.NoticeResult, error), m *metrics, log *slog.Logger) (http.Handler, error) {
	return alipay.NewNotificationHandler(alipay.NotifyConfig{
		PlatformPublicKey: pub, ClientID: cfg.ClientID, Logger: log.With("component", "notify"),
		Path: notifyPathOf(cfg.NotifyURL),
		Handle: func(_ context.Context, n alipay.Notification) error {
			if n.Kind != alipay.NotificationPayment || n.Payment == nil {
				return nil
			}
			id := n.Payment.PaymentRequestID
			success := n.Payment.Outcome() == alipay.OutcomeSuccess
			res, err := notice(id, success)
			if err != nil {
				return err // not acknowledged: the gateway sends it again
			}
			m.notification(noticeNames[res])
			if res == queue.NoticeUnknown {
				log.Warn("payment notification for a payment posd does not hold", "paymentRequestId", id, "success", success)
				return nil
			}
			log.Info("payment notification", "paymentRequestId", id, "success", success, "result", noticeNames[res])
			return nil
		},
	})
}

// noticeNames label posd_notifications_total.
var noticeNames = map[queue.NoticeResult]string{
	queue.NoticeUnknown: "unknown_payment", queue.NoticeNothing: "nothing_to_do",
	queue.NoticeInquiry: "inquiry_brought_forward", queue.NoticeRecheck: "closed_payment_rechecked",
}

// notifyPathOf is the path of the notification URL, which the platform signs.
func notifyPathOf(notifyURL string) string {
	if u, err := url.Parse(notifyURL); err == nil && u.Path != "" {
		return u.Path
	}
	return "/"
}
