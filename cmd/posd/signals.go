package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals returns a context that ends at the first SIGTERM (systemctl
// stop) or SIGINT (Ctrl-C). run then refuses new payments, lets the
// outbox engine finish its current step and returns, and posd exits 0.
// Every payment state was committed before the action it enables, so
// nothing is lost by stopping at any point; the next start resumes it.
// A second signal after the first is left to the default action (the
// process dies), for an operator who must stop a hung posd.
func stopSignals(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case <-ch:
			signal.Reset(syscall.SIGTERM, syscall.SIGINT)
			cancel()
		case <-ctx.Done():
		}
		signal.Stop(ch)
	}()
	return ctx, cancel
}
