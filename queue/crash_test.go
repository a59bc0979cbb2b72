package queue_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/events"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

// The crash test runs the real store and engine in a child process (this
// test binary in TestCrashChild mode) against a gateway ledger that lives in
// the parent and is reached over HTTP, with faults on every call, and kills
// the child with SIGKILL at random moments. The workload, by index mod 8:
//
//	0 payment code, paid at once       4 order code, never paid (expires, cancelled)
//	1 payment code, paid after a wait  5 payment code, stuck; the cashier aborts
//	2 payment code, declined           6 order code; the cashier aborts
//	3 order code, paid after 300 ms    7 payment code, paid, then half refunded
//
// Every other kind-5 payment (index mod 16 = 13) is paid at once instead
// and voided by the cashier; against amssim the cancel window is 1 ms, so
// the cancel is answered CANCEL_WINDOW_EXCEED, the inquiry finds the
// payment paid, and it is refunded in full.
const (
	envCrashDB    = "QUEUE_CRASH_DB"
	envCrashURL   = "QUEUE_CRASH_URL"
	envCrashFirst = "QUEUE_CRASH_FIRST"
	envCrashTotal = "QUEUE_CRASH_TOTAL"
	envCrashFinal = "QUEUE_CRASH_FINAL"
	envCrashPin   = "QUEUE_CRASH_PIN" // set: the gateway is amssim over TLS
	// envCrashSlow slows the child's clock by a factor: build/powercut runs
	// it in an emulated board, where a TLS handshake takes seconds.
	envCrashSlow = "QUEUE_CRASH_SLOW"
)

func crashID(i int) string { return fmt.Sprintf("C%05d", i) }

func crashIndex(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "C"))
	return n
}

// crashVoided reports whether payment i is paid and then voided by the cashier.
func crashVoided(i int) bool { return i%16 == 13 }

// crashAborted reports whether the cashier aborts payment i.
func crashAborted(i int) bool { return (i%8 == 5 || i%8 == 6) && !crashVoided(i) }

// crashPolicy is DefaultPolicy in milliseconds instead of seconds, so a
// payment lives through several kills in a short test.
func crashPolicy() queue.Policy {
	slow := crashSlow()
	pol := queue.DefaultPolicy()
	pol.PayResendFor = 2 * time.Second * slow
	pol.PayResendDelay = 50 * time.Millisecond * slow
	pol.PayAnswerWait = 500 * time.Millisecond * slow
	pol.InquiryInterval = 40 * time.Millisecond * slow
	pol.DefaultExpiry = 2 * time.Second * slow
	pol.ExpiryGrace = 200 * time.Millisecond * slow
	pol.CancelBackoff = []time.Duration{40 * time.Millisecond * slow, 60 * time.Millisecond * slow, 60 * time.Millisecond * slow,
		100 * time.Millisecond * slow, 100 * time.Millisecond * slow}
	pol.CancelRetry = 300 * time.Millisecond * slow
	pol.RefundPoll = 100 * time.Millisecond * slow
	pol.RefundPollFor = time.Second * slow
	pol.RefundRetry = 300 * time.Millisecond * slow
	return pol
}

// crashSlow is the factor QUEUE_CRASH_SLOW sets on the child's clock
// (policy, expiries, client deadlines); 1 unless set.
func crashSlow() time.Duration {
	if n, err := strconv.Atoi(os.Getenv(envCrashSlow)); err == nil && n > 1 {
		return time.Duration(n)
	}
	return 1
}

// crashCodes are the payment codes of one gateway: paid, paid after a
// wait, declined, never answered.
type crashCodes struct{ paid, password, declined, never string }

var (
	ledgerCodes = crashCodes{queuetest.CodePaid + "00000000000001", queuetest.CodePassword + "00000000000001",
		queuetest.CodeDeclined + "00000000000001", queuetest.CodeNever + "00000000000001"}
	simCodes = crashCodes{amssim.CodePaid, amssim.CodePasswordPaid, amssim.CodeInsufficient, amssim.CodeNoAnswer}
)

