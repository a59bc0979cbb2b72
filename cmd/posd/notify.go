package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// notifier speaks systemd's sd_notify protocol: one datagram per message on
// the unix socket named by $NOTIFY_SOCKET (https://www.freedesktop.org/software/systemd/man/sd_notify.html).
// Without the variable (not under systemd, or Type=simple) it does nothing.
type notifier struct {
	addr *net.UnixAddr
}

// newNotifier reads $NOTIFY_SOCKET through getenv. A name starting with
// "@" is an abstract socket.
func newNotifier(getenv func(string) string) *notifier {
	name := getenv("NOTIFY_SOCKET")
	if name == "" {
		return &notifier{}
	}
	if name[0] == '@' {
		name = "\x00" + name[1:]
	}
	return &notifier{addr: &net.UnixAddr{Name: name, Net: "unixgram"}}
}

// enabled reports whether posd runs under a supervisor that listens.
func (n *notifier) enabled() bool { return n.addr != nil }

// send delivers one message, e.g. "READY=1\nSTATUS=taking payments".
func (n *notifier) send(msg string) error {
	if n.addr == nil {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer conn.Close()
	// A supervisor that stopped reading must not hold posd: a full socket
	// makes the write fail instead of wait.
	if err := conn.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	if _, err := conn.Write([]byte(msg)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}

func (n *notifier) ready(status string) error  { return n.send("READY=1\nSTATUS=" + status) }
func (n *notifier) status(status string) error { return n.send("STATUS=" + status) }
func (n *notifier) stopping() error            { return n.send("STOPPING=1\nSTATUS=stopping") }

// watchdogInterval returns how often to ping: half of $WATCHDOG_USEC, as
// sd_watchdog_enabled(3) advises, and only when $WATCHDOG_PID (if set) is
// this process.
func watchdogInterval(getenv func(string) string, pid int) (time.Duration, bool) {
	usec, err := strconv.ParseInt(getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return 0, false
	}
	if p := getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(pid) {
		return 0, false
	}
	return time.Duration(usec) * time.Microsecond / 2, true
}

// watchdog sends WATCHDOG=1 at every tick for which alive reports the
// engine loop healthy, so a wedged engine stops the pings and systemd
// restarts posd. alive gets a deadline of one tick period at most.
func (n *notifier) watchdog(ctx context.Context, ticks <-chan time.Time, alive func(context.Context) bool) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			if alive(ctx) {
				_ = n.send("WATCHDOG=1") // a lost ping is retried at the next tick
			}
		}
	}
}

// startWatchdog runs watchdog when systemd asked for one.
func (n *notifier) startWatchdog(ctx context.Context, alive func(context.Context) bool) {
	every, ok := watchdogInterval(os.Getenv, os.Getpid())
	if !ok || !n.enabled() {
		return
	}
	t := time.NewTicker(every)
	go func() {
		defer t.Stop()
		n.watchdog(ctx, t.C, func(ctx context.Context) bool {
			ctx, cancel := context.WithTimeout(ctx, every)
			defer cancel()
			return alive(ctx)
		})
	}()
}
