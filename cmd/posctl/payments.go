package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/posd/posd/internal/posapi"
)

// parseSince reads --since: a date, an RFC 3339 time, or a duration back
// from now ("2h", "30m").
func parseSince(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := posapi.ParseDate(v, false); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a date (2026-11-23), an RFC 3339 time or a duration (2h)", v)
}

// runList prints payments, newest first.
func runList(args []string, s stdio) int {
	fs, g := daemonFlags("list", s)
	since := fs.String("since", "", "only payments created since a date (2026-11-23), time or duration (2h)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	from, err := parseSince(*since, time.Now())
	if err != nil {
		fmt.Fprintf(s.err, "posctl list: %v\n", err)
		return exitUsage
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		ps, err := c.List(ctx, from)
		if err != nil {
			return err
		}
		if g.json {
			return printJSON(s.out, ps)
		}
		writeList(s.out, ps)
		return nil
	})
}

func writeList(w io.Writer, ps []posapi.Payment) {
	if len(ps) == 0 {
		fmt.Fprintln(w, "no payments")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED\tPAYMENT REQUEST ID\tAMOUNT\tSTATE\tPAYMENT ID")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.CreatedAt.Local().Format("2006-01-02 15:04:05"), p.PaymentRequestID, p.Amount, p.State, orDash(p.PaymentID))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writePayment(w io.Writer, p posapi.Payment) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("paymentRequestId", p.PaymentRequestID)
	row("sale", p.SaleID)
	row("scenario", p.Scenario)
	row("amount", p.Amount.String())
	final := "in progress"
	if p.Final {
		final = "final"
	}
	row("state", p.State+" ("+final+")")
	row("paymentId", p.PaymentID)
	row("resultCode", p.ResultCode)
	row("qr", p.QR)
	row("created", p.CreatedAt.Local().Format(time.RFC3339))
	row("updated", p.UpdatedAt.Local().Format(time.RFC3339))
	row("expires", p.ExpiresAt.Local().Format(time.RFC3339))
	row("attention", p.Attention)
	row("receipts", fmt.Sprint(p.Receipts))
	for _, r := range p.Refunds {
		row("refund", strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s", r.RefundRequestID, r.Amount, r.State, r.RefundID, r.ResultCode)))
	}
	tw.Flush()
}

// paymentCommand runs a command taking positional arguments, the first a
// payment id, whose answer is a payment.
func paymentCommand(name string, args []string, s stdio, names []string, do func(ctx context.Context, c *posapi.Client, pos []string) (posapi.Payment, error)) int {
	fs, g := daemonFlags(name, s)
	pos, code := parsePositional(fs, args, names...)
	if code >= 0 {
		return code
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		p, err := do(ctx, c, pos)
		if err != nil {
			return err
		}
		if g.json {
			return printJSON(s.out, p)
		}
		writePayment(s.out, p)
		return nil
	})
}

// runShow prints one payment.
func runShow(args []string, s stdio) int {
	return paymentCommand("show", args, s, []string{"ID"}, func(ctx context.Context, c *posapi.Client, pos []string) (posapi.Payment, error) {
		return c.Show(ctx, pos[0])
	})
}

// runCancel asks posd to cancel a payment; the outbox sends the cancel
// (and repeats it) on its own schedule.
func runCancel(args []string, s stdio) int {
	return paymentCommand("cancel", args, s, []string{"ID"}, func(ctx context.Context, c *posapi.Client, pos []string) (posapi.Payment, error) {
		return c.Cancel(ctx, pos[0])
	})
}

// runRefund asks posd to refund AMOUNT (decimal, the payment's currency).
func runRefund(args []string, s stdio) int {
	return paymentCommand("refund", args, s, []string{"ID", "AMOUNT"}, func(ctx context.Context, c *posapi.Client, pos []string) (posapi.Payment, error) {
		return c.Refund(ctx, pos[0], pos[1])
	})
}

// runReprint queues a COPY of a payment's receipt.
func runReprint(args []string, s stdio) int {
	fs, g := daemonFlags("reprint", s)
	pos, code := parsePositional(fs, args, "ID")
	if code >= 0 {
		return code
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		r, err := c.Reprint(ctx, pos[0])
		if err != nil {
			return err
		}
		if g.json {
			return printJSON(s.out, r)
		}
		fmt.Fprintf(s.out, "reprint of %s queued (print job %s)\n", r.PaymentRequestID, r.Job)
		return nil
	})
}

// runKeys types on posd's scripted keypad.
func runKeys(args []string, s stdio) int {
	fs, g := daemonFlags("keys", s)
	pos, code := parsePositional(fs, args, "KEYS")
	if code >= 0 {
		return code
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		return c.Keys(ctx, pos[0])
	})
}