func crashRequest(i int, now time.Time, codes crashCodes) (queue.PaymentRequest, error) {
	id := crashID(i)
	sale := "SALE" + id
	sc, code := alipay.ScenarioPaymentCode, ""
	switch i % 8 {
	case 0, 7:
		code = codes.paid
	case 5:
		code = codes.never
		if crashVoided(i) {
			code = codes.paid
		}
	case 1:
		code = codes.password
	case 2:
		code = codes.declined
	default:
		sc = alipay.ScenarioOrderCode
	}
	amount := money.Amount{Currency: "USD", Value: int64(100 + i)}
	expires := now.Add(1500 * time.Millisecond * crashSlow())
	body, err := alipay.EncodePay(alipay.PayRequest{
		PaymentRequestID: id,
		Order: alipay.Order{ReferenceOrderID: sale, OrderDescription: "crash test", Merchant: alipay.Merchant{
			ReferenceMerchantID: "M0001", MerchantName: "Demo Cafe", MerchantMCC: "5814",
			Store: alipay.Store{ReferenceStoreID: "S01", StoreName: "Main St", StoreMCC: "5814"}},
			Env: alipay.Env{StoreTerminalID: "T01", StoreTerminalRequestTime: alipay.Time{Time: now}}},
		PaymentAmount:     amount,
		PaymentMethod:     alipay.PaymentMethod{PaymentMethodID: code},
		PaymentFactor:     alipay.PaymentFactor{InStorePaymentScenario: sc},
		PaymentExpiryTime: alipay.Time{Time: expires},
		PaymentNotifyURL:  "https://127.0.0.1:1/notify", // nobody runs the simulator's notifier
	})
	return queue.PaymentRequest{RequestID: id, SaleID: sale, Scenario: queue.Scenario(sc), Amount: amount,
		Body: body, ExpiresAt: expires}, err
}

// crashGateway is the child's way to the gateway: amssim over TLS through
// the alipay client, or the queuetest ledger over plain HTTP.
func crashGateway(t *testing.T) (queue.Gateway, crashCodes) {
	url := os.Getenv(envCrashURL)
	pin := os.Getenv(envCrashPin)
	if pin == "" {
		return &queuetest.Remote{URL: url, Client: &http.Client{Timeout: 2 * time.Second}}, ledgerCodes
	}
	merchant, gateway := alipaytest.Keys(t)
	slow := crashSlow()
	client, err := alipay.NewClient(alipay.Config{ClientID: amsClientID, PrivateKey: merchant,
		PlatformPublicKey: &gateway.PublicKey, BaseURL: url, PinSHA256: pin,
		PayTimeout: 2 * time.Second * slow, CallTimeout: 2 * time.Second * slow, ConnectTimeout: time.Second * slow})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	return queue.NewAMS(client), simCodes
}

