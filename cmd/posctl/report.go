package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/posd/posd/internal/posapi"
)

// runReport prints the end-of-day report: per currency the sales paid,
// declined, cancelled and voided, the refunds and the net, and how many
// payments and refunds are still unresolved. A payment counts on the day
// it was created, a refund on the day it was created, in posd's local
// time (posctl(8)); a day that has ended gets its Z number.
func runReport(args []string, s stdio) int {
	fs, g := daemonFlags("report", s)
	day := fs.String("day", "", "the local day, YYYY-MM-DD (default: today)")
	from := fs.String("from", "", "start of a window instead of a day: a date or RFC 3339 time")
	to := fs.String("to", "", "end of the window, inclusive for a date: a date or RFC 3339 time")
	print := fs.Bool("print", false, "also print the report on the receipt printer")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	req := posapi.ReportRequest{Day: *day, From: *from, To: *to, Print: *print}
	switch {
	case (*from == "") != (*to == ""):
		fmt.Fprintln(s.err, "posctl report: --from and --to go together")
		return exitUsage
	case *day != "" && *from != "":
		fmt.Fprintln(s.err, "posctl report: --day or --from and --to, not both")
		return exitUsage
	case *day == "" && *from == "":
		req.Day = time.Now().Format(time.DateOnly)
	}
	if req.Day != "" {
		if _, err := time.Parse(time.DateOnly, req.Day); err != nil {
			fmt.Fprintf(s.err, "posctl report: --day %q: want YYYY-MM-DD\n", req.Day)
			return exitUsage
		}
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		rep, err := c.Report(ctx, req)
		if err != nil {
			return err
		}
		if g.json {
			return printJSON(s.out, rep)
		}
		writeReport(s.out, rep)
		return nil
	})
}

func writeReport(w io.Writer, r posapi.Report) {
	switch {
	case r.Day != "" && r.Z > 0:
		fmt.Fprintf(w, "Z %d  day %s (closed)\n", r.Z, r.Day)
	case r.Day != "":
		fmt.Fprintf(w, "day %s (not ended: no Z number yet)\n", r.Day)
	default:
		fmt.Fprintf(w, "from %s to %s\n", r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	}
	if len(r.Currencies) == 0 {
		fmt.Fprintln(w, "no payments")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, c := range r.Currencies {
		fmt.Fprintf(tw, "%s\tcount\tamount\t\n", c.Currency)
		for _, l := range []struct {
			label string
			t     posapi.ReportTotal
		}{{"paid", c.Paid}, {"declined", c.Declined}, {"cancelled", c.Cancelled}, {"voided", c.Voided}, {"refunded", c.Refunded}} {
			fmt.Fprintf(tw, "%s\t%d\t%s\t\n", l.label, l.t.Count, l.t.Amount)
		}
		fmt.Fprintf(tw, "net\t\t%s\t\n", c.Net)
	}
	tw.Flush()
	fmt.Fprintf(w, "unresolved: %d\n", r.Unresolved)
}

// runTestPrint prints a test slip on the configured printer, whatever its
// kind and status setting.
func runTestPrint(args []string, s stdio) int {
	fs, g := daemonFlags("test-print", s)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		if err := c.TestPrint(ctx); err != nil {
			return err
		}
		if !g.json {
			fmt.Fprintln(s.out, "test slip printed")
		}
		return nil
	})
}
