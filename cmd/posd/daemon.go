package main

import (
	"context"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/display"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
)

// runOptions are what differs between a packaged posd and posd -demo.
type runOptions struct {
	version string
	getenv  func(string) string
	log     *slog.Logger
	// keys, when set, replace the key files (the demo generates its own).
	merchantKey *rsa.PrivateKey
	platformKey *rsa.PublicKey
	// extra is mounted on the display listener beside /display/ (the
	// demo's cashier page); it gets the desk to drive.
	extra func(d desk) http.Handler
	// policy replaces the outbox's timing (the demo inquires faster).
	policy *queue.Policy
	// shown is told about every customer frame (the benchmark's clock).
	shown func(display.Screen)
	// ready is called once posd takes payments.
	ready func()
}

// run is posd: it builds every part from cfg, takes payments until ctx
// ends (SIGTERM), then stops in order and returns nil. Errors are start-up
// refusals.
func run(ctx context.Context, cfg Config, o runOptions) (err error) {
	log := o.log
	note := newNotifier(o.getenv)

	priv, pub := o.merchantKey, o.platformKey
	if priv == nil {
		if priv, pub, err = loadKeys(cfg.Alipay, o.getenv); err != nil {
			return err
		}
	}
	client, err := alipay.NewClient(alipay.Config{
		ClientID: cfg.Alipay.ClientID, PrivateKey: priv, PlatformPublicKey: pub, KeyVersion: cfg.Alipay.KeyVersion,
		BaseURL: cfg.Alipay.Gateway, PathPrefix: cfg.Alipay.PathPrefix, AgentToken: cfg.Alipay.AgentToken,
		PayTimeout: cfg.Alipay.PayTimeout.Duration, CallTimeout: cfg.Alipay.CallTimeout.Duration,
		ConnectTimeout: cfg.Alipay.ConnectTimeout.Duration, PinSHA256: cfg.Alipay.PinSHA256,
		Logger: log.With("component", "alipay"),
	})
	if err != nil {
		return err
	}
	defer client.Close()

	if err := os.MkdirAll(filepath.Dir(cfg.Outbox.Path), 0o700); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	store, err := queue.Open(cfg.Outbox.Path, queue.Options{})
	if err != nil {
		return err
	}
	defer store.Close()

	var eng *queue.Engine
	m := newMetrics(o.version, func() int { return len(eng.Pending()) })
	t := &till{store: store, cfg: &cfg, now: time.Now, metrics: m, log: log.With("component", "till"),
		events: make(chan terminal.Input, 64), notifyURL: cfg.Alipay.NotifyURL, netWake: make(chan struct{}, 1)}
	gw := &measured{gw: queue.NewAMS(client), m: m, network: t.networkChanged}
	eng, err = queue.NewEngine(queue.Config{Store: store, Gateway: gw, Policy: o.policy,
		Receipt: receiptFunc(cfg.Merchant), Retention: cfg.Outbox.Retention.Duration, Logger: log.With("component", "outbox")})
	if err != nil {
		return err
	}
	t.eng = eng

	// Everything below stops through these contexts, in reverse order:
	// the till (no new keys, no new payments) before the engine.
	engineCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	defer stopEngine()
	tillCtx, stopTill := context.WithCancel(context.WithoutCancel(ctx))
	defer stopTill()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopTill()

	sub := eng.Subscribe(256)
	if err := eng.Start(engineCtx); err != nil {
		return err
	}
	// On a start-up error below, the engine stops before the store closes.
	defer func() { stopEngine(); eng.Wait() }()
	wg.Go(func() { t.announceRecovered(tillCtx); t.forward(tillCtx, sub) })
	wg.Go(func() { t.tellNetwork(tillCtx) })

	printerState, err := startPrinter(tillCtx, &wg, cfg.Printer, store, t, log)
	if err != nil {
		return err
	}

	device, kiosk, err := openDisplay(ctx, cfg.Display, log)
	if err != nil {
		return err
	}
	sc := &screens{merchant: cfg.Merchant.Name, t: t, shown: o.shown}
	if device != nil {
		defer device.Close()
		// A display that hangs or fails never holds up a payment; the
		// countdown is redrawn every second.
		safe := display.NewFailSafe(device, display.FailSafeConfig{Logger: log.With("component", "display")})
		sc.customer = safe
		wg.Go(func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			safe.Run(tillCtx, tick.C)
		})
	}

	script := keypad.NewScript(keypad.MaxScriptKeys)
	sources, err := keySources(cfg.Keypad, script, log)
	if err != nil {
		return err
	}
	machine, err := terminal.NewMachine(tillConfig(cfg.Till))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	wg.Go(func() {
		err := terminal.Run(tillCtx, terminal.Options{Machine: machine, Keys: keypad.Merge(tillCtx, sources...),
			Events: t.events, Outbox: t, Display: sc, Observe: t.observe, Logger: log.With("component", "till")})
		if err != nil {
			log.Error("till stopped", "err", err)
		}
	})

	web := &listeners{wg: &wg, log: log}
	defer web.shutdown()
	if err := web.start(cfg, webParts{metrics: m, printerState: printerState, kiosk: kiosk, platformKey: pub, notified: eng.Notified,
		extra: o.extra, desk: deskOf{t: t, script: script}}); err != nil {
		return err
	}

	// The API socket opens last: once posctl gets an answer, every other
	// part (display page, metrics, notifications) is up too.
	back := &daemonBackend{t: t, script: script, version: o.version, printer: printerState}
	if err := os.MkdirAll(filepath.Dir(cfg.API.Socket), 0o750); err != nil {
		return fmt.Errorf("api socket: %w", err)
	}
	apiListener, err := listenSocket(cfg.API.Socket, 0o660)
	if err != nil {
		return err
	}
	wg.Go(func() { serveAPI(tillCtx, apiListener, apiHandler(back, log.With("component", "api")), log) })

	if err := note.ready("taking payments"); err != nil {
		log.Warn("sd_notify", "err", err)
	}
	note.startWatchdog(engineCtx, func(ctx context.Context) bool { return engineAlive(ctx, eng) })
	log.Info("posd ready", "version", o.version, "socket", cfg.API.Socket, "pending", len(eng.Pending()))
	if o.ready != nil {
		o.ready()
	}

	<-ctx.Done()
	// Stop: no new payment, no new key; the engine finishes the step it is
	// in (every state was committed before its action) and stops.
	log.Info("stopping")
	_ = note.stopping()
	t.closing.Store(true)
	stopTill()
	stopEngine()
	eng.Wait()
	sub.Close()
	log.Info("stopped", "pending", len(eng.Pending()))
	return nil
}
