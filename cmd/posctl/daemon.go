package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/posd/posd/cmd/internal/posapi"
)

// defaultSocket is where the packaged posd listens (systemd RuntimeDirectory).
const defaultSocket = "/run/posd/posd.sock"

// globals are the options given before the command.
type globals struct {
	socket string
	json   bool
}

// parse reads leading global flags and returns the rest (the command and
// its arguments), or an exit status when parsing ended the run.
func (g *globals) parse(args []string, errw io.Writer) ([]string, int) {
	fs := flag.NewFlagSet("posctl", flag.ContinueOnError)
	fs.SetOutput(errw)
	def := os.Getenv("POSD_SOCKET")
	if def == "" {
		def = defaultSocket
	}
	fs.StringVar(&g.socket, "socket", def, "posd's API socket ($POSD_SOCKET)")
	fs.BoolVar(&g.json, "json", false, "print JSON for scripts instead of text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK
		}
		return nil, exitUsage
	}
	return fs.Args(), -1
}

// daemonFlags returns a flag set for a command that talks to posd; it
// also accepts --socket and --json after the command name.
func daemonFlags(name string, s *stdio) *flag.FlagSet {
	fs := newFlags(name, *s)
	fs.StringVar(&s.g.socket, "socket", s.g.socket, "posd's API socket")
	fs.BoolVar(&s.g.json, "json", s.g.json, "print JSON for scripts instead of text")
	return fs
}

// parsePositional parses flags placed anywhere among exactly the named
// positional arguments and returns those, or an exit status.
func parsePositional(fs *flag.FlagSet, args []string, names ...string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK
			}
			return nil, exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != len(names) {
		fmt.Fprintf(fs.Output(), "%s: want %d argument(s): %v, got %d\n", fs.Name(), len(names), names, len(pos))
		return nil, exitUsage
	}
	return pos, -1
}

// requestTimeout bounds one API call: posd answers from its outbox and
// never waits for the gateway while replying.
const requestTimeout = 30 * time.Second

// call runs fn against posd and prints an error the way posctl does.
func call(s stdio, fn func(ctx context.Context, c *posapi.Client) error) int {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	err := fn(ctx, posapi.NewClient(s.g.socket))
	if err == nil {
		return exitOK
	}
	if errors.Is(err, posapi.ErrUnreachable) {
		return fail(s, "%v (is posd running? is --socket right? are you in group posd?)", err)
	}
	return fail(s, "%v", err)
}

// printJSON writes v indented, for --json.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
