// Command posctl is the operator's and integrator's tool for posd. Each
// subcommand lives in its own file and registers in commands below; this
// file only dispatches.
//
//	posctl keygen --out FILE
//	posctl sign   --key FILE --client-id ID --time T --path PATH [--method POST] [--key-version N] < body
//	posctl verify --pubkey FILE --client-id ID --time T --path PATH --signature HEADER [--method POST] < body
//
// Exit status: 0 success, 1 failure (the reason on stderr), 2 usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// stdio is what a subcommand may touch besides files it is told about.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, s stdio) int
}

func commands() map[string]command {
	return map[string]command{
		"keygen":          {"create a merchant RSA-2048 key pair", runKeygen},
		"sign":            {"print the AMS Signature header for a body read from stdin", runSign},
		"verify":          {"check an AMS Signature header against a body read from stdin", runVerify},
		"receipt-preview": {"render a receipt as the printer prints it", runReceiptPreview},
		"register":        {"register the merchant and store with Alipay, or --status", runRegister},
	}
}

func main() {
	os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}))
}

func run(args []string, s stdio) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(s.err, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(s.err, "posctl: unknown command %q\n", args[0])
		usage(s.err, cmds)
		return exitUsage
	}
	return cmd.run(args[1:], s)
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: posctl <command> [flags]   (posctl <command> -h for its flags)")
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, cmds[n].summary)
	}
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, s stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("posctl "+name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	return fs
}

// parseFlags parses args and checks that every name in required was given.
// It returns the exit status to use when parsing failed, or -1.
func parseFlags(fs *flag.FlagSet, args []string, required ...string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range required {
		if !set[name] {
			fmt.Fprintf(fs.Output(), "%s: --%s is required\n", fs.Name(), name)
			fs.Usage()
			return exitUsage
		}
	}
	return -1
}

// fail prints the reason and returns exitFail.
func fail(s stdio, format string, args ...any) int {
	fmt.Fprintf(s.err, "posctl: "+format+"\n", args...)
	return exitFail
}
