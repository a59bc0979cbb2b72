package demo

import (
	"context"
	"net/http"
	"slices"
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
// The median and the 99th percentile are reported as ms-median and ms-p99.
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
	go func() {
		done <- Run(ctx, Options{Dir: dir, HTTP: testenv.FreeAddr(b), Gateway: testenv.FreeAddr(b), Tweak: func(o *daemon.Options) {
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
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		keys("1.00")
		waitFor(display.AmountEntry)
		start := time.Now()
		keys("<ENTER>")
		waitFor(display.Waiting)
		samples = append(samples, time.Since(start))
		b.StopTimer()
		keys("<CANCEL>")
		waitFor(display.Cancelled)
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(samples)
	pct := func(p float64) float64 {
		return float64(samples[min(len(samples)-1, int(p*float64(len(samples))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "ms-median")
	b.ReportMetric(pct(0.99), "ms-p99")
	b.ReportMetric(0, "ns/op") // the per-op mean mixes in the cancels' pauses; the percentiles are the figure
}
