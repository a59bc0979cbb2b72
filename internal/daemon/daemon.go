package daemon

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
)

// Options are what differs between a packaged posd, posd -demo and tests.
type Options struct {
	Version string
	Logger  *slog.Logger // nil: discard
	// Getenv reads $CREDENTIALS_DIRECTORY (systemd's LoadCredential=);
	// nil means os.Getenv.
	Getenv func(string) string
	// MerchantKey and PlatformKey, when set, replace the key files (the
	// demo generates its own).
	MerchantKey *rsa.PrivateKey
	PlatformKey *rsa.PublicKey
	// Extra is mounted on the display listener beside /display/ (the
	// demo's cashier page); it gets the desk to drive.
	Extra func(Desk) http.Handler
	// Policy replaces the outbox's timing (the demo inquires faster).
	Policy *queue.Policy
	// Shown is told about every customer frame (the benchmark's clock).
	Shown func(display.Screen)
	// Limits replaces the endpoints' limits, by name ("api", "metrics",
	// "display", "notifications"); unset fields keep the defaults.
	Limits map[string]Limits
	// Ready is called once posd takes payments (sd_notify READY=1); the
	// daemon it gets answers Alive for the watchdog.
	Ready func(*Daemon)
	// Status is told, in plain words, when posd stops taking new payments
	// because of what Alipay answered (sd_notify STATUS=). May be nil.
	Status func(string)
	// Idle is called on the flow's goroutine when a sale or a manager's
	// session has ended and the till is back to a blank sale, before the
	// API reports it ready: the moment to give memory back (cmd/posd
	// collects and returns the heap's free pages). May be nil.
	Idle func()
}

// Daemon is posd: every part built from one configuration. New builds the
// parts; Run starts them in order, takes payments until its context ends
// and stops them in reverse order.
type Daemon struct {
	cfg config.Config
	o   Options
	log *slog.Logger

	// Built by New, in this order; each takes what the earlier ones made.
	client   *alipay.Client
	net      *netState
	metrics  *metrics
	eng      *queue.Engine
	events   chan terminal.Input
	printer  receiptPrinter
	till     *till
	device   display.Display // nil: no customer display
	cashier  display.Display // nil: no cashier display
	kiosk    http.Handler    // the kiosk page, or nil
	cashPage http.Handler    // the cashier's kiosk page (cashierPath), or nil
	screens  *screens
	script   *keypad.Script
	sources  []keypad.Source
	machine  *terminal.Machine
	lockouts lockoutFile      // the manager PIN's lockout, kept across restarts
	lockout  terminal.Lockout // as kept before this start
	notifyFn http.Handler     // Alipay's notifications, or nil
	entry    *entryHandler    // the Entry Code page, or nil
	stream   *stream          // events to the merchant's broker, or nil

	closers []func() error // release what New opened, last first
	ran     bool
}

