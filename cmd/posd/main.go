package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/daemon"
	"github.com/posd/posd/internal/demo"
	"github.com/posd/posd/internal/lang"
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

// Exit statuses (see doc.go).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	tuningFrom(os.Getenv).apply()
	os.Exit(posd(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// posd parses the command line and runs the daemon or the demo until
// SIGTERM or SIGINT.
func posd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("posd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", config.DefaultPath, "configuration file")
	check := fs.Bool("check", false, "check the configuration, the keys and the outbox as the start does, and exit")
	showVersion := fs.Bool("version", false, "print the version and exit")
	runDemo := fs.Bool("demo", false, "run a self-contained demo: simulated gateway, web keypad, virtual printer; no configuration")
	var d demo.Options
	fs.StringVar(&d.Dir, "demo-dir", "demo", "where -demo keeps its keys, database, socket and receipts")
	fs.StringVar(&d.HTTP, "demo-http", "127.0.0.1:8080", "address of the demo's cashier and customer pages (0.0.0.0:8080: phones on the LAN can open the wallet page)")
	fs.StringVar(&d.Gateway, "demo-gateway", "127.0.0.1:9443", "address of the demo's simulated gateway (TLS)")
	fs.StringVar(&d.Metrics, "demo-metrics", "", "address of the demo's Prometheus endpoint (default: none)")
	fs.StringVar(&d.MQTT, "demo-mqtt", "", "stream the demo's events to this MQTT broker, e.g. mqtt://127.0.0.1:1883 (docs/events.md)")
	fs.StringVar(&d.Terminal, "demo-terminal", "T01", "the demo till's terminal id (its topic level)")
	fs.StringVar(&d.Lang, "demo-lang", "en", "the demo's language: zh-CN, zh-TW or en (cashier page, customer display, receipts)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "posd: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *showVersion {
		fmt.Fprintln(stdout, "posd", version)
		return exitOK
	}
	if _, err := lang.Parse(d.Lang); err != nil {
		fmt.Fprintf(stderr, "posd: -demo-lang: %v\n", err)
		return exitUsage
	}

	ctx, stop := stopSignals(context.Background())
	defer stop()
	note := newNotifier(getenv)

	if *runDemo {
		log := newLogger(stdout, config.Log{Level: "info", Format: "text"})
		// The demo makes its own keys: the environment only brings sd_notify.
		d.Stdout = stdout
		var said func()
		d.Daemon, said = supervised(ctx, note, log, daemon.Options{Version: version, Logger: log, Idle: trimMemory})
		defer said()
		if err := demo.Run(ctx, d); err != nil {
			fmt.Fprintf(stderr, "posd: %v\n", err)
			return exitFail
		}
		return exitOK
	}

	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "posd: configuration refused:\n%s\nEvery option is documented in /etc/posd/posd.toml.example (cmd/posd/posd.example.toml).\n", indent(err.Error()))
		return exitFail
	}
	if *check {
		// Everything posd checks at start that needs no device or port.
		for _, w := range cfg.Warnings(cfg.FileName()) {
			fmt.Fprintln(stdout, w)
		}
		if err := daemon.Check(cfg, getenv); err != nil {
			fmt.Fprintf(stderr, "posd: configuration refused:\n%s\n", indent(err.Error()))
			return exitFail
		}
		fmt.Fprintf(stdout, "%s: ok\n", *configPath)
		return exitOK
	}
	log := newLogger(stdout, cfg.Log)
	tune := tuningFrom(getenv)
	log.Info("runtime", "GOGC", tune.gc, "GOMAXPROCS", tune.procs)
	for _, w := range cfg.Warnings(cfg.FileName()) {
		log.Warn("configuration", "warning", w.Error())
	}
	opts, said := supervised(ctx, note, log, daemon.Options{Version: version, Logger: log, Getenv: getenv, Idle: trimMemory})
	defer said()
	dm, err := daemon.New(cfg, opts)
	if err == nil {
		err = dm.Run(ctx)
	}
	if err != nil {
		// Once, on stderr: under systemd stdout and stderr both reach the
		// journal, and a refusal must not read as two.
		fmt.Fprintf(stderr, "posd: cannot start:\n%s\n", indent(err.Error()))
		return exitFail
	}
	return exitOK
}

// supervised adds systemd's notifications to o: READY=1 and the watchdog
// once posd takes payments, STOPPING=1 as soon as ctx ends. posd calls
// the returned said before it exits: STOPPING=1 is sent from its own
// goroutine, which the exit would otherwise cut short.
func supervised(ctx context.Context, note *notifier, log *slog.Logger, o daemon.Options) (_ daemon.Options, said func()) {
	ready := o.Ready
	var readied atomic.Bool
	stopped := make(chan struct{})
	o.Status = func(status string) {
		if err := note.status(status); err != nil {
			log.Warn("sd_notify", "err", err)
		}
	}
	o.Ready = func(d *daemon.Daemon) {
		if err := note.ready("taking payments"); err != nil {
			log.Warn("sd_notify", "err", err)
		}
		readied.Store(true)
		context.AfterFunc(ctx, func() {
			defer close(stopped)
			if err := note.stopping(); err != nil {
				log.Warn("sd_notify", "err", err)
			}
		})
		note.startWatchdog(ctx, d.Alive)
		if ready != nil {
			ready(d)
		}
	}
	said = func() {
		if readied.Load() && ctx.Err() != nil {
			<-stopped // the send gives up after a second
		}
	}
	return o, said
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

// newLogger writes slog lines to w (stdout: the journal under systemd).
func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // checked by config.Parse
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