// TestCrashChild is the process the crash test kills; it does nothing
// unless started by TestCrashKillNine.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(envCrashDB)
	if path == "" {
		t.Skip("helper process of TestCrashKillNine")
	}
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(2)
	}
	first, _ := strconv.Atoi(os.Getenv(envCrashFirst))
	total, _ := strconv.Atoi(os.Getenv(envCrashTotal))
	final := os.Getenv(envCrashFinal) != ""
	s, err := queue.Open(path, queue.Options{LockTimeout: 10 * time.Second, Events: crashEvents()})
	if err != nil {
		fail(err)
	}
	pol := crashPolicy()
	gw, codes := crashGateway(t)
	eng, err := queue.NewEngine(queue.Config{Store: s, Gateway: gw, Policy: &pol, Workers: 4,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fail(err)
	}
	sub := eng.Subscribe(4096)
	if err := eng.Start(context.Background()); err != nil {
		fail(err)
	}
	fmt.Println("ready")
	// The cashier's side: refunds after success, aborts of the abandoned
	// sales, also for records a previous life left behind.
	cashier := func(p queue.Payment) {
		switch i := crashIndex(p.RequestID); {
		case i%8 == 7 && p.State == queue.Succeeded && len(p.Refunds) == 0:
			eng.Refund(p.RequestID, money.Amount{Currency: "USD", Value: p.Amount.Value / 2}, "crash test")
		case crashVoided(i) && p.State == queue.Succeeded && len(p.Refunds) == 0:
			eng.Void(p.RequestID)
		case crashAborted(i) && !p.State.IsFinal() && p.State != queue.Cancelling && p.State != queue.NeedsAttention:
			eng.Abort(p.RequestID)
		}
	}
	for _, id := range storedIDs(s) {
		if q, err := eng.Get(id); err == nil {
			cashier(q)
		}
	}
	go func() {
		for c := range sub.C {
			if p, err := eng.Get(c.RequestID); err == nil {
				cashier(p)
			}
		}
	}()
	for i := first; i < total; i++ {
		req, err := crashRequest(i, time.Now(), codes)
		if err != nil {
			fail(err)
		}
		if _, err = eng.Pay(req); err != nil && !errors.Is(err, queue.ErrDuplicate) {
			fail(err)
		}
		fmt.Println("created", i)
		if crashAborted(i) {
			id := crashID(i)
			time.AfterFunc(60*time.Millisecond, func() { eng.Abort(id) })
		}
		time.Sleep(15 * time.Millisecond) // the pace of a busy shop
	}
	if !final {
		select {} // run until killed
	}
	for round := 0; len(eng.Pending()) > 0; round++ {
		time.Sleep(50 * time.Millisecond)
		if round%100 == 99 { // every 5 s: what is still open, for a failing run's message
			for _, p := range eng.Pending() {
				fmt.Println("pending", p.RequestID, p.State, p.Next, p.CancelStep, p.Attention)
			}
		}
		for _, id := range storedIDs(s) { // late cashier work (events may predate this life)
			if q, err := eng.Get(id); err == nil && (crashIndex(q.RequestID)%8 == 7 || crashVoided(crashIndex(q.RequestID))) {
				cashier(q)
			}
		}
	}
	fmt.Println("done")
	os.Exit(0)
}

// storedIDs lists the stored payments. The cashier acts on them only after
// the read transaction has ended: a write (Refund, Abort) waiting on the
// engine while this goroutine holds a read transaction deadlocks as soon as
// bbolt has to grow its memory map.
func storedIDs(s *queue.Store) []string {
	var ids []string
	s.ForEach(func(p queue.Payment) error {
		ids = append(ids, p.RequestID)
		return nil
	})
	return ids
}

type crashChild struct {
	cmd     *exec.Cmd
	ready   chan struct{}
	exited  chan struct{}
	mu      sync.Mutex
	created int
	lines   []string
}

func startCrashChild(t *testing.T, env []string) *crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	c := &crashChild{cmd: cmd, ready: make(chan struct{}), exited: make(chan struct{}), created: -1}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.exited)
		sc := bufio.NewScanner(out)
		readyOnce := sync.OnceFunc(func() { close(c.ready) })
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			c.lines = append(c.lines, line)
			if n, ok := strings.CutPrefix(line, "created "); ok {
				c.created, _ = strconv.Atoi(n)
			}
			c.mu.Unlock()
			if line == "ready" {
				readyOnce()
			}
		}
		cmd.Wait()
	}()
	return c
}

func (c *crashChild) lastCreated() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.created
}

// gwPayment is one payment as a crash-test gateway holds it.
type gwPayment struct {
	Status   queue.PaymentStatus
	Reversed bool
	SaleID   string
	Refunds  map[string]money.Amount
}

// crashBackend is the gateway side of a crash test.
type crashBackend struct {
	env    []string                    // how the child reaches it
	ledger func() map[string]gwPayment // the ground truth
	faults func() int                  // faults injected so far
	// tooLate: the cancel window is shorter than any void, so every voided
	// payment must end refunded in full after CANCEL_WINDOW_EXCEED.
	tooLate bool
}