// New builds every part of posd from cfg. It opens the outbox database,
// the keys and the devices, but starts nothing: no goroutine runs and no
// port or socket is open until Run. Errors are start-up refusals; what
// was opened is closed again. A Daemon that is never run is released by
// Close.
func New(cfg config.Config, o Options) (_ *Daemon, err error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	d := &Daemon{cfg: cfg, o: o, log: o.Logger}
	defer func() {
		if err != nil {
			_ = d.Close()
		}
	}()
	log := d.log

	priv, pub := o.MerchantKey, o.PlatformKey
	if priv == nil {
		if priv, pub, err = cfg.Keys(o.Getenv); err != nil {
			return nil, err
		}
	}
	d.o.PlatformKey = pub
	d.net = newNetState()
	d.metrics = newMetrics(o.Version, cfg.Outbox.Path)
	d.client, err = alipay.NewClient(alipay.Config{
		ClientID: cfg.Alipay.ClientID, PrivateKey: priv, PlatformPublicKey: pub, KeyVersion: cfg.Alipay.KeyVersion,
		BaseURL: cfg.Alipay.Gateway, PathPrefix: cfg.Alipay.PathPrefix, AgentToken: cfg.Alipay.AgentToken,
		PayTimeout: cfg.Alipay.PayTimeout.Duration, CallTimeout: cfg.Alipay.CallTimeout.Duration,
		ConnectTimeout: cfg.Alipay.ConnectTimeout.Duration, PinSHA256: cfg.Alipay.PinSHA256,
		Logger: log.With("component", "alipay"), OnReply: d.gatewayReply,
	})
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, func() error { d.client.Close(); return nil })

	if err := os.MkdirAll(filepath.Dir(cfg.Outbox.Path), 0o700); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	gw := &measured{gw: queue.NewAMS(d.client), m: d.metrics, network: d.net.changed}
	d.eng, err = queue.NewEngine(queue.Config{Path: cfg.Outbox.Path,
		Open:    queue.Options{Logger: log.With("component", "outbox"), Events: cfg.EventOptions()},
		Gateway: gw, Policy: o.Policy, Receipt: receiptFunc(cfg.Merchant), Retention: cfg.Outbox.Retention.Duration, Logger: log.With("component", "outbox")})
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, d.eng.Close)
	d.metrics.watch(d.eng)
	if d.stream, err = newStream(&d.cfg, d.eng, d.o); err != nil {
		return nil, err
	}
	if d.stream != nil {
		registerStream(d.metrics.reg, d.stream)
	}

	// The flow's inputs: outbox changes, the printer's and the network's
	// health. The printer exists before the till that wakes it.
	d.events = make(chan terminal.Input, 64)
	d.printer, err = newPrinter(cfg.Printer, d.eng, d.events, d.metrics, log)
	if err != nil {
		return nil, err
	}
	d.till = &till{eng: d.eng, cfg: &d.cfg, now: time.Now, printer: d.printer, metrics: d.metrics,
		log: log.With("component", "till"), events: d.events, shop: shopOf(cfg), net: d.net, status: o.Status, idle: o.Idle}

	if cfg.Display.Kind != "none" {
		// Opening a panel is a few bus writes: no context of Run's to bound.
		if d.device, d.kiosk, err = openDisplay(context.Background(), cfg.Display, cfg.DisplayLangs(), log); err != nil {
			return nil, err
		}
		d.closers = append(d.closers, d.device.Close)
	}
	if cfg.Cashier.Kind != "none" {
		// The cashier's display; a kiosk one is a page on loopback
		// (cashierPath), never with the QR code.
		if d.cashier, d.cashPage, err = openDisplay(context.Background(), cfg.Cashier, cfg.LangsOf(cfg.Cashier), log.With("display", "cashier")); err != nil {
			return nil, err
		}
		d.closers = append(d.closers, d.cashier.Close)
	}
	d.screens = &screens{merchant: cfg.Merchant.Name, t: d.till, shown: o.Shown}
	if _, ok := cfg.EntryURL(); ok {
		d.screens.entry = cfg.EntryCode.URL
	}

	d.script = keypad.NewScript(keypad.MaxScriptKeys)
	if d.sources, err = keySources(cfg.Keypad, d.script, log); err != nil {
		return nil, err
	}
	tc := tillConfig(cfg)
	tc.Language = cfg.Merchant.Lang()
	if d.machine, err = terminal.NewMachine(tc); err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	d.lockouts = lockoutFile{path: filepath.Join(filepath.Dir(cfg.Outbox.Path), lockoutName)}
	if d.lockout, err = d.lockouts.load(time.Now(), d.machine.Config().PINLockout); err != nil {
		log.Warn("manager PIN lockout unreadable", "err", err)
		err = nil
	}
	if cfg.Alipay.NotifyListen != "" {
		if d.notifyFn, err = notificationHandler(cfg.Alipay, pub, d.eng.Notice, d.metrics, log); err != nil {
			return nil, err
		}
	}
	if u, ok := cfg.EntryURL(); ok {
		lim := "entry" // its own listener, or the notifications' with the entry limits
		if entryEndpoint(cfg) == "display" {
			lim = "display"
		}
		d.entry = newEntryHandler(entryConfigOf(cfg, u, limitsFor(lim, o.Limits)),
			&tillEntry{t: d.till, flow: d.machine.Config(), result: u.String() + "/result/"}, time.Now, log.With("component", "entry"))
	}
	return d, nil
}

// Close releases what New opened. Run does it itself on return.
func (d *Daemon) Close() error {
	var errs []error
	for i := len(d.closers) - 1; i >= 0; i-- {
		errs = append(errs, d.closers[i]())
	}
	d.closers = nil
	return errors.Join(errs...)
}

// pinMismatchDetail is what the till and posctl status say when the
// gateway's certificate fails [alipay] pin_sha256: not "network trouble",
// which waiting would fix.
const pinMismatchDetail = "the gateway's TLS certificate does not match [alipay] pin_sha256: nothing is sent until the pin or the gateway is corrected"

// gatewayReply is told of every gateway call (alipay.Config.OnReply): a pin
// mismatch is logged as such when it starts and shown on the till; the
// metrics get the link's state and the clock offset.
func (d *Daemon) gatewayReply(r alipay.Reply) {
	mismatch := errors.Is(r.Err, alipay.ErrPinMismatch)
	if mismatch && !d.net.pinMismatch.Load() {
		d.log.Error("gateway TLS certificate pin mismatch", "gateway", d.cfg.Alipay.Gateway, "err", r.Err,
			"fix", "set [alipay] pin_sha256 to the gateway's certificate fingerprint, or leave it empty for Alipay")
	}
	d.net.pin(mismatch)
	d.metrics.gatewayReply(r, time.Now(), mismatch)
}

