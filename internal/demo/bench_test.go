package demo

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/daemon"
)

// BenchmarkEnterToQR measures what the cashier and the customer wait for:
// from the keypad's Enter to the frame with the payment QR written to the
// customer display (here the kiosk page's state), through the outbox's
// fsync'd commit, a signed pay over TLS to the in-process amssim with no
// injected delay, its verified reply and the render. Each iteration is one
// payment, cancelled afterwards. Run 200 payments with
//
//	go test -run '^$' -bench EnterToQR -benchtime 200x ./internal/demo
//
// posd alone: the simulator keeps no ledger file (no fsync of its own), and
// the time its handler spent on each pay (verifying, deciding, signing: the
// gateway's share of a real round trip) is taken off that payment's time.
// Reported: posd-ms-median and posd-ms-p99 (posd alone, the goal is 10 ms
// plus the round trip), ms-median and ms-p99 (everything), gw-ms-p99 (the
// simulator's handler).
func BenchmarkEnterToQR(b *testing.B) {
	if testing.Short() {
		b.Skip("starts a whole demo; run without -short")
	}
	dir := b.TempDir()
	frames := make(chan display.Screen, 16)
	desks := make(chan daemon.Desk, 1)
	ready := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var inGateway atomic.Int64 // nanoseconds the simulator spent on pay calls
	timeGateway := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			h.ServeHTTP(w, r)
			if strings.HasSuffix(r.URL.Path, "/payments/pay") {
				inGateway.Add(int64(time.Since(start)))
			}
		})
	}
	go func() {
		done <- Run(ctx, Options{Dir: dir, HTTP: testenv.FreeAddr(b), Gateway: testenv.FreeAddr(b), Ephemeral: true, WrapGateway: timeGateway,
			Tweak: func(o *daemon.Options) {
				extra := o.Extra
				o.Extra = func(dk daemon.Desk) http.Handler { desks <- dk; return extra(dk) }
				o.Shown = func(s display.Screen) { frames <- s }
				o.Ready = func(*daemon.Daemon) { close(ready) }
			}})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	select {
	case <-ready:
	case err := <-done:
		b.Fatal(err)
	}
	dk := <-desks
	keys := func(s string) {
		if err := dk.Keys(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
	waitFor := func(kind display.Kind) {
		timeout := time.After(30 * time.Second)
		for {
			select {
			case f := <-frames:
				if f.Kind == kind {
					return
				}
			case <-timeout:
				b.Fatalf("no %v frame", kind)
			}
		}
	}
	var samples, alone, gateway []time.Duration
	b.ResetTimer()
	for range b.N {
		keys("1.00")
		waitFor(display.AmountEntry)
		inGateway.Store(0)
		start := time.Now()
		keys("<ENTER>")
		waitFor(display.Waiting)
		took, gw := time.Since(start), time.Duration(inGateway.Load())
		samples, alone, gateway = append(samples, took), append(alone, took-gw), append(gateway, gw)
		b.StopTimer()
		keys("<CANCEL>")
		waitFor(display.Cancelled)
		b.StartTimer()
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		slices.Sort(ds)
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(alone, 0.5), "posd-ms-median")
	b.ReportMetric(pct(alone, 0.99), "posd-ms-p99")
	b.ReportMetric(pct(samples, 0.5), "ms-median")
	b.ReportMetric(pct(samples, 0.99), "ms-p99")
	b.ReportMetric(pct(gateway, 0.99), "gw-ms-p99")
	b.ReportMetric(0, "ns/op") // the per-op mean mixes in the cancels' pauses; the percentiles are the figure
}
