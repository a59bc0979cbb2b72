package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
)

// ledgerBackend is a backend over an in-memory list of payments: enough
// to check the HTTP contract (routing, status codes, bodies). The real
// backend is exercised end to end in e2e_test.go.
type ledgerBackend struct {
	payments map[string]posapi.Payment
	keys     []string
	closing  bool
	from, to time.Time
}

func (b *ledgerBackend) Status(context.Context) posapi.Status {
	return posapi.Status{Version: "test", Accepting: !b.closing, Till: "Ready", OutboxDepth: len(b.payments)}
}
func (b *ledgerBackend) List(_ context.Context, since time.Time) ([]posapi.Payment, error) {
	var out []posapi.Payment
	for _, p := range b.payments {
		if !p.CreatedAt.Before(since) {
			out = append(out, p)
		}
	}
	return out, nil
}
func (b *ledgerBackend) Show(_ context.Context, id string) (posapi.Payment, error) {
	p, ok := b.payments[id]
	if !ok {
		return p, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return p, nil
}
func (b *ledgerBackend) Keys(_ context.Context, s string) error {
	if b.closing {
		return ErrClosing
	}
	if strings.Contains(s, "<NOPE>") {
		return fmt.Errorf("%w: unknown token", ErrBadRequest)
	}
	b.keys = append(b.keys, s)
	return nil
}
func (b *ledgerBackend) KeysStart(ctx context.Context, s string) (string, error) {
	if err := b.Keys(ctx, s); err != nil {
		return "", err
	}
	return "P-STARTED", nil
}
func (b *ledgerBackend) Cancel(ctx context.Context, id string) (posapi.Payment, error) {
	p, err := b.Show(ctx, id)
	if err == nil && p.Final {
		err = fmt.Errorf("%w: %s is %s", ErrConflict, id, p.State)
	}
	return p, err
}
func (b *ledgerBackend) Refund(ctx context.Context, id, amount string) (posapi.Payment, error) {
	p, err := b.Show(ctx, id)
	if err != nil {
		return p, err
	}
	a, err := money.Parse(p.Amount.Currency, amount)
	if err != nil {
		return p, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	p.Refunds = append(p.Refunds, posapi.Refund{RefundRequestID: id + "-R1", Amount: a, State: "PENDING"})
	return p, nil
}
func (b *ledgerBackend) Reprint(ctx context.Context, id string) (posapi.Reprint, error) {
	_, err := b.Show(ctx, id)
	return posapi.Reprint{PaymentRequestID: id, Job: "7"}, err
}
func (b *ledgerBackend) Export(_ context.Context, w io.Writer, from, to time.Time, format string) error {
	b.from, b.to = from, to
	if format == "json" {
		_, err := io.WriteString(w, `[{"paymentRequestId":"P1"}]`)
		return err
	}
	_, err := io.WriteString(w, "paymentRequestId,amount\nP1,12.50\n")
	return err
}
func (b *ledgerBackend) Receipt(ctx context.Context, id string) (json.RawMessage, error) {
	p, err := b.Show(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"paymentRequestId": id, "amount": p.Amount})
}
func (b *ledgerBackend) Report(_ context.Context, req posapi.ReportRequest) (posapi.Report, error) {
	from, to, err := reportWindow(req)
	b.from, b.to = from, to
	return posapi.Report{Day: req.Day, From: from, To: to, Currencies: []posapi.ReportCurrency{}}, err
}
func (b *ledgerBackend) TestPrint(context.Context) error { return ErrNoPrinter }

func (b *ledgerBackend) PrintEntryCode(context.Context) error { return ErrNoPrinter }

func (b *ledgerBackend) EntryCode(context.Context) (posapi.EntryCode, error) {
	return posapi.EntryCode{}, fmt.Errorf("%w: Entry Code is off", ErrNotFound)
}

func startAPI(t *testing.T, b backend) (*posapi.Client, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "posd.sock")
	l, err := listenSocket(path, 0o660)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		serveAPI(ctx, l, limitsFor("api", nil), apiHandler(b, slog.New(slog.DiscardHandler)), slog.New(slog.DiscardHandler))
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return posapi.NewClient(path), path
}

func usd(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }

func TestAPIContract(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	b := &ledgerBackend{payments: map[string]posapi.Payment{
		"P1": {PaymentRequestID: "P1", State: "SUCCEEDED", Final: true, Amount: usd(1250), CreatedAt: t0},
		"P2": {PaymentRequestID: "P2", State: "AWAITING_BUYER", Amount: usd(300), CreatedAt: t0.Add(time.Hour)},
	}}
	c, path := startAPI(t, b)
	ctx := context.Background()

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want 0660", fi.Mode().Perm())
	}

	st, err := c.Status(ctx)
	if err != nil || st.Version != "test" || !st.Accepting || st.OutboxDepth != 2 {
		t.Fatalf("status %+v %v", st, err)
	}
	list, err := c.List(ctx, t0.Add(30*time.Minute))
	if err != nil || len(list) != 1 || list[0].PaymentRequestID != "P2" {
		t.Fatalf("list since: %+v %v", list, err)
	}
	p, err := c.Show(ctx, "P1")
	if err != nil || p.Amount != usd(1250) {
		t.Fatalf("show: %+v %v", p, err)
	}
	wantStatus := func(err error, code int) {
		t.Helper()
		var se *posapi.StatusError
		if !errors.As(err, &se) || se.Code != code {
			t.Fatalf("got %v, want HTTP %d", err, code)
		}
	}
	_, err = c.Show(ctx, "nope")
	wantStatus(err, http.StatusNotFound)
	if !strings.Contains(err.Error(), "no such payment") {
		t.Errorf("message %q", err)
	}

	if err := c.Keys(ctx, "1250<ENTER>"); err != nil || len(b.keys) != 1 || b.keys[0] != "1250<ENTER>" {
		t.Fatalf("keys: %v %v", b.keys, err)
	}
	wantStatus(c.Keys(ctx, "<NOPE>"), http.StatusBadRequest)
	if r, err := c.KeysStart(ctx, "1<ENTER>"); err != nil || r.PaymentRequestID != "P-STARTED" {
		t.Fatalf("keys with wait: %+v %v", r, err)
	}

	_, err = c.Cancel(ctx, "P1")
	wantStatus(err, http.StatusConflict)
	if _, err := c.Cancel(ctx, "P2"); err != nil {
		t.Fatal(err)
	}

	p, err = c.Refund(ctx, "P1", "1.50")
	if err != nil || len(p.Refunds) != 1 || p.Refunds[0].Amount != usd(150) {
		t.Fatalf("refund: %+v %v", p, err)
	}
	_, err = c.Refund(ctx, "P1", "1.505")
	wantStatus(err, http.StatusBadRequest)

	rp, err := c.Reprint(ctx, "P1")
	if err != nil || rp.Job != "7" {
		t.Fatalf("reprint %+v %v", rp, err)
	}

	csv, err := c.Export(ctx, t0, t0.Add(24*time.Hour), "csv", false)
	if err != nil || !strings.HasPrefix(string(csv), "paymentRequestId,amount\n") {
		t.Fatalf("export %q %v", csv, err)
	}
	rc, err := c.Receipt(ctx, "P1")
	if err != nil || string(rc) != `{"amount":{"currency":"USD","value":"1250"},"paymentRequestId":"P1"}`+"\n" {
		t.Fatalf("receipt %q %v", rc, err)
	}

	b.closing = true
	wantStatus(c.Keys(ctx, "1<ENTER>"), http.StatusServiceUnavailable)
}

func TestAPIExportDates(t *testing.T) {
	b := &ledgerBackend{}
	_, path := startAPI(t, b)
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}}
	get := func(q string) int {
		resp, err := hc.Get("http://posd/v1/export?" + q)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("all=1&format=json"); code != 200 || !b.from.IsZero() || b.to.Year() != 9999 {
		t.Fatalf("all: status %d, range %v..%v", code, b.from, b.to)
	}
	if code := get("from=2026-11-01&to=2026-11-30&format=csv"); code != 200 {
		t.Fatalf("status %d", code)
	}
	wantFrom := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local)
	wantTo := time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local) // --to is inclusive
	if !b.from.Equal(wantFrom) || !b.to.Equal(wantTo) {
		t.Errorf("range %v..%v, want %v..%v", b.from, b.to, wantFrom, wantTo)
	}
	for _, q := range []string{"from=2026-11-30&to=2026-11-01", "from=yesterday&to=2026-11-01", "to=2026-11-01", "from=2026-11-01&to=2026-11-02&format=xlsx"} {
		if code := get(q); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, code)
		}
	}
}

func TestAPISocketFile(t *testing.T) {
	dir := t.TempDir()

	// A stale socket left by a crash is replaced.
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	l2, err := listenSocket(stale, 0o660)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}

	// A live one is not taken over.
	if _, err := listenSocket(stale, 0o660); err == nil || !strings.Contains(err.Error(), "another posd") {
		t.Fatalf("live socket: %v", err)
	}
	l2.Close()

	// Nor is a regular file removed.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := listenSocket(file, 0o660); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("regular file: %v", err)
	}
	if data, _ := os.ReadFile(file); string(data) != "keep" {
		t.Fatal("the file was touched")
	}
}