// TestCrashKillNine: a real process running the real outbox and engine is
// killed with SIGKILL over 100 times while it takes a mixed stream of 520
// payments against alipay/amssim, served over TLS with faults on every
// endpoint; afterwards the outbox and amssim's ledger must agree. About a
// minute on 2 cores; skipped with -short.
func TestCrashKillNine(t *testing.T) {
	skipCrash(t)
	seed := crashSeed()
	merchant, gatewayKey := alipaytest.Keys(t)
	sim, err := amssim.New(amssim.Config{
		Merchants:  []amssim.MerchantKey{{ClientID: amsClientID, PublicKey: &merchant.PublicKey}},
		GatewayKey: gatewayKey, TimeScale: 20, Seed: seed,
		// Every paid payment is past its cancel window when a cancel
		// comes: reversing it is refused, and the outbox refunds it.
		CancelWindow: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range []string{"pay", "inquiryPayment", "cancel", "refund", "inquiryRefund"} {
		for _, k := range []amssim.FaultKind{amssim.FaultDropRequest, amssim.FaultDropResponse, amssim.FaultHTTP500,
			amssim.FaultUnknown, amssim.FaultUnsigned, amssim.FaultTruncate} {
			if err := sim.AddFault(amssim.Fault{Endpoint: ep, Kind: k, Probability: 0.02}); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv := httptest.NewUnstartedServer(sim)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	sum := sha256.Sum256(srv.Certificate().Raw)
	// The buyers of the order codes that get paid (index mod 8 = 3) pay
	// 300 ms after the code is shown.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for _, p := range sim.Ledger().Payments {
				if p.Scenario == alipay.ScenarioOrderCode && p.Status == amssim.StatusProcessing &&
					crashIndex(p.PaymentRequestID)%8 == 3 && time.Since(p.CreatedAt) > 300*time.Millisecond {
					sim.Customer(p.CodeValue, "pay")
				}
			}
		}
	}()
	runCrash(t, seed, crashBackend{
		tooLate: true,
		env:     []string{envCrashURL + "=" + srv.URL, envCrashPin + "=" + hex.EncodeToString(sum[:])},
		ledger: func() map[string]gwPayment {
			l := sim.Ledger()
			out := map[string]gwPayment{}
			for _, p := range l.Payments {
				out[p.PaymentRequestID] = gwPayment{Status: queue.PaymentStatus(p.Status), Reversed: p.Reversed,
					SaleID: "SALE" + p.PaymentRequestID, Refunds: map[string]money.Amount{}}
			}
			for _, r := range l.Refunds {
				out[r.PaymentRequestID].Refunds[r.RefundRequestID] = r.Amount
			}
			return out
		},
		faults: func() int {
			n := 0
			for _, f := range sim.Faults() {
				n += f.Fired
			}
			return n
		},
	})
}

// TestCrashKillNineLedger is the same crash test against queuetest's
// ledger over plain HTTP, whose faults include replies lost after the
// gateway acted on every call.
func TestCrashKillNineLedger(t *testing.T) {
	skipCrash(t)
	seed := crashSeed()
	var frngMu sync.Mutex
	frng := rand.New(rand.NewPCG(seed, 0xFA17))
	gw := queuetest.NewGateway(time.Now)
	gw.Fault = func(c queuetest.Call, id string) queuetest.Fault {
		frngMu.Lock()
		defer frngMu.Unlock()
		switch r := frng.IntN(100); {
		case r < 4:
			return queuetest.FailDial
		case r < 8:
			return queuetest.Drop
		case r < 12:
			return queuetest.Lost
		case r < 15:
			return queuetest.Busy
		}
		return queuetest.NoFault
	}
	gw.OrderCodeBuyer = func(id string) (time.Duration, bool) {
		return 300 * time.Millisecond, crashIndex(id)%8 == 3
	}
	srv := httptest.NewServer(gw.Handler())
	defer srv.Close()
	runCrash(t, seed, crashBackend{
		env: []string{envCrashURL + "=" + srv.URL},
		ledger: func() map[string]gwPayment {
			out := map[string]gwPayment{}
			for id, e := range gw.Ledger() {
				out[id] = gwPayment{Status: e.Status, Reversed: e.Reversed, SaleID: e.SaleID, Refunds: e.Refunds}
			}
			return out
		},
		faults: gw.Faults,
	})
}

func skipCrash(t *testing.T) {
	if os.Getenv(envCrashDB) != "" {
		t.Skip("inside a crash child")
	}
	testenv.Slow(t, t.Name()+" kills hundreds of child processes (about a minute)")
}

func crashSeed() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("QUEUE_CRASH_SEED"), 10, 64); err == nil {
		return s
	}
	return 1
}

