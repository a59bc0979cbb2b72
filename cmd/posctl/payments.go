package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
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
// (and repeats it) on its own schedule. Cancelling a paid payment is a
// void: money goes back to the customer, so it is confirmed on a terminal
// or needs --yes.
func runCancel(args []string, s stdio) int {
	fs, g := daemonFlags("cancel", s)
	yes := fs.Bool("yes", false, "void a paid payment without asking")
	pos, code := parsePositional(fs, args, "ID")
	if code >= 0 {
		return code
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		before, err := c.Show(ctx, pos[0])
		if err != nil {
			return err
		}
		void := paidState(before.State)
		if void {
			q := fmt.Sprintf("Void %s, paid %s at %s? The customer gets it all back", before.PaymentRequestID, before.Amount, clock(before.UpdatedAt))
			if err := confirm(s, *yes, q); err != nil {
				return err
			}
		}
		p, err := c.Cancel(ctx, pos[0])
		if err != nil {
			return err
		}
		if g.json {
			return printJSON(s.out, p)
		}
		what := "cancel"
		if void {
			what = "void (cancel of a paid payment; refunded in full if the cancel window has passed)"
		}
		fmt.Fprintf(s.out, "%s of %s %s committed; the outbox sends it. State now %s.\n", what, p.PaymentRequestID, p.Amount, p.State)
		return nil
	})
}

// againWindow is how long after a refund of a payment another one needs
// --again: a second refund this soon is more often a slip than a wish.
const againWindow = 10 * time.Minute

// runRefund asks posd to refund AMOUNT (decimal, the payment's currency).
// It confirms on a terminal (or needs --yes), refuses a second refund of
// the same payment within 10 minutes unless --again, and with --wait
// follows the refund until it is final, exiting 1 if it failed.
func runRefund(args []string, s stdio) int {
	fs, g := daemonFlags("refund", s)
	yes := fs.Bool("yes", false, "refund without asking")
	again := fs.Bool("again", false, "allow a second refund of the payment within 10 minutes of the last")
	wait := fs.Bool("wait", false, "wait until the refund is final; exit 1 if it failed")
	waitFor := fs.Duration("wait-timeout", 5*time.Minute, "give up waiting after this long (exit 1)")
	pos, code := parsePositional(fs, args, "ID", "AMOUNT")
	if code >= 0 {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	c := posapi.NewClient(g.socket)
	before, err := c.Show(ctx, pos[0])
	if err != nil {
		return failCall(s, err)
	}
	if last := latestRefund(before); last != nil && !*again && time.Since(last.CreatedAt) < againWindow {
		return fail(s, "%s was refunded %s %s ago (%s, %s); refusing another within %v: add --again if it is meant",
			before.PaymentRequestID, last.Amount, time.Since(last.CreatedAt).Round(time.Second), last.RefundRequestID, last.State, againWindow)
	}
	q := fmt.Sprintf("Refund %s %s of %s (paid %s at %s, %s left)?", before.Amount.Currency, pos[1], before.PaymentRequestID,
		before.Amount, clock(before.UpdatedAt), refundable(before))
	if err := confirm(s, *yes, q); err != nil {
		return failCall(s, err)
	}
	p, err := c.Refund(ctx, pos[0], pos[1])
	if err != nil {
		return failCall(s, err)
	}
	r := latestRefund(p)
	if r == nil {
		return fail(s, "posd accepted the refund but shows none for %s", p.PaymentRequestID)
	}
	if !*wait {
		return reportRefund(s, g, p, *r)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), *waitFor)
	defer wcancel()
	for !r.Final() {
		select {
		case <-wctx.Done():
			reportRefund(s, g, p, *r)
			return fail(s, "refund %s not final after %v (still %s)", r.RefundRequestID, *waitFor, r.State)
		case <-time.After(300 * time.Millisecond): // poll the outbox, which polls the gateway
		}
		if p, err = c.Show(wctx, p.PaymentRequestID); err != nil {
			return failCall(s, err)
		}
		if r = refundByID(p, r.RefundRequestID); r == nil {
			return fail(s, "refund vanished from %s", p.PaymentRequestID)
		}
	}
	if code := reportRefund(s, g, p, *r); code != exitOK {
		return code
	}
	if r.State != "SUCCEEDED" {
		return fail(s, "refund %s failed: %s", r.RefundRequestID, orDash(r.ResultCode))
	}
	return exitOK
}

// reportRefund prints what was done: the payment as JSON, or a line.
func reportRefund(s stdio, g *globals, p posapi.Payment, r posapi.Refund) int {
	if g.json {
		if err := printJSON(s.out, p); err != nil {
			return fail(s, "%v", err)
		}
		return exitOK
	}
	fmt.Fprintf(s.out, "refund %s of %s for %s: %s\n", r.RefundRequestID, r.Amount, p.PaymentRequestID, r.State)
	return exitOK
}

func paidState(st string) bool {
	return st == "SUCCEEDED" || st == "PARTIALLY_REFUNDED" || st == "REFUNDING"
}

// latestRefund is the refund created last, or nil.
func latestRefund(p posapi.Payment) *posapi.Refund {
	var last *posapi.Refund
	for i := range p.Refunds {
		if last == nil || !p.Refunds[i].CreatedAt.Before(last.CreatedAt) {
			last = &p.Refunds[i]
		}
	}
	return last
}

func refundByID(p posapi.Payment, id string) *posapi.Refund {
	for i := range p.Refunds {
		if p.Refunds[i].RefundRequestID == id {
			return &p.Refunds[i]
		}
	}
	return nil
}

// refundable is what is left to refund: the amount less the refunds that
// succeeded or may still.
func refundable(p posapi.Payment) money.Amount {
	left := p.Amount
	for _, r := range p.Refunds {
		if r.State != "FAILED" {
			left.Value -= r.Amount.Value
		}
	}
	return left
}

func clock(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// errNotConfirmed is returned when a money-moving command was not confirmed.
var errNotConfirmed = errors.New("not confirmed")

// confirm asks q on a terminal and reads y or yes. Without a terminal the
// command needs --yes: nothing that moves money runs unattended by accident.
func confirm(s stdio, yes bool, q string) error {
	if yes {
		return nil
	}
	f, ok := s.in.(*os.File)
	if !ok || !isTerminal(f) {
		return fmt.Errorf("%w: %s; not on a terminal, so add --yes to do it", errNotConfirmed, q)
	}
	fmt.Fprintf(s.err, "%s [y/N] ", q)
	line, _ := bufio.NewReader(io.LimitReader(f, 64)).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("%w: nothing done", errNotConfirmed)
}

// isTerminal reports whether f is a terminal: a character device such as
// /dev/null is not (the tty ioctl, as golang.org/x/term does).
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlReadTermios)
	return err == nil
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
		if !g.json {
			return c.Keys(ctx, pos[0])
		}
		r, err := c.KeysStart(ctx, pos[0])
		if err != nil {
			return err
		}
		return printJSON(s.out, r)
	})
}
