package main

import (
	"context"
	"fmt"
	"os"

	"github.com/posd/posd/internal/posapi"
)

// runExport writes the reconciliation CSV (one row per payment and refund)
// for --from to --to, both dates inclusive.
func runExport(args []string, s stdio) int {
	fs, g := daemonFlags("export", s)
	from := fs.String("from", "", "first day (2026-11-01) or RFC 3339 time")
	to := fs.String("to", "", "last day, inclusive (2026-11-30) or RFC 3339 time")
	format := fs.String("format", "csv", "output format: csv")
	out := fs.String("out", "", "file to write (default: stdout)")
	if code := parseFlags(fs, args, "from", "to"); code >= 0 {
		return code
	}
	if *format != "csv" {
		fmt.Fprintf(s.err, "posctl export: --format %q: only csv\n", *format)
		return exitUsage
	}
	start, err1 := posapi.ParseDate(*from, false)
	end, err2 := posapi.ParseDate(*to, true)
	if err1 != nil || err2 != nil {
		fmt.Fprintf(s.err, "posctl export: %v\n", firstErr(err1, err2))
		return exitUsage
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		csv, err := c.Export(ctx, start, end)
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