func runCrash(t *testing.T, seed uint64, gw crashBackend) {
	const total, kills = 520, 110
	rng := rand.New(rand.NewPCG(seed, 0xC0FFEE))
	path := filepath.Join(t.TempDir(), "posd.db")
	env := func(first int, final bool) []string {
		e := append([]string{envCrashDB + "=" + path,
			envCrashFirst + "=" + strconv.Itoa(first), envCrashTotal + "=" + strconv.Itoa(total)}, gw.env...)
		if final {
			e = append(e, envCrashFinal+"=1")
		}
		return e
	}
	next := 0
	for k := range kills {
		c := startCrashChild(t, env(next, false))
		// Kill at a random moment: sometimes during start-up and recovery,
		// mostly while payments are being taken and resolved.
		wait := time.Duration(20+rng.IntN(400)) * time.Millisecond
		select {
		case <-c.exited:
			t.Fatalf("child %d exited on its own: %v", k, c.lines)
		case <-time.After(wait):
		}
		c.cmd.Process.Signal(syscall.SIGKILL)
		<-c.exited
		if n := c.lastCreated(); n+1 > next {
			next = n + 1
		}
	}
	c := startCrashChild(t, env(next, true))
	select {
	case <-c.exited:
	case <-time.After(3 * time.Minute):
		c.cmd.Process.Signal(syscall.SIGKILL)
		<-c.exited
		t.Fatalf("final run did not settle every payment: %v", c.lines[max(0, len(c.lines)-20):])
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("final run exited %d: %v", code, c.lines[max(0, len(c.lines)-5):])
	}
	ledger := gw.ledger()
	violations, payments := checkLedger(t, path, ledger)
	refundedTooLate := countRefundedTooLate(t, path, ledger)
	if gw.tooLate && refundedTooLate < total/16/2 {
		violations = append(violations, fmt.Sprintf("only %d voids were refunded after CANCEL_WINDOW_EXCEED, want at least %d", refundedTooLate, total/16/2))
	}
	for _, v := range violations[:min(len(violations), 20)] {
		t.Error(v)
	}
	fmt.Printf("payments=%d kills=%d faults=%d refundedTooLate=%d violations=%d\n", payments, kills, gw.faults(), refundedTooLate, len(violations))
	if payments < 500 {
		t.Errorf("only %d payments reached the outbox, want >= 500", payments)
	}
}

