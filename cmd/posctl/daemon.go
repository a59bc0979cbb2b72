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

	"github.com/posd/posd/internal/posapi"
)

// defaultSocket is where the packaged posd listens (systemd RuntimeDirectory).
const defaultSocket = "/run/posd/posd.sock"

// globals are the options given before the command.
type globals struct {
	socket string
	json   bool
}

// codeHelp is what parse returns for -h among the global flags.
const codeHelp = 100

// parse reads leading global flags and returns the rest (the command and
// its arguments) and the global flags that were given, or an exit status
// when parsing ended the run.
func (g *globals) parse(args []string, errw io.Writer) (rest, given []string, code int) {
	fs := flag.NewFlagSet("posctl", flag.ContinueOnError)
	fs.SetOutput(errw)
	fs.Usage = func() {} // the caller prints the command list
	g.flags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, codeHelp
		}
		return nil, nil, exitUsage
	}
	fs.Visit(func(f *flag.Flag) { given = append(given, "--"+f.Name+"="+f.Value.String()) })
	return fs.Args(), given, -1
}

// flags defines --socket and --json on fs.
func (g *globals) flags(fs *flag.FlagSet) {
	def := os.Getenv("POSD_SOCKET")
	if def == "" {
		def = defaultSocket
	}
	fs.StringVar(&g.socket, "socket", def, "posd's API socket ($POSD_SOCKET)")
	fs.BoolVar(&g.json, "json", false, "print JSON for scripts instead of text")
}

// daemonFlags returns a flag set for a command that talks to posd, with
// --socket and --json.
func daemonFlags(name string, s stdio) (*flag.FlagSet, *globals) {
	fs := newFlags(name, s)
	g := new(globals)
	g.flags(fs)
	return fs, g
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
func call(s stdio, g *globals, fn func(ctx context.Context, c *posapi.Client) error) int {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return failCall(s, fn(ctx, posapi.NewClient(g.socket)))
}

// failCall prints err the way posctl does and returns the exit status.
func failCall(s stdio, err error) int {
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
