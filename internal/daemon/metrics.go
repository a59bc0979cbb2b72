package daemon

import (
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sys/unix"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
)

// Payment outcomes, the outcome label of posd_payments_total and
// posd_payment_amount_minor_total. Refunds are counted apart.
const (
	outcomeSucceeded      = "succeeded"       // verified paid
	outcomeFailed         = "failed"          // verified not paid
	outcomeCancelled      = "cancelled"       // closed before any money moved
	outcomeVoided         = "voided"          // paid, then given back by a cancel (a void)
	outcomeNeedsAttention = "needs_attention" // outcome not known: a person must look
)

// Paper states, the state label of posd_printer_paper.
var paperStates = []string{"ok", "near_end", "out", "unknown"}

// latencyBuckets are upper bounds in seconds: a pay must answer within the
// 15 s deadline, inquiries far sooner.
var latencyBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15}

// metrics is what posd exposes to Prometheus, through client_golang
// (https://pkg.go.dev/github.com/prometheus/client_golang/prometheus) on a
// registry of its own: the Go runtime (go_*), the process (process_*) and
// posd's series. Each scrape reads the outbox with a deadline, so a wedged
// engine cannot hang /metrics; it shows as a stale
// posd_engine_last_answer_timestamp_seconds instead.
type metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	payments *prometheus.CounterVec // by outcome
	notices  *prometheus.CounterVec // verified payment notifications by what they did
	// stopped is the code that stopped new payments (nil while taking
	// them): state the till and posctl status read, exported as
	// posd_payments_stopped.
	stopped  atomic.Pointer[string]
	money    *minorCounter          // payment amounts by currency and outcome
	refunds  *prometheus.CounterVec // by currency
	refunded *minorCounter          // refund amounts by currency
	calls    *prometheus.HistogramVec

	printerUp   prometheus.Gauge
	paper       *prometheus.GaugeVec
	networkUp   prometheus.Gauge
	pinMismatch prometheus.Gauge
	clockOffset prometheus.Gauge

	depth, attention, writable, engineAnswered prometheus.Gauge
	src                                        outboxProbe // nil: no outbox to read
	sampling                                   atomic.Bool // a read of src is under way
}

// scrapeOutboxWait bounds how long a scrape waits for the outbox engine.
const scrapeOutboxWait = time.Second

// newMetrics registers every series. dbPath is the outbox file, whose
// file system's free space is exported ("" exports none).
func newMetrics(version, dbPath string) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{reg: reg}
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "posd_build_info", Help: "The running posd: always 1, with its version.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()}}, func() float64 { return 1 }))
	m.payments = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "posd_payments_total",
		Help: "Payments by outcome since posd started (refunds are posd_refunds_total)."}, []string{"outcome"})
	m.money = newMinorCounter("posd_payment_amount_minor_total",
		"Sum of payment amounts in the currency's minor units (cents, yen), by currency and outcome.", "currency", "outcome")
	m.refunds = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "posd_refunds_total",
		Help: "Refunds that succeeded since posd started, by currency."}, []string{"currency"})
	m.refunded = newMinorCounter("posd_refund_amount_minor_total",
		"Sum of refunded amounts in the currency's minor units, by currency.", "currency")
	m.notices = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "posd_notifications_total",
		Help: "Verified payment notifications by what they did (unknown_payment: for a paymentRequestId posd does not hold)."}, []string{"result"})
	stoppedDesc := prometheus.NewDesc("posd_payments_stopped",
		"1 when a merchant or configuration code from Alipay stopped new payments.", []string{"code"}, nil)
	f(collectorFunc{stoppedDesc, func(ch chan<- prometheus.Metric) {
		v, code := 0.0, ""
		if c := m.stopped.Load(); c != nil {
			v, code = 1, *c
		}
		ch <- prometheus.MustNewConstMetric(stoppedDesc, prometheus.GaugeValue, v, code)
	}})
	m.calls = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "posd_gateway_call_duration_seconds",
		Help: "Time from request to verified reply, by AMS API.", Buckets: latencyBuckets}, []string{"call"})
	m.printerUp = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_printer_up", Help: "1 when the printer can print."})
	m.paper = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "posd_printer_paper",
		Help: "1 for the paper state the printer last reported: ok, near_end, out or unknown."}, []string{"state"})
	m.networkUp = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_network_up", Help: "1 when the last gateway call got a reply."})
	m.pinMismatch = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_gateway_pin_mismatch",
		Help: "1 when the gateway's TLS certificate does not match [alipay] pin_sha256 (nothing can be sent)."})
	m.clockOffset = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_gateway_clock_offset_seconds",
		Help: "The gateway's signed Response-Time minus this clock at the reply; far from 0: this clock is wrong."})
	m.depth = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_outbox_depth", Help: "Payments the outbox still drives."})
	m.attention = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_payments_needing_attention",
		Help: "Payments whose outcome is not known and that a person must look at."})
	m.writable = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_outbox_writable",
		Help: "1 when the outbox database takes writes (0: disk full or failing; no new payments)."})
	m.engineAnswered = prometheus.NewGauge(prometheus.GaugeOpts{Name: "posd_engine_last_answer_timestamp_seconds",
		Help: "When the outbox engine last answered a scrape's read (Unix time); stale: the engine is stuck."})
	for _, c := range []prometheus.Collector{m.payments, m.notices, m.money, m.refunds, m.refunded, m.calls, m.printerUp, m.paper,
		m.networkUp, m.pinMismatch, m.clockOffset, m.depth, m.attention, m.writable, m.engineAnswered} {
		f(c)
	}
	if dbPath != "" {
		dir := filepath.Dir(dbPath)
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "posd_outbox_filesystem_avail_bytes",
			Help: "Free space for posd on the outbox database's file system."}, func() float64 { avail, _ := fsSpace(dir); return avail }))
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "posd_outbox_filesystem_size_bytes",
			Help: "Size of the outbox database's file system."}, func() float64 { _, size := fsSpace(dir); return size }))
	}
	// Every outcome and paper state is present from the start, so alert
	// rules and rate() see a 0 before the first event, not a missing series.
	for _, o := range []string{outcomeSucceeded, outcomeFailed, outcomeCancelled, outcomeVoided, outcomeNeedsAttention} {
		m.payments.WithLabelValues(o)
	}
	m.setPaper("unknown")
	m.writable.Set(1)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError,
		MaxRequestsInFlight: 2, Timeout: 10 * time.Second})
	return m
}

