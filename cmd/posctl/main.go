// Command posctl is the operator's and integrator's tool for posd. Each
// subcommand lives in its own file and registers in commands below; this
// file only dispatches.
//
//	posctl [--socket PATH] [--json] <command> ...
//	posctl --version
//
//	posctl status
//	posctl list [--since 2026-11-23|2h]
//	posctl show ID
//	posctl keys "1250<ENTER>"            (--json: the paymentRequestId the keys started)
//	posctl cancel ID [--yes]              (a paid payment: a void, confirmed or --yes)
//	posctl refund ID AMOUNT [--yes] [--again] [--wait]
//	posctl reprint ID
//	posctl export (--from DATE --to DATE | --all) [--format csv|json] [--out FILE]
//	posctl report [--day YYYY-MM-DD | --from T --to T] [--print]
//	posctl test-print
//	posctl receipt-preview --paper 58|80|tm-t88 (--sample | --receipt FILE.json | --payment ID) --out FILE.png
//	posctl entry-code --out FILE.png [--paper 58|80] [--print]
//	posctl register --key FILE --alipay-pubkey FILE --client-id ID --gateway URL --merchant-id ID --store-id ID ... [--status]
//	posctl events --mqtt URL [--topic 'posd/+/+/+/payments']... [--json] [--client-id ID] [--count N]
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
	"slices"
	"sort"
)

// version is stamped at build time (build/build.sh): -ldflags "-X main.version=0.2.0+5.gabc1234".
var version = "dev"

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

// synopses are the arguments each command takes, for posctl CMD -h.
var synopses = map[string]string{
	"keygen":          "--out FILE",
	"sign":            "--key FILE --client-id ID --time T --path PATH [--method POST] [--key-version N] < body",
	"verify":          "--pubkey FILE --client-id ID --time T --path PATH --signature HEADER [--method POST] < body",
	"status":          "",
	"list":            "[--since 2026-11-23|2h]",
	"show":            "ID",
	"keys":            `"1250<ENTER>"`,
	"cancel":          "ID [--yes]",
	"refund":          "ID AMOUNT [--yes] [--again] [--wait [--wait-timeout D]]",
	"reprint":         "ID",
	"export":          "(--from DATE --to DATE | --all) [--format csv|json] [--out FILE]",
	"report":          "[--day YYYY-MM-DD | --from T --to T] [--print]",
	"test-print":      "",
	"entry-code":      "--out FILE.png [--paper 58|80] [--print]",
	"receipt-preview": "(--out FILE.png | --text) [--paper 58|80|tm-t88] [--sample | --receipt FILE.json | --payment ID] [--copy] [--code qr|code128|none] [--lang zh-CN|zh-TW|en]",
	"register":        "[--config FILE] [--key FILE --alipay-pubkey FILE --client-id ID --gateway URL --merchant-id ID --store-id ID] --merchant-name NAME --store-name NAME [--status]",
	"events":          "--mqtt URL [--topic 'posd/+/+/+/payments']... [--json] [--client-id ID] [--count N]",
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

func commands() map[string]command {
	return map[string]command{
		"keygen":          {"create a merchant RSA-2048 key pair", runKeygen},
		"sign":            {"print the AMS Signature header for a body read from stdin", runSign},
		"verify":          {"check an AMS Signature header against a body read from stdin", runVerify},
		"status":          {"what posd is doing: till, network, printer, outbox", runStatus},
		"list":            {"payments, newest first", runList},
		"show":            {"one payment with its refunds", runShow},
		"keys":            {"type on the scripted keypad: \"1250<ENTER>\"", runKeys},
		"cancel":          {"cancel a payment in progress (or reverse a paid one)", runCancel},
		"refund":          {"refund part or all of a paid payment", runRefund},
		"reprint":         {"print a COPY of a payment's receipt", runReprint},
		"export":          {"payments and refunds for reconciliation (CSV or JSON)", runExport},
		"entry-code":      {"write the Entry Code sticker (QR of [entry_code] url) as a PNG", runEntryCode},
		"receipt-preview": {"render a receipt as the printer prints it (a sample, a JSON file or a stored payment)", runReceiptPreview},
		"register":        {"register the merchant and store with Alipay, or --status", runRegister},
		"report":          {"end-of-day totals per currency, unresolved payments, the Z number (--day, --from/--to, --print)", runReport},
		"test-print":      {"print a test slip on the receipt printer", runTestPrint},
		"events":          {"print the tills' events from an MQTT broker (--mqtt URL --topic FILTER)", runEvents},
	}
}

func main() {
	os.Exit(run(os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

func run(args []string, s stdio) int {
	cmds := commands()
	if len(args) == 1 && (args[0] == "-version" || args[0] == "--version" || args[0] == "version") {
		fmt.Fprintln(s.out, "posctl", version)
		return exitOK
	}
	// Global flags (before the command) are handed to the command as if
	// given after its name: the commands that talk to posd accept them.
	var g globals
	args, given, code := g.parse(args, s.err)
	if code == codeHelp {
		usage(s.out, cmds)
		return exitOK
	}
	if code >= 0 {
		return code
	}
	if len(args) > 0 && len(given) > 0 {
		args = append([]string{args[0]}, append(given, args[1:]...)...)
	}
	if len(args) == 0 {
		usage(s.err, cmds)
		return exitUsage
	}
	if isHelp(args[0]) {
		// posctl help CMD is posctl CMD -h.
		if len(args) > 1 && cmds[args[1]].run != nil {
			return cmds[args[1]].run([]string{"-h"}, stdio{in: s.in, out: s.out, err: s.out})
		}
		usage(s.out, cmds)
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(s.err, "posctl: unknown command %q\n", args[0])
		usage(s.err, cmds)
		return exitUsage
	}
	if slices.ContainsFunc(args[1:], func(a string) bool { return a != "help" && isHelp(a) }) {
		s.err = s.out // asked for: the help goes to stdout
	}
	return cmd.run(args[1:], s)
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: posctl [--socket PATH] [--json] <command> [arguments]")
	fmt.Fprintln(w, "       posctl <command> -h     the command's arguments")
	fmt.Fprintln(w, "       posctl --version")
	fmt.Fprintln(w, "commands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, cmds[n].summary)
	}
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, s stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("posctl "+name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: posctl %s %s\n", name, synopses[name])
		if sum := commands()[name].summary; sum != "" {
			fmt.Fprintf(fs.Output(), "  %s\n", sum)
		}
		fmt.Fprintln(fs.Output(), "flags:")
		fs.PrintDefaults()
	}
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
