package posapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Client calls posd's API over its unix socket.
type Client struct {
	socket string
	hc     *http.Client
}

// NewClient returns a client for the socket at path.
func NewClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}
	return &Client{socket: path, hc: &http.Client{Transport: tr}}
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://posd"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w at %s: %w", ErrUnreachable, c.socket, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%w: reading reply: %w", ErrUnreachable, err)
	}
	if resp.StatusCode/100 != 2 {
		var e Error
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return &StatusError{Code: resp.StatusCode, Message: e.Error}
	}
	switch out := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*out = data
		return nil
	default:
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("posd replied with something that is not its API: %w", err)
		}
		return nil
	}
}

// Status returns what posd is doing.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	return s, c.do(ctx, http.MethodGet, "/v1/status", nil, &s)
}

// List returns payments created at or after since (zero: all), newest first.
func (c *Client) List(ctx context.Context, since time.Time) ([]Payment, error) {
	path := "/v1/payments"
	if !since.IsZero() {
		path += "?since=" + url.QueryEscape(since.Format(time.RFC3339))
	}
	var ps []Payment
	return ps, c.do(ctx, http.MethodGet, path, nil, &ps)
}

// Show returns one payment.
func (c *Client) Show(ctx context.Context, id string) (Payment, error) {
	var p Payment
	return p, c.do(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(id), nil, &p)
}

// Keys feeds keys to the scripted keypad, e.g. "1250<ENTER>".
func (c *Client) Keys(ctx context.Context, keys string) error {
	return c.do(ctx, http.MethodPost, "/v1/keys", KeysRequest{Keys: keys}, nil)
}

// WaitTill reads posd's status every poll until ok accepts it (the API has
// no event to wait on) and returns that status. An error reading the
// status ends the wait: posd answers its socket at once unless it is gone.
func (c *Client) WaitTill(ctx context.Context, poll time.Duration, ok func(Status) bool) (Status, error) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		st, err := c.Status(ctx)
		if err != nil {
			return st, err
		}
		if ok(st) {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("till %q (%s): %w", st.Till, st.Screen, ctx.Err())
		case <-tick.C:
		}
	}
}

// ScannedSale makes one sale as the memory benchmarks and the power-cut
// rig do: it keys amount and a scanned customer code, waits for the
// payment's outcome and, once paid, clears the till with Enter and waits
// for it ready. Any outcome but paid is an error naming it.
func (c *Client) ScannedSale(ctx context.Context, amount, code string, poll time.Duration) error {
	if err := c.Keys(ctx, amount+"<SCAN:"+code+">"); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	st, err := c.WaitTill(ctx, poll, func(s Status) bool { return outcome(s.Till) })
	if err != nil {
		return fmt.Errorf("waiting for the outcome: %w", err)
	}
	if st.Till != "paid" {
		return fmt.Errorf("payment %s ended %q: %s %s", st.Current, st.Till, st.Screen, st.Notice)
	}
	if err := c.Keys(ctx, "<ENTER>"); err != nil {
		return fmt.Errorf("enter: %w", err)
	}
	if _, err := c.WaitTill(ctx, poll, func(s Status) bool { return s.Till == "ready" }); err != nil {
		return fmt.Errorf("waiting for the till ready: %w", err)
	}
	return nil
}

// outcome reports whether a till phase shows a payment's outcome.
func outcome(phase string) bool {
	switch phase {
	case "paid", "declined", "cancelled", "attention":
		return true
	}
	return false
}

// KeysStart feeds keys like Keys and reports the payment they started:
// an empty id when they started none.
func (c *Client) KeysStart(ctx context.Context, keys string) (KeysReply, error) {
	var r KeysReply
	return r, c.do(ctx, http.MethodPost, "/v1/keys", KeysRequest{Keys: keys, Wait: true}, &r)
}

// Cancel asks the outbox to cancel a live payment (or reverse a paid one).
func (c *Client) Cancel(ctx context.Context, id string) (Payment, error) {
	var p Payment
	return p, c.do(ctx, http.MethodPost, "/v1/payments/"+url.PathEscape(id)+"/cancel", nil, &p)
}

// Refund asks for a refund of amount (decimal text) of a paid payment.
func (c *Client) Refund(ctx context.Context, id, amount string) (Payment, error) {
	var p Payment
	return p, c.do(ctx, http.MethodPost, "/v1/payments/"+url.PathEscape(id)+"/refund", RefundRequest{Amount: amount}, &p)
}

// Reprint queues a COPY of a payment's receipt.
func (c *Client) Reprint(ctx context.Context, id string) (Reprint, error) {
	var r Reprint
	return r, c.do(ctx, http.MethodPost, "/v1/payments/"+url.PathEscape(id)+"/reprint", nil, &r)
}

// Export returns the reconciliation rows for [from, to), or every record
// with all, as CSV or (format "json") a JSON array.
func (c *Client) Export(ctx context.Context, from, to time.Time, format string, all bool) ([]byte, error) {
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}, "format": {format}}
	if all {
		q = url.Values{"all": {"1"}, "format": {format}}
	}
	var b []byte
	return b, c.do(ctx, http.MethodGet, "/v1/export?"+q.Encode(), nil, &b)
}

// Receipt returns a payment's first receipt as the outbox stored it for
// the printer (printer.Receipt JSON), so posctl can render it.
func (c *Client) Receipt(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	return b, c.do(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(id)+"/receipt", nil, &b)
}

// EntryCode returns what the Entry Code sticker shows; a 404 StatusError when
// [entry_code] is off.
func (c *Client) EntryCode(ctx context.Context) (EntryCode, error) {
	var e EntryCode
	return e, c.do(ctx, http.MethodGet, "/v1/entry-code", nil, &e)
}

// Report returns the totals of a day or window; with req.Print posd also
// prints them. A day that has ended gets its Z number.
func (c *Client) Report(ctx context.Context, req ReportRequest) (Report, error) {
	var r Report
	return r, c.do(ctx, http.MethodPost, "/v1/report", req, &r)
}

// PrintEntryCode prints the Entry Code sticker on the receipt printer and
// returns once the printer took it; a 404 StatusError when [entry_code] is
// off.
func (c *Client) PrintEntryCode(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/entry-code/print", nil, nil)
}

// TestPrint prints a test slip and returns once the printer took it.
func (c *Client) TestPrint(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/test-print", nil, nil)
}