// fsSpace is the free and total bytes of dir's file system (0, 0 when unknown).
func fsSpace(dir string) (avail, size float64) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0
	}
	bs := float64(st.Bsize)
	return float64(st.Bavail) * bs, float64(st.Blocks) * bs
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// payment counts a payment that reached a final or attention state.
func (m *metrics) payment(outcome string, amount money.Amount) {
	m.payments.WithLabelValues(outcome).Inc()
	m.money.add(amount.Value, string(amount.Currency), outcome)
}

// refund counts a refund that succeeded.
func (m *metrics) refund(amount money.Amount) {
	m.refunds.WithLabelValues(string(amount.Currency)).Inc()
	m.refunded.add(amount.Value, string(amount.Currency))
}

// notification counts a verified payment notification by what it did.
func (m *metrics) notification(result string) { m.notices.WithLabelValues(result).Inc() }

// observe records one gateway call's duration.
func (m *metrics) observe(call string, d time.Duration) {
	m.calls.WithLabelValues(call).Observe(d.Seconds())
}

// setPaper makes state the one paper state at 1.
func (m *metrics) setPaper(state string) {
	for _, s := range paperStates {
		m.paper.WithLabelValues(s).Set(boolGauge(s == state))
	}
}

// gatewayReply records what a gateway call says about the link: a pin
// mismatch, and the clock offset from a verified (signed) Response-Time.
func (m *metrics) gatewayReply(r alipay.Reply, at time.Time, pinMismatch bool) {
	m.pinMismatch.Set(boolGauge(pinMismatch))
	if !r.Verified || r.ResponseTime == "" {
		return
	}
	if t, err := time.Parse(time.RFC3339, r.ResponseTime); err == nil {
		m.clockOffset.Set(t.Sub(at).Seconds())
	}
}

// outboxProbe is what a scrape reads of the outbox engine.
type outboxProbe interface {
	Pending() []queue.Payment
	WriteError() error
}

// sample reads the outbox once. On a wedged engine it blocks, and the
// answer timestamp goes stale: that is the signal.
func (m *metrics) sample(src outboxProbe, now func() time.Time) {
	pending := src.Pending()
	attention := 0
	for _, p := range pending {
		if p.State == queue.NeedsAttention {
			attention++
		}
	}
	m.depth.Set(float64(len(pending)))
	m.attention.Set(float64(attention))
	m.writable.Set(boolGauge(src.WriteError() == nil))
	m.engineAnswered.Set(float64(now().Unix()))
}

// watch makes every scrape read the outbox first (src: the engine).
func (m *metrics) watch(src outboxProbe) { m.src = src }

// refresh samples the outbox for a scrape, waiting at most wait: a wedged
// engine holds one read forever (never more than one), and the scrape
// answers with the last values and a stale answer timestamp, which is what
// the stuck-engine alert looks for.
func (m *metrics) refresh(wait time.Duration) {
	if m.src == nil || !m.sampling.CompareAndSwap(false, true) {
		return
	}
	done := make(chan struct{})
	go func() {
		defer m.sampling.Store(false)
		m.sample(m.src, time.Now)
		close(done)
	}()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// ServeHTTP serves GET /metrics.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	m.refresh(scrapeOutboxWait)
	m.handler.ServeHTTP(w, r)
}

// collectorFunc is a collector of one series computed at each scrape.
type collectorFunc struct {
	desc    *prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (c collectorFunc) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }

// minorCounter sums money per label set as integer minor units; the sum
// becomes a Prometheus float only when scraped, exact below 2^53 minor
// units (90 trillion dollars), so no rounding ever accumulates.
type minorCounter struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	sums map[string]uint64 // label values joined by \x00
}

func newMinorCounter(name, help string, labels ...string) *minorCounter {
	return &minorCounter{desc: prometheus.NewDesc(name, help, labels, nil), sums: map[string]uint64{}}
}

// add counts v minor units; amounts are never negative.
func (c *minorCounter) add(v int64, labels ...string) {
	if v < 0 {
		return
	}
	k := strings.Join(labels, "\x00")
	c.mu.Lock()
	c.sums[k] += uint64(v)
	c.mu.Unlock()
}

func (c *minorCounter) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *minorCounter) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.sums {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(v), strings.Split(k, "\x00")...)
	}
}
