package daemon

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/money"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
)

// fakeOutbox is what the probe reads; the engine itself is exercised by the e2e tests.
type fakeOutbox struct {
	pending []queue.Payment
	werr    error
}

func (f *fakeOutbox) Pending() []queue.Payment { return f.pending }
func (f *fakeOutbox) WriteError() error        { return f.werr }

func TestMetricsExposition(t *testing.T) {
	dir := t.TempDir()
	m := newMetrics("1.2.3", filepath.Join(dir, "posd.db"))
	srv := httptest.NewServer(m)
	defer srv.Close()

	got := testenv.Scrape(t, srv.URL)
	for _, k := range []string{
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_open_fds",
		`posd_payments_total{outcome="succeeded"}`, `posd_payments_total{outcome="voided"}`,
		`posd_printer_paper{state="unknown"}`, "posd_outbox_filesystem_avail_bytes", "posd_outbox_filesystem_size_bytes",
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("fresh metrics lack %s", k)
		}
	}
	if got[`posd_printer_paper{state="unknown"}`] != 1 || got[`posd_printer_paper{state="ok"}`] != 0 || got["posd_outbox_writable"] != 1 {
		t.Errorf("fresh paper/writable state: %v", got)
	}
	if got["posd_outbox_filesystem_size_bytes"] <= 0 || got["posd_outbox_filesystem_avail_bytes"] > got["posd_outbox_filesystem_size_bytes"] {
		t.Errorf("file system: avail %v size %v", got["posd_outbox_filesystem_avail_bytes"], got["posd_outbox_filesystem_size_bytes"])
	}
	build := ""
	for k, v := range got {
		if strings.HasPrefix(k, "posd_build_info{") && v == 1 {
			build = k
		}
	}
	if !strings.Contains(build, `version="1.2.3"`) || !strings.Contains(build, `goversion="go`) {
		t.Errorf("build info: %q", build)
	}

	usd := func(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }
	m.payment(outcomeSucceeded, usd(1250))
	m.payment(outcomeSucceeded, usd(999))
	m.payment(outcomeSucceeded, money.Amount{Currency: "JPY", Value: 500})
	m.payment(outcomeCancelled, usd(300))
	m.payment(outcomeVoided, usd(700))
	m.refund(usd(450))
	m.observe("pay", 40*time.Millisecond)
	m.observe("pay", 3*time.Second)
	m.observe("pay", time.Minute) // beyond the last bucket
	m.observe("inquiryPayment", 10*time.Millisecond)
	m.printerUp.Set(1)
	m.networkUp.Set(1)
	m.setPaper("near_end")
	now := time.Unix(1_800_000_000, 0)
	m.sample(&fakeOutbox{pending: []queue.Payment{{State: queue.Unknown}, {State: queue.NeedsAttention}, {State: queue.Refunding, Attention: queue.AttentionRefundUnconfirmed}},
		werr: errors.New("disk full")}, func() time.Time { return now })

	got = testenv.Scrape(t, srv.URL)
	want := map[string]float64{
		`posd_payments_total{outcome="succeeded"}`:                                    3,
		`posd_payments_total{outcome="cancelled"}`:                                    1,
		`posd_payments_total{outcome="voided"}`:                                       1,
		`posd_payments_total{outcome="failed"}`:                                       0,
		`posd_payment_amount_minor_total{currency="USD",outcome="succeeded"}`:         2249,
		`posd_payment_amount_minor_total{currency="JPY",outcome="succeeded"}`:         500,
		`posd_payment_amount_minor_total{currency="USD",outcome="cancelled"}`:         300,
		`posd_payment_amount_minor_total{currency="USD",outcome="voided"}`:            700,
		`posd_refunds_total{currency="USD"}`:                                          1,
		`posd_refund_amount_minor_total{currency="USD"}`:                              450,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="0.025"}`:            0,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="0.05"}`:             1,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="5"}`:                2,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="+Inf"}`:             3,
		`posd_gateway_call_duration_seconds_count{call="pay"}`:                        3,
		`posd_gateway_call_duration_seconds_sum{call="pay"}`:                          63.04,
		`posd_gateway_call_duration_seconds_bucket{call="inquiryPayment",le="0.025"}`: 1,
		`posd_printer_paper{state="near_end"}`:                                        1,
		`posd_printer_paper{state="unknown"}`:                                         0,
		"posd_outbox_depth":                                                           3,
		"posd_payments_needing_attention":                                             2,
		"posd_outbox_writable":                                                        0,
		"posd_engine_last_answer_timestamp_seconds":                                   1_800_000_000,
		"posd_printer_up": 1,
		"posd_network_up": 1,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, ok := got[`posd_payments_total{outcome="refunded"}`]; ok {
		t.Error("refunds are counted among payments")
	}
}

