package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/posd/posd/internal/posapi"
)

// runExport writes the reconciliation rows (one per payment and refund)
// for --from to --to, both dates inclusive, or --all, as CSV or JSON.
// Each row carries the scenario, whether it is final, whether it needs
// attention, the refunded amount and whether its receipt was printed.
func runExport(args []string, s stdio) int {
	fs, g := daemonFlags("export", s)
	from := fs.String("from", "", "first day (2026-11-01) or RFC 3339 time")
	to := fs.String("to", "", "last day, inclusive (2026-11-30) or RFC 3339 time")
	all := fs.Bool("all", false, "every record posd holds (instead of --from and --to)")
	format := fs.String("format", "csv", "output format: csv or json")
	out := fs.String("out", "", "file to write (default: stdout)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if !*all && (*from == "" || *to == "") {
		fmt.Fprintln(s.err, "posctl export: --from and --to are required (or --all)")
		return exitUsage
	}
	if *format != "csv" && *format != "json" {
		fmt.Fprintf(s.err, "posctl export: --format %q: csv or json\n", *format)
		return exitUsage
	}
	if *all && (*from != "" || *to != "") {
		fmt.Fprintln(s.err, "posctl export: --all or --from and --to, not both")
		return exitUsage
	}
	var start, end time.Time
	if !*all {
		var err1, err2 error
		start, err1 = posapi.ParseDate(*from, false)
		end, err2 = posapi.ParseDate(*to, true)
		if err1 != nil || err2 != nil {
			fmt.Fprintf(s.err, "posctl export: %v\n", firstErr(err1, err2))
			return exitUsage
		}
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		csv, err := c.Export(ctx, start, end, *format, *all)
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = s.out.Write(csv)
			return err
		}
		return os.WriteFile(*out, csv, 0o640)
	})
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
