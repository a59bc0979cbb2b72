package daemon

import (
	"net/http"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/internal/promtext"
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

// metrics is what posd exposes to Prometheus on a registry of its own
// (internal/promtext, the text format): the Go runtime (go_*), the process
// (process_*) and posd's series. Each scrape reads the outbox with a
// deadline, so a wedged engine cannot hang /metrics; it shows as a stale
// posd_engine_last_answer_timestamp_seconds instead.
type metrics struct {
	reg *promtext.Registry
	// inflight bounds concurrent scrapes: a third is refused with 503.
	inflight chan struct{}

	payments *promtext.CounterVec // by outcome
	notices  *promtext.CounterVec // verified payment notifications by what they did
	// stopped is the code that stopped new payments (nil while taking
	// them): state the till and posctl status read, exported as
	// posd_payments_stopped.
	stopped  atomic.Pointer[string]
	money    *promtext.CounterVec // payment amounts in minor units, by currency and outcome
	refunds  *promtext.CounterVec // by currency
	refunded *promtext.CounterVec // refund amounts in minor units, by currency
	calls    *promtext.HistogramVec

	printerUp   *promtext.Gauge
	paper       *promtext.GaugeVec
	networkUp   *promtext.Gauge
	pinMismatch *promtext.Gauge
	clockOffset *promtext.Gauge

	depth, attention, writable, engineAnswered *promtext.Gauge
	src                                        outboxProbe // nil: no outbox to read
	sampling                                   atomic.Bool // a read of src is under way
}

// scrapeOutboxWait bounds how long a scrape waits for the outbox engine.
const scrapeOutboxWait = time.Second

// newMetrics registers every series. dbPath is the outbox file, whose
// file system's free space is exported ("" exports none).
func newMetrics(version, dbPath string) *metrics {
	reg := promtext.NewRegistry()
	m := &metrics{reg: reg, inflight: make(chan struct{}, 2)}
	reg.RegisterRuntime()

	reg.NewGaugeVec("posd_build_info", "The running posd: always 1, with its version.", "version", "goversion").
		With(version, runtime.Version()).Set(1)
	m.payments = reg.NewCounterVec("posd_payments_total",
		"Payments by outcome since posd started (refunds are posd_refunds_total).", "outcome")
	// Integer sums: exact to the minor unit however many payments are added.
	m.money = reg.NewCounterVec("posd_payment_amount_minor_total",
		"Sum of payment amounts in the currency's minor units (cents, yen), by currency and outcome.", "currency", "outcome")
	m.refunds = reg.NewCounterVec("posd_refunds_total", "Refunds that succeeded since posd started, by currency.", "currency")
	m.refunded = reg.NewCounterVec("posd_refund_amount_minor_total",
		"Sum of refunded amounts in the currency's minor units, by currency.", "currency")
	m.notices = reg.NewCounterVec("posd_notifications_total",
		"Verified payment notifications by what they did (unknown_payment: for a paymentRequestId posd does not hold).", "result")
	reg.NewFunc("posd_payments_stopped", "1 when a merchant or configuration code from Alipay stopped new payments.",
		promtext.GaugeType, []string{"code"}, func(emit promtext.Emit) {
			v, code := 0.0, ""
			if c := m.stopped.Load(); c != nil {
				v, code = 1, *c
			}
			emit(v, code)
		})
	m.calls = reg.NewHistogramVec("posd_gateway_call_duration_seconds", "Time from request to verified reply, by AMS API.",
		latencyBuckets, "call")
	m.printerUp = reg.NewGauge("posd_printer_up", "1 when the printer can print.")
	m.paper = reg.NewGaugeVec("posd_printer_paper",
		"1 for the paper state the printer last reported: ok, near_end, out or unknown.", "state")
	m.networkUp = reg.NewGauge("posd_network_up", "1 when the last gateway call got a reply.")
	m.pinMismatch = reg.NewGauge("posd_gateway_pin_mismatch",
		"1 when the gateway's TLS certificate does not match [alipay] pin_sha256 (nothing can be sent).")
	m.clockOffset = reg.NewGauge("posd_gateway_clock_offset_seconds",
		"The gateway's signed Response-Time minus this clock at the reply; far from 0: this clock is wrong.")
	m.depth = reg.NewGauge("posd_outbox_depth", "Payments the outbox still drives.")
	m.attention = reg.NewGauge("posd_payments_needing_attention", "Payments still driven that a person must look at: outcome unknown, a refund unconfirmed, money being given back.")
	m.writable = reg.NewGauge("posd_outbox_writable", "1 when the outbox database takes writes (0: disk full or failing; no new payments).")
	m.engineAnswered = reg.NewGauge("posd_engine_last_answer_timestamp_seconds",
		"When the outbox engine last answered a scrape's read (Unix time); stale: the engine is stuck.")
	if dbPath != "" {
		dir := filepath.Dir(dbPath)
		reg.NewGaugeFunc("posd_outbox_filesystem_avail_bytes", "Free space for posd on the outbox database's file system.",
			func() float64 { avail, _ := fsSpace(dir); return avail })
		reg.NewGaugeFunc("posd_outbox_filesystem_size_bytes", "Size of the outbox database's file system.",
			func() float64 { _, size := fsSpace(dir); return size })
	}
	// Every outcome and paper state is present from the start, so alert
	// rules and rate() see a 0 before the first event, not a missing series.
	for _, o := range []string{outcomeSucceeded, outcomeFailed, outcomeCancelled, outcomeVoided, outcomeNeedsAttention} {
		m.payments.With(o)
	}
	m.setPaper("unknown")
	m.writable.Set(1)
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
	m.payments.With(outcome).Inc()
	if amount.Value > 0 {
		m.money.With(string(amount.Currency), outcome).Add(uint64(amount.Value))
	}
}

// refund counts a refund that succeeded.
func (m *metrics) refund(amount money.Amount) {
	m.refunds.With(string(amount.Currency)).Inc()
	if amount.Value > 0 {
		m.refunded.With(string(amount.Currency)).Add(uint64(amount.Value))
	}
}

// notification counts a verified payment notification by what it did.
func (m *metrics) notification(result string) { m.notices.With(result).Inc() }

// observe records one gateway call's duration.
func (m *metrics) observe(call string, d time.Duration) {
	m.calls.With(call).Observe(d.Seconds())
}

// setPaper makes state the one paper state at 1.
func (m *metrics) setPaper(state string) {
	for _, s := range paperStates {
		m.paper.With(s).Set(boolGauge(s == state))
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
		if p.State == queue.NeedsAttention || p.Attention != "" { // as posctl export's needsAttention
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

// ServeHTTP serves GET /metrics. Two scrapes at most read the outbox and
// render at once (a third is refused with 503); the page is rendered whole
// before its slot is given back and a byte is written, so a slow reader
// holds neither a slot nor a lock (the listener's write timeout bounds it).
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	select {
	case m.inflight <- struct{}{}:
	default:
		http.Error(w, "too many scrapes at once", http.StatusServiceUnavailable)
		return
	}
	m.refresh(scrapeOutboxWait)
	body := m.reg.Render()
	<-m.inflight
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}