func TestPaperState(t *testing.T) {
	for _, tc := range []struct {
		st   printer.Status
		err  error
		want string
	}{
		{printer.Status{}, nil, "ok"},
		{printer.Status{PaperNearEnd: true}, nil, "near_end"},
		{printer.Status{PaperEnd: true}, fmt.Errorf("%w: paper end", printer.ErrNotReady), "out"},
		{printer.Status{CoverOpen: true}, fmt.Errorf("%w: cover open", printer.ErrNotReady), "ok"},
		{printer.Status{}, fmt.Errorf("x: %w", printer.ErrNoReply), "unknown"},
	} {
		if got := paperState(tc.st, tc.err); got != tc.want {
			t.Errorf("paperState(%+v, %v) = %s, want %s", tc.st, tc.err, got, tc.want)
		}
	}
}

// The offset comes only from a verified reply's signed Response-Time, and a pin mismatch is its own gauge.
func TestMetricsGatewayReply(t *testing.T) {
	m := newMetrics("dev", "")
	srv := httptest.NewServer(m)
	defer srv.Close()
	at := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
	m.gatewayReply(alipay.Reply{Verified: true, ResponseTime: "2026-11-29T11:00:42+08:00"}, at, false)
	m.gatewayReply(alipay.Reply{ResponseTime: "2020-01-01T00:00:00Z"}, at, true) // unverified: not believed
	got := testenv.Scrape(t, srv.URL)
	if got["posd_gateway_clock_offset_seconds"] != 42 || got["posd_gateway_pin_mismatch"] != 1 {
		t.Fatalf("offset %v, pin mismatch %v", got["posd_gateway_clock_offset_seconds"], got["posd_gateway_pin_mismatch"])
	}
}

func TestMetricsRefusesWrites(t *testing.T) {
	srv := httptest.NewServer(newMetrics("dev", ""))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// wedgedOutbox never answers, as an engine stuck on its lock.
type wedgedOutbox struct{ entered chan struct{} }

func (w *wedgedOutbox) Pending() []queue.Payment { w.entered <- struct{}{}; select {} }
func (w *wedgedOutbox) WriteError() error        { return nil }

// A scrape reads the outbox as it is now; a wedged engine does not hang it, and shows as a stale
// answer time while one read at most stays stuck.
func TestMetricsScrapeReadsOutbox(t *testing.T) {
	m := newMetrics("dev", "")
	srv := httptest.NewServer(m)
	defer srv.Close()
	out := &fakeOutbox{pending: []queue.Payment{{State: queue.NeedsAttention}}}
	m.watch(out)
	got := testenv.Scrape(t, srv.URL)
	if got["posd_outbox_depth"] != 1 || got["posd_payments_needing_attention"] != 1 || got["posd_engine_last_answer_timestamp_seconds"] == 0 {
		t.Fatalf("first scrape: %v", got)
	}
	answered := got["posd_engine_last_answer_timestamp_seconds"]
	out.pending = nil
	if got := testenv.Scrape(t, srv.URL); got["posd_outbox_depth"] != 0 || got["posd_payments_needing_attention"] != 0 {
		t.Fatalf("second scrape still shows the payment: %v", got)
	}

	w := &wedgedOutbox{entered: make(chan struct{}, 1)}
	m.watch(w)
	for range 3 {
		got := testenv.Scrape(t, srv.URL) // each returns after scrapeOutboxWait at most
		if got["posd_engine_last_answer_timestamp_seconds"] < answered {
			t.Fatalf("answer time went back: %v", got)
		}
	}
	<-w.entered
	select {
	case <-w.entered:
		t.Fatal("a second read was started on the wedged engine")
	default:
	}
}