// Alive reports whether the outbox engine answers within ctx: a wedged
// engine holds its lock forever, and the watchdog stops its pings.
func (d *Daemon) Alive(ctx context.Context) bool {
	done := make(chan struct{})
	go func() { d.eng.Pending(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// Run starts the parts in this order, each one's inputs before it:
//
//  1. the outbox engine, subscribed first so no change is missed, and the
//     event stream to the merchant's broker when [events] is on;
//  2. the relay of outbox changes to the cashier flow, and of the
//     network's health (the printer it wakes already exists);
//  3. the printer loop;
//  4. the customer display;
//  5. the cashier flow on the merged keypads;
//  6. the TCP endpoints (metrics, display page, notifications);
//  7. the API socket, last: once posctl gets an answer, all is up.
//
// Then Options.Ready is called. When ctx ends, no new payment or key is
// accepted, the engine finishes the step it is in (every state was
// committed before its action) and stops, and the rest stops in reverse
// order; Run then closes what New opened and returns nil. Errors are
// start-up refusals. Run may be called once.
func (d *Daemon) Run(ctx context.Context) (err error) {
	if d.ran {
		return errors.New("posd: Run called twice")
	}
	d.ran = true
	defer d.Close()
	log, cfg := d.log, d.cfg

	// Everything below stops through these contexts, in reverse order:
	// the till (no new keys, no new payments) before the engine.
	engineCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	defer stopEngine()
	tillCtx, stopTill := context.WithCancel(context.WithoutCancel(ctx))
	defer stopTill()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopTill()

	// 1. The engine.
	sub := d.eng.Subscribe(256)
	defer sub.Close()
	if err := d.eng.Start(engineCtx); err != nil {
		return err
	}
	// On a start-up error below, the engine stops before the store closes.
	defer func() { stopEngine(); d.eng.Wait() }()
	// 1b. The event stream to the broker: it reads what the engine
	// committed, and stops after the engine (its last commits wait in the
	// outbox for the next start if the broker cannot take them now).
	streamCtx, stopStream := context.WithCancel(context.WithoutCancel(ctx))
	var streamWG sync.WaitGroup
	defer streamWG.Wait()
	defer stopStream()
	d.stream.run(streamCtx, &streamWG)

	// 2. The relays into the cashier flow.
	t := d.till
	wg.Go(func() { t.announceRecovered(tillCtx); t.forward(tillCtx, sub) })
	wg.Go(func() { t.tellNetwork(tillCtx) })
	d.stream.watch(tillCtx, &wg, d.events, 5*time.Second, cfg.Events.MaxBacklog)

	// 3. The printer.
	wg.Go(func() { _ = d.printer.Run(tillCtx) })

	// 4. The customer display: one that hangs or fails never holds up a
	// payment; the countdown is redrawn every second.
	if d.device != nil {
		safe := display.NewFailSafe(d.device, display.FailSafeConfig{Logger: log.With("component", "display")})
		d.screens.customer = safe
		wg.Go(func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			safe.Run(tillCtx, tick.C)
		})
	}

	if d.cashier != nil {
		safe := display.NewFailSafe(d.cashier, display.FailSafeConfig{Logger: log.With("component", "display", "display", "cashier")})
		d.screens.cashier = safe
		wg.Go(func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			safe.Run(tillCtx, tick.C) // recovery from a failing device
		})
	}

	// 5. The cashier flow.
	wg.Go(func() {
		err := terminal.Run(tillCtx, terminal.Options{Machine: d.machine, Keys: keypad.Merge(tillCtx, d.sources...),
			Events: d.events, Outbox: t, Display: d.screens, Observe: t.observe,
			Lockout: d.lockout, Lockouts: d.lockouts, Logger: log.With("component", "till")})
		if err != nil {
			log.Error("till stopped", "err", err)
		}
	})

	// 6. The TCP endpoints.
	web := &listeners{wg: &wg, log: log}
	defer web.shutdown()
	if err := web.start(cfg, webParts{metrics: d.metrics, printerState: d.printer.State, kiosk: d.kiosk, cashierKiosk: d.cashPage, notify: d.notifyFn,
		extra: d.o.Extra, desk: deskOf{t: t, script: d.script}, limits: d.o.Limits, entry: d.entry}); err != nil {
		return err
	}

	// 7. The API socket.
	back := &daemonBackend{t: t, script: d.script, version: d.o.Version, printer: d.printer.State, stream: d.stream}
	if err := os.MkdirAll(filepath.Dir(cfg.API.Socket), 0o750); err != nil {
		return fmt.Errorf("api socket: %w", err)
	}
	apiListener, err := listenSocket(cfg.API.Socket, 0o660)
	if err != nil {
		return err
	}
	wg.Go(func() {
		serveAPI(tillCtx, apiListener, limitsFor("api", d.o.Limits), apiHandler(back, log.With("component", "api")), log)
	})

	log.Info("posd ready", "version", d.o.Version, "socket", cfg.API.Socket, "pending", len(d.eng.Pending()))
	if d.o.Ready != nil {
		d.o.Ready(d)
	}

	<-ctx.Done()
	log.Info("stopping")
	t.closing.Store(true)
	stopTill()
	stopEngine()
	d.eng.Wait()
	stopStream()
	streamWG.Wait()
	log.Info("stopped", "pending", len(d.eng.Pending()))
	return nil
}
