package daemon

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// metrics is what posd exposes to Prometheus, in the text exposition format
// (https://prometheus.io/docs/instrumenting/exposition_formats/), written by
// hand: a dozen series do not need client_golang. Typed atomics keep the
// 64-bit counters aligned on 32-bit ARM.
type metrics struct {
	mu       sync.Mutex
	outcomes map[string]*atomic.Uint64 // payments by final outcome
	notices  map[string]*atomic.Uint64 // payment notifications by what they did
	stopped  atomic.Pointer[string]    // the code that stopped new payments, nil while taking them
	calls    map[string]*histogram     // gateway call latency by AMS API

	depth     func() int // payments the outbox still drives
	printerUp atomic.Bool
	networkUp atomic.Bool
	version   string
	// more writes further series (the event stream's); nil: none.
	more func(io.Writer)
}

// latencyBuckets are upper bounds in seconds: a pay must answer within the
// 15 s deadline, inquiries far sooner.
var latencyBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15}

type histogram struct {
	buckets []atomic.Uint64 // one per latencyBuckets entry, not cumulative
	count   atomic.Uint64
	sumNano atomic.Int64
}

func newMetrics(version string, depth func() int) *metrics {
	return &metrics{outcomes: map[string]*atomic.Uint64{}, notices: map[string]*atomic.Uint64{}, calls: map[string]*histogram{}, depth: depth, version: version}
}

// payment counts a payment that reached a final or attention state.
func (m *metrics) payment(outcome string) { m.count(m.outcomes, outcome) }

// notification counts a verified payment notification by what it did.
func (m *metrics) notification(result string) { m.count(m.notices, result) }

func (m *metrics) count(in map[string]*atomic.Uint64, label string) {
	m.mu.Lock()
	c, ok := in[label]
	if !ok {
		c = new(atomic.Uint64)
		in[label] = c
	}
	m.mu.Unlock()
	c.Add(1)
}

// observe records one gateway call's duration.
func (m *metrics) observe(call string, d time.Duration) {
	m.mu.Lock()
	h, ok := m.calls[call]
	if !ok {
		h = &histogram{buckets: make([]atomic.Uint64, len(latencyBuckets))}
		m.calls[call] = h
	}
	m.mu.Unlock()
	s := d.Seconds()
	for i, le := range latencyBuckets {
		if s <= le {
			h.buckets[i].Add(1)
			break
		}
	}
	h.count.Add(1)
	h.sumNano.Add(int64(d))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func boolGauge(b bool) int {
	if b {
		return 1
	}
	return 0
}

// write renders every series.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	outcomes := make(map[string]uint64, len(m.outcomes))
	for k, v := range m.outcomes {
		outcomes[k] = v.Load()
	}
	notices := make(map[string]uint64, len(m.notices))
	for k, v := range m.notices {
		notices[k] = v.Load()
	}
	calls := make(map[string]*histogram, len(m.calls))
	for k, v := range m.calls {
		calls[k] = v
	}
	m.mu.Unlock()

	fmt.Fprintf(w, "# HELP posd_build_info The running posd version.\n# TYPE posd_build_info gauge\nposd_build_info{version=%q} 1\n", m.version)
	fmt.Fprintf(w, "# HELP posd_payments_total Payments by outcome since posd started.\n# TYPE posd_payments_total counter\n")
	for _, k := range sortedKeys(outcomes) {
		fmt.Fprintf(w, "posd_payments_total{outcome=%q} %d\n", k, outcomes[k])
	}
	fmt.Fprintf(w, "# HELP posd_gateway_call_duration_seconds Time from request to verified reply, by AMS API.\n# TYPE posd_gateway_call_duration_seconds histogram\n")
	for _, k := range sortedKeys(calls) {
		h := calls[k]
		count := h.count.Load()
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.buckets[i].Load()
			fmt.Fprintf(w, "posd_gateway_call_duration_seconds_bucket{call=%q,le=%q} %d\n", k, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		// Observations above the last bound count only here; the count is
		// read first so +Inf is never below a bucket written above.
		fmt.Fprintf(w, "posd_gateway_call_duration_seconds_bucket{call=%q,le=\"+Inf\"} %d\n", k, max(count, cum))
		fmt.Fprintf(w, "posd_gateway_call_duration_seconds_sum{call=%q} %s\n", k, strconv.FormatFloat(time.Duration(h.sumNano.Load()).Seconds(), 'g', -1, 64))
		fmt.Fprintf(w, "posd_gateway_call_duration_seconds_count{call=%q} %d\n", k, max(count, cum))
	}
	fmt.Fprintf(w, "# HELP posd_notifications_total Verified payment notifications by what they did (unknown_payment: for a paymentRequestId posd does not hold).\n# TYPE posd_notifications_total counter\n")
	for _, k := range sortedKeys(notices) {
		fmt.Fprintf(w, "posd_notifications_total{result=%q} %d\n", k, notices[k])
	}
	stopped, code := 0, ""
	if c := m.stopped.Load(); c != nil {
		stopped, code = 1, *c
	}
	fmt.Fprintf(w, "# HELP posd_payments_stopped 1 when a merchant or configuration code from Alipay stopped new payments.\n# TYPE posd_payments_stopped gauge\nposd_payments_stopped{code=%q} %d\n", code, stopped)
	depth := 0
	if m.depth != nil {
		depth = m.depth()
	}
	fmt.Fprintf(w, "# HELP posd_outbox_depth Payments not yet final.\n# TYPE posd_outbox_depth gauge\nposd_outbox_depth %d\n", depth)
	fmt.Fprintf(w, "# HELP posd_printer_up 1 when the printer can print.\n# TYPE posd_printer_up gauge\nposd_printer_up %d\n", boolGauge(m.printerUp.Load()))
	fmt.Fprintf(w, "# HELP posd_network_up 1 when the last gateway call got a reply.\n# TYPE posd_network_up gauge\nposd_network_up %d\n", boolGauge(m.networkUp.Load()))
	if m.more != nil {
		m.more(w)
	}
}

// ServeHTTP serves GET /metrics.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.write(w)
}