// checkLedger compares the outbox with the gateway's ledger.
func checkLedger(t *testing.T, path string, ledger map[string]gwPayment) (violations []string, payments int) {
	s, err := queue.Open(path, queue.Options{Events: crashEvents()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := map[string]queue.Payment{}
	s.ForEach(func(p queue.Payment) error { out[p.RequestID] = p; return nil })
	bad := func(format string, args ...any) { violations = append(violations, fmt.Sprintf(format, args...)) }
	paidState := func(st queue.State) bool { return st.Paid() || st == queue.Refunded }
	paidPerSale := map[string]int{}
	for id, e := range ledger {
		p, ok := out[id]
		switch {
		case e.Status == queue.StatusProcessing:
			bad("(b) %s still PROCESSING at the gateway (outbox %s)", id, p.State)
		case e.Status == queue.StatusSuccess:
			paidPerSale[e.SaleID]++
			if !ok || !paidState(p.State) {
				bad("(a) %s paid at the gateway, outbox has %s", id, p.State)
			}
		case e.Reversed && p.State != queue.Cancelled:
			bad("(a) %s reversed by cancel at the gateway, outbox has %s", id, p.State)
		}
		for rid, amt := range e.Refunds {
			if !hasRefund(p, rid, amt) {
				bad("(e) refund %s of %s at the gateway is not a succeeded refund in the outbox", rid, id)
			}
		}
	}
	for sale, n := range paidPerSale {
		if n > 1 {
			bad("(c) sale %s paid %d times at the gateway", sale, n)
		}
	}
	for id, p := range out {
		e, ok := ledger[id]
		if p.Live() {
			bad("%s still live in the outbox (%s)", id, p.State)
		}
		if paidState(p.State) && (!ok || e.Status != queue.StatusSuccess) {
			bad("(d) outbox holds %s as %s, the gateway as %s", id, p.State, e.Status)
		}
		jobs, _ := s.Jobs(id)
		receipts := 0
		for _, j := range jobs {
			if j.Kind == queue.SaleReceipt && !j.Copy {
				receipts++
			}
		}
		if (paidState(p.State) && receipts != 1) || (!paidState(p.State) && receipts > 1) {
			bad("(a) %s in %s has %d sale receipts", id, p.State, receipts)
		}
		for _, r := range p.Refunds {
			if r.State == queue.RefundSucceeded && e.Refunds[r.RequestID] != r.Amount {
				bad("(e) outbox refund %s is not once at the gateway", r.RequestID)
			}
		}
	}
	// (f) Every change was committed with its event: the newest event of
	// each payment shows the state the outbox holds, refunds included.
	if evs, err := crashEventStates(s); err != nil {
		bad("(f) events: %v", err)
	} else {
		for id, p := range out {
			if got, want := evs[id], crashEventState(p); got != want {
				bad("(f) %s: newest event says %q, the outbox holds %q", id, got, want)
			}
		}
	}
	return violations, len(out)
}

// crashEvents turns the events outbox on, with no publisher: every event
// of the run stays in the file for checkLedger.
func crashEvents() *queue.EventOptions {
	return &queue.EventOptions{Source: events.Source{Merchant: "M", Store: "S", Terminal: "T"}, MaxBacklog: 1 << 22}
}

// crashEventState is what a consumer must end up knowing about p.
func crashEventState(p queue.Payment) string {
	st := string(p.State)
	for _, r := range p.Refunds {
		st += " " + r.RequestID + ":" + string(r.State)
	}
	return st
}

// crashEventStates reads the newest payment view per paymentRequestId
// from the events outbox.
func crashEventStates(s *queue.Store) (map[string]string, error) {
	out, err := s.Events(0, 1<<22)
	if err != nil {
		return nil, err
	}
	got := map[string]string{}
	for _, o := range out {
		e, err := events.Decode(o.Payload)
		if err != nil {
			return nil, err
		}
		if e.Payment == nil {
			continue
		}
		st := e.Payment.State
		for _, r := range e.Payment.Refunds {
			st += " " + r.RequestID + ":" + r.State
		}
		got[e.Payment.RequestID] = st
	}
	return got, nil
}

// countRefundedTooLate counts the voided payments that the gateway holds
// paid and refunded in full, not reversed, and the outbox as REFUNDED:
// the cancel came past its window, the inquiry found them paid, the
// refund gave the money back.
func countRefundedTooLate(t *testing.T, path string, ledger map[string]gwPayment) int {
	s, err := queue.Open(path, queue.Options{Events: crashEvents()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	s.ForEach(func(p queue.Payment) error {
		e := ledger[p.RequestID]
		var back int64
		for _, a := range e.Refunds {
			back += a.Value
		}
		if crashVoided(crashIndex(p.RequestID)) && p.State == queue.Refunded && e.Status == queue.StatusSuccess &&
			!e.Reversed && back == p.Amount.Value {
			n++
		}
		return nil
	})
	return n
}

func hasRefund(p queue.Payment, id string, amt money.Amount) bool {
	for _, r := range p.Refunds {
		if r.RequestID == id && r.State == queue.RefundSucceeded && r.Amount == amt {
			return true
		}
	}
	return false
}
