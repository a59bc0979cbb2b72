package display

import (
	"bytes"
	"context"
	"errors"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/posd/posd/internal/clocktest"
)

func TestFailSafeKeepsGoingAndReportsHealth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shots")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	snap, err := NewSnapshot(filepath.Join(dir, "customer.png"), image.Pt(320, 240), Options{}, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var reports []Health
	fs := NewFailSafe(snap, FailSafeConfig{
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
		Now:      func() time.Time { return testNow },
		OnHealth: func(h Health) { reports = append(reports, h) },
	})
	ctx := context.Background()
	waiting := Screen{Kind: Waiting, Amount: usd(t, 700), QR: shortCode, ExpiresAt: testNow.Add(time.Minute)}

	if err := fs.Show(ctx, waiting); err != nil || !fs.Health().OK {
		t.Fatalf("healthy show: %v %+v", err, fs.Health())
	}
	// The display's storage disappears (a USB stick pulled, a dead panel).
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	paid := Screen{Kind: Paid, Amount: usd(t, 700)}
	if err := fs.Show(ctx, paid); err != nil {
		t.Fatalf("a failing display reached the payment flow: %v", err)
	}
	fs.Refresh(ctx)
	h := fs.Health()
	if h.OK || h.Failures != 2 || !strings.Contains(h.Err, "snapshot") {
		t.Fatalf("health after two failures: %+v", h)
	}
	if n := strings.Count(logs.String(), "customer display failing"); n != 1 {
		t.Fatalf("failure logged %d times, want once:\n%s", n, logs.String())
	}
	// It comes back: the next refresh shows the current screen (Paid).
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fs.Refresh(ctx)
	if !fs.Health().OK || !strings.Contains(logs.String(), "customer display recovered") {
		t.Fatalf("no recovery: %+v\n%s", fs.Health(), logs.String())
	}
	if len(reports) != 2 || reports[0].OK || !reports[1].OK {
		t.Fatalf("cashier was told %+v", reports)
	}
	if _, err := os.Stat(filepath.Join(dir, "customer.png")); err != nil {
		t.Fatalf("current screen not redrawn after recovery: %v", err)
	}
	if err := fs.Show(ctx, Screen{Kind: Waiting}); !errors.Is(err, ErrInvalidScreen) {
		t.Fatalf("invalid screen: %v", err)
	}
}

func TestFailSafeContainsPanickingDriver(t *testing.T) {
	// Record a healthy OLED start-up, then replay only that: the first frame
	// makes periph's Playback bus panic on the unexpected write.
	rec := &i2ctest.Record{}
	if _, err := NewOLED(context.Background(), OLEDConfig{Controller: SSD1306, Bus: rec}); err != nil {
		t.Fatal(err)
	}
	bus := &i2ctest.Playback{Ops: rec.Ops}
	o, err := NewOLED(context.Background(), OLEDConfig{Controller: SSD1306, Bus: bus})
	if err != nil {
		t.Fatal(err)
	}
	fs := NewFailSafe(o, FailSafeConfig{})
	if err := fs.Show(context.Background(), Screen{Kind: Paid, Amount: usd(t, 1)}); err != nil {
		t.Fatal(err)
	}
	if h := fs.Health(); h.OK || !strings.Contains(h.Err, "panicked") {
		t.Fatalf("health after a driver panic: %+v", h)
	}
}

// stuckDisplay never finishes a Show until released: a driver blocked in a
// kernel call that ignores its context.
type stuckDisplay struct{ release chan struct{} }

func (d stuckDisplay) Show(context.Context, Screen) error { <-d.release; return nil }
func (d stuckDisplay) Close() error                       { return nil }

func TestFailSafeDoesNotWaitForAHungDriver(t *testing.T) {
	d := stuckDisplay{release: make(chan struct{})}
	fs := NewFailSafe(d, FailSafeConfig{Timeout: time.Millisecond})
	s := Screen{Kind: Idle}
	if err := fs.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if h := fs.Health(); h.OK || !strings.Contains(h.Err, "did not answer") {
		t.Fatalf("hung driver: %+v", h)
	}
	// While the first call is stuck no second goroutine is started.
	fs.Refresh(context.Background())
	if h := fs.Health(); h.Failures != 2 || !strings.Contains(h.Err, "busy") {
		t.Fatalf("second try on a hung driver: %+v", h)
	}
	close(d.release)
	<-fs.running
	fs.Refresh(context.Background())
	if !fs.Health().OK {
		t.Fatalf("no recovery once the driver returned: %+v", fs.Health())
	}
}

func TestFailSafeRunRefreshesTheCountdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.png")
	clock := clocktest.New(testNow)
	snap, err := NewSnapshot(path, image.Pt(320, 240), Options{}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	fs := NewFailSafe(snap, FailSafeConfig{})
	s := Screen{Kind: Waiting, Amount: usd(t, 700), QR: shortCode, ExpiresAt: testNow.Add(time.Minute)}
	if err := fs.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { fs.Run(ctx, ticks); close(done) }()
	clock.Advance(time.Second)
	ticks <- clock.Now() // Run takes the tick ...
	ticks <- clock.Now() // ... and has finished the refresh when it takes the next
	cancel()
	<-done
	after, _ := os.ReadFile(path)
	if bytes.Equal(before, after) {
		t.Fatal("the countdown was not redrawn on a tick")
	}
}
