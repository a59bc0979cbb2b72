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
	os.Exit(posd(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// posd parses the command line and runs the daemon or the demo until
// SIGTERM or SIGINT.
func posd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("posd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", DefaultConfigPath, "configuration file")
	check := fs.Bool("check", false, "check the configuration and exit")
	showVersion := fs.Bool("version", false, "print the version and exit")
	demo := fs.Bool("demo", false, "run a self-contained demo: simulated gateway, web keypad, virtual printer; no configuration")
	var d demoOptions
	fs.StringVar(&d.dir, "demo-dir", "demo", "where -demo keeps its keys, database, socket and receipts")
	fs.StringVar(&d.http, "demo-http", "127.0.0.1:8080", "address of the demo's cashier and customer pages (0.0.0.0:8080: phones on the LAN can open the wallet page)")
	fs.StringVar(&d.gateway, "demo-gateway", "127.0.0.1:9443", "address of the demo's simulated gateway (TLS)")
	fs.StringVar(&d.metrics, "demo-metrics", "", "address of the demo's Prometheus endpoint (default: none)")
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

	ctx, stop := stopSignals(context.Background())
	defer stop()

	if *demo {
		log := newLogger(stdout, LogConfig{Level: "info", Format: "text"})
		if err := runDemo(ctx, d, stdout, log, nil); err != nil {
			fmt.Fprintf(stderr, "posd: %v\n", err)
			return exitFail
		}
		return exitOK
	}

	cfg, err := LoadConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "posd: configuration refused:\n%s\nEvery option is documented in /etc/posd/posd.toml.example (cmd/posd/posd.example.toml).\n", indent(err.Error()))
		return exitFail
	}
	if *check {
		fmt.Fprintf(stdout, "%s: ok\n", *configPath)
		return exitOK
	}
	log := newLogger(stdout, cfg.Log)
	if err := run(ctx, cfg, runOptions{version: version, getenv: getenv, log: log}); err != nil {
		log.Error("posd cannot start", "err", err)
		fmt.Fprintf(stderr, "posd: %v\n", err)
		return exitFail
	}
	return exitOK
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

// newLogger writes slog lines to w (stdout: the journal under systemd).
func newLogger(w io.Writer, c LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // checked by Config.check
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
