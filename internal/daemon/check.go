package daemon

import (
	"errors"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
)

// Check runs the start-up checks of New that need no device and no port:
// the keys (credential or file: presence, permissions, format, size, the
// swapped pair), the notification endpoint, the till's flow and the outbox file when it exists (opened read-only; one
// a running posd holds was checked when that posd opened it). It is what
// posd -check adds to reading the configuration. Problems are
// *config.Error, "posd.toml: [section] key: why", joined.
func Check(cfg config.Config, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	var errs []error
	_, pub, err := cfg.Keys(getenv)
	if err != nil {
		errs = append(errs, err)
	} else if cfg.Alipay.NotifyListen != "" {
		discard := slog.New(slog.DiscardHandler)
		nothing := func(string, bool) (queue.NoticeResult, error) { return queue.NoticeUnknown, nil }
		if _, err := notificationHandler(cfg.Alipay, pub, nothing, newMetrics("check", ""), discard); err != nil {
			errs = append(errs, &config.Error{File: cfg.FileName(), Where: "[alipay] notify_url", Why: err.Error(), Err: err})
		}
	}
	if _, err := terminal.NewMachine(tillConfig(cfg)); err != nil {
		errs = append(errs, &config.Error{File: cfg.FileName(), Where: "[till]", Why: err.Error(), Err: err})
	}
	if _, err := os.Lstat(cfg.Outbox.Path); err == nil {
		switch err := queue.CheckFile(cfg.Outbox.Path, 200*time.Millisecond); {
		case err == nil, errors.Is(err, queue.ErrLocked):
		default:
			why := strings.TrimPrefix(err.Error(), "queue: ")
			errs = append(errs, &config.Error{File: cfg.FileName(), Where: "[outbox] path", Why: why, Err: err})
		}
	}
	return errors.Join(errs...)
}
