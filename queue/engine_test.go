package queue_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posd/posd/internal/clocktest"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

var start = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type harness struct {
	t      testing.TB
	path   string
	clock  *clocktest.Clock
	gw     *queuetest.Gateway
	store  *queue.Store
	eng    *queue.Engine
	sub    *queue.Subscription
	cancel context.CancelFunc
	opts   queue.Options
	cfg    func(*queue.Config)
	frozen bool // waitFor does not move the clock
	ledger bool // the engine calls gw, so the money check can compare
}

func newHarness(t testing.TB) *harness {
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "posd.db"), clock: clocktest.New(start)}
	h.gw = queuetest.NewGateway(h.clock.Now)
	t.Cleanup(h.stop)
	return h
}

// amountSlip is the print payload the harness stores: the amount, so a
// test can see the slip was built from the committed payment.
func amountSlip(p *queue.Payment, kind queue.ReceiptKind, refundID string) (json.RawMessage, error) {
	return json.Marshal(struct {
		Kind   queue.ReceiptKind `json:"kind"`
		Amount any               `json:"amount"`
		Refund string            `json:"refundRequestId,omitempty"`
	}{kind, p.Amount, refundID})
}

func (h *harness) start() {
	h.t.Helper()
	s, err := queue.Open(h.path, h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := queue.Config{Store: s, Gateway: h.gw, Clock: h.clock, Workers: 3, Receipt: amountSlip}
	if h.cfg != nil {
		h.cfg(&cfg)
	}
	eng, err := queue.NewEngine(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.store, h.eng = s, eng
	h.ledger = cfg.Gateway == queue.Gateway(h.gw)
	h.sub = eng.Subscribe(1024)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	if err := eng.Start(ctx); err != nil {
		h.t.Fatal(err)
	}
}

// stop ends the engine and closes the file, like a clean shutdown, after
// checking that the file and the gateway agree about money.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.eng.Wait()
	h.sub.Close()
	if h.ledger {
		queuetest.CheckMoney(h.t, h.store, h.gw)
	}
	h.store.Close()
	h.cancel = nil
}

// waitFor returns the first change of kind for id, moving the clock to each
// deadline the engine waits for in the meantime.
func (h *harness) waitFor(kind queue.ChangeKind, id string) queue.Change {
	h.t.Helper()
	guard := time.After(20 * time.Second) // deadlock guard, not a timing assumption
	for {
		select {
		case c := <-h.sub.C:
			if c.Kind == kind && c.RequestID == id {
				return c
			}
		case d := <-h.clock.Waiting():
			if d < time.Hour && !h.frozen {
				h.clock.Advance(d)
			}
		case <-guard:
			p, _ := h.eng.Get(id)
			h.t.Fatalf("no %s for %s; record: state=%s next=%s due=%v attention=%q", kind, id, p.State, p.Next, p.DueAt, p.Attention)
		}
	}
}

// settled waits until the engine has nothing left to do for id, moving
// the clock as waitFor does, and returns the record.
func (h *harness) settled(id string) queue.Payment {
	h.t.Helper()
	guard := time.After(20 * time.Second)
	for {
		p, err := h.eng.Get(id)
		if err == nil && !p.Live() {
			return p
		}
		select {
		case <-h.sub.C:
		case d := <-h.clock.Waiting():
			if d < time.Hour && !h.frozen {
				h.clock.Advance(d)
			}
		case <-guard:
			h.t.Fatalf("%s not settled: state=%s next=%s attention=%q", id, p.State, p.Next, p.Attention)
		}
	}
}

// faultFirst makes the first n calls of kind c fail with f and returns the
// counter of calls of that kind.
func faultFirst(g *queuetest.Gateway, c queuetest.Call, n int32, f queuetest.Fault) *atomic.Int32 {
	var count atomic.Int32
	g.Fault = func(call queuetest.Call, id string) queuetest.Fault {
		if call == c && count.Add(1) <= n {
			return f
		}
		return queuetest.NoFault
	}
	return &count
}

// waitForCall waits until a call of kind c has reached the gateway.
func (h *harness) waitForCall(c queuetest.Call) {
	h.t.Helper()
	guard := time.After(20 * time.Second)
	for h.gw.Calls(c) == 0 {
		select {
		case <-h.sub.C:
		case d := <-h.clock.Waiting():
			h.clock.Advance(d)
		case <-guard:
			h.t.Fatalf("no %s call", c)
		}
	}
}

func payReq(id, sale string, sc queue.Scenario, code string, minor int64) queue.PaymentRequest {
	amt := money.Amount{Currency: "USD", Value: minor}
	body := fmt.Sprintf(`{"productCode":"IN_STORE_PAYMENT","paymentRequestId":%q,"paymentAmount":{"currency":"USD","value":"%d"},`+
		`"paymentMethod":{"paymentMethodType":"CONNECT_WALLET","paymentMethodId":%q},"paymentFactor":{"inStorePaymentScenario":%q}}`,
		id, minor, code, sc)
	if code == "" {
		body = strings.Replace(body, `,"paymentMethodId":""`, "", 1)
	}
	return queue.PaymentRequest{RequestID: id, SaleID: sale, Scenario: sc, Amount: amt, Body: []byte(body),
		ExpiresAt: start.Add(2 * time.Minute)}
}

func (h *harness) pay(req queue.PaymentRequest) {
	h.t.Helper()
	if _, err := h.eng.Pay(req); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) jobs(id string) []queue.PrintJob {
	h.t.Helper()
	j, err := h.store.Jobs(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return j
}

func TestEnginePaidAtOnce(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1234))
	h.waitFor(queue.ChangeSucceeded, "P1")
	rc := h.waitFor(queue.ChangeReceiptReady, "P1")
	p, _ := h.store.Get("P1")
	if p.State != queue.Succeeded || p.PaymentID == "" {
		t.Fatalf("stored %s, paymentId %q", p.State, p.PaymentID)
	}
	jobs := h.jobs("P1")
	if len(jobs) != 1 || jobs[0].ID != rc.PrintJob || jobs[0].Kind != queue.SaleReceipt {
		t.Fatalf("jobs = %+v, want one sale receipt %d", jobs, rc.PrintJob)
	}
	if !strings.Contains(string(jobs[0].Payload), `"value":"1234"`) {
		t.Errorf("receipt payload %s lacks the amount", jobs[0].Payload)
	}
	if len(h.eng.Pending()) != 0 {
		t.Errorf("a final payment is still pending")
	}
}

func TestEngineDeclined(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 500))
	c := h.waitFor(queue.ChangeFailed, "P1")
	if c.Code != "USER_BALANCE_NOT_ENOUGH" {
		t.Errorf("code = %q", c.Code)
	}
	if len(h.jobs("P1")) != 0 {
		t.Error("a declined payment got a receipt")
	}
	// A new attempt for the same sale is allowed once the failure is verified.
	h.settled("P1")
	h.pay(payReq("P2", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000002", 500))
	h.waitFor(queue.ChangeSucceeded, "P2")
}

func TestEngineLostPayReplyInquiresAndNeverRepays(t *testing.T) {
	h := newHarness(t)
	h.gw.Fault = func(c queuetest.Call, id string) queuetest.Fault {
		if c == queuetest.CallPay {
			return queuetest.Lost
		}
		return queuetest.NoFault
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	if n := h.gw.Ledger()["P1"].PayCalls; n != 1 {
		t.Errorf("pay reached the gateway %d times, want 1 (never resent after an unknown outcome)", n)
	}
	if len(h.jobs("P1")) != 1 {
		t.Error("want exactly one receipt")
	}
}

func TestEngineNotSentPayIsResentWithSameBytes(t *testing.T) {
	h := newHarness(t)
	faultFirst(h.gw, queuetest.CallPay, 3, queuetest.FailDial)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	if n := h.gw.Ledger()["P1"].PayCalls; n != 1 {
		t.Errorf("pay performed %d times", n)
	}
	p, _ := h.store.Get("P1")
	if p.PayAttempts != 4 {
		t.Errorf("pay attempts = %d, want 3 failed dials + 1", p.PayAttempts)
	}
}

func TestEnginePasswordPaymentResolvedByInquiry(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePassword+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	if h.gw.Calls(queuetest.CallInquire) < 2 {
		t.Errorf("succeeded after %d inquiries; the gateway needed 2", h.gw.Calls(queuetest.CallInquire))
	}
}

func TestEngineOrderCodePaidByBuyer(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.OrderCode, "", 1000))
	c := h.waitFor(queue.ChangeQRReady, "P1")
	if !strings.HasPrefix(c.QR, "https://qr.alipay.test/") {
		t.Fatalf("QR = %q", c.QR)
	}
	if err := h.gw.BuyerPays("P1"); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeSucceeded, "P1")
}

// A verified notification brings the next inquiry forward: with the clock
// standing still, only the nudge can make the engine ask now.
func TestEngineNotificationBringsInquiryForward(t *testing.T) {
	h := newHarness(t)
	h.start()
	// Frozen from the start: had the clock moved while the QR was awaited,
	// an inquiry could be out when the buyer pays, see the payment and
	// close it before the nudge.
	h.frozen = true
	h.pay(payReq("P1", "S1", queue.OrderCode, "", 1000))
	h.waitFor(queue.ChangeQRReady, "P1")
	if err := h.gw.BuyerPays("P1"); err != nil {
		t.Fatal(err)
	}
	if res, err := h.eng.Notice("P1", true); err != nil || res != queue.NoticeInquiry {
		t.Fatalf("no inquiry brought forward: %v %v", res, err)
	}
	h.waitFor(queue.ChangeSucceeded, "P1")
	if res, _ := h.eng.Notice("P1", true); res != queue.NoticeNothing {
		t.Errorf("a paid payment took a nudge: %v", res)
	}
}

func TestEngineOrderCodeExpiresAndIsCancelled(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.OrderCode, "", 1000))
	h.waitFor(queue.ChangeQRReady, "P1")
	h.waitFor(queue.ChangeCancelled, "P1")
	if now := h.clock.Now(); now.Before(start.Add(2 * time.Minute)) {
		t.Errorf("cancelled at %v, before the code expired", now.Sub(start))
	}
	if st := h.gw.Ledger()["P1"].Status; st != queue.StatusCancelled {
		t.Errorf("gateway holds %s", st)
	}
}

func TestEngineCashierAbort(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 1000))
	h.waitForCall(queuetest.CallPay)
	if err := h.eng.Abort("P1"); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeCancelled, "P1")
	if st := h.gw.Ledger()["P1"].Status; st != queue.StatusCancelled {
		t.Errorf("gateway holds %s", st)
	}
	if err := h.eng.Abort("P1"); !errors.Is(err, queue.ErrFinal) {
		t.Errorf("abort of a cancelled payment: %v", err)
	}
}

func TestEngineCancelEscalatesThenSucceeds(t *testing.T) {
	h := newHarness(t)
	drops := faultFirst(h.gw, queuetest.CallCancel, 6, queuetest.Drop)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 1000))
	h.waitForCall(queuetest.CallPay)
	h.eng.Abort("P1")
	c := h.waitFor(queue.ChangeNeedsAttention, "P1")
	if c.State != queue.NeedsAttention {
		t.Errorf("state = %s", c.State)
	}
	h.waitFor(queue.ChangeCancelled, "P1")
	if n := drops.Load(); n != 7 {
		t.Errorf("cancel sent %d times, want 6 dropped + 1", n)
	}
}

func TestEngineVoidPastWindowRefunds(t *testing.T) {
	h := newHarness(t)
	h.gw.CancelWindow = 0
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	h.clock.Advance(time.Minute)
	if err := h.eng.Void("P1"); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeRefunded, "P1")
	p, _ := h.store.Get("P1")
	if p.State != queue.Refunded || len(p.Refunds) != 1 || p.Refunds[0].RequestID != "P1-R1" {
		t.Fatalf("stored %s refunds %+v", p.State, p.Refunds)
	}
	led := h.gw.Ledger()["P1"]
	if led.Refunds["P1-R1"].Value != 1000 || led.Reversed {
		t.Errorf("gateway: %+v", led)
	}
	kinds := []queue.ReceiptKind{}
	for _, j := range h.jobs("P1") {
		kinds = append(kinds, j.Kind)
	}
	if fmt.Sprint(kinds) != "[sale refund]" {
		t.Errorf("print jobs %v, want a sale receipt then a refund slip", kinds)
	}
}

func TestEngineVoidInsideWindowReverses(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	h.eng.Void("P1")
	h.waitFor(queue.ChangeCancelled, "P1")
	if led := h.gw.Ledger()["P1"]; !led.Reversed {
		t.Errorf("gateway did not reverse: %+v", led)
	}
	if j := h.jobs("P1"); len(j) != 2 || j[1].Kind != queue.VoidReceipt {
		t.Errorf("jobs %+v, want sale then void", j)
	}
}

func TestEngineRefundReplyLostRefundsOnce(t *testing.T) {
	h := newHarness(t)
	var lost atomic.Int32
	h.gw.Fault = func(c queuetest.Call, id string) queuetest.Fault {
		if c == queuetest.CallRefund && lost.Add(1) == 1 {
			return queuetest.Lost
		}
		if c == queuetest.CallInquireRefund {
			return queuetest.Drop
		}
		return queuetest.NoFault
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	r, err := h.eng.Refund("P1", money.Amount{Currency: "USD", Value: 400}, "returned item")
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestID != "P1-R1" {
		t.Errorf("refundRequestId = %q", r.RequestID)
	}
	if _, err := h.eng.Refund("P1", money.Amount{Currency: "USD", Value: 601}, ""); !errors.Is(err, queue.ErrRefundExceeds) {
		t.Errorf("over-refund: %v", err)
	}
	h.waitFor(queue.ChangeRefunded, "P1")
	p, _ := h.store.Get("P1")
	if p.State != queue.PartiallyRefunded {
		t.Errorf("state %s", p.State)
	}
	led := h.gw.Ledger()["P1"]
	if len(led.Refunds) != 1 || led.Refunds["P1-R1"].Value != 400 {
		t.Errorf("gateway refunds %v, want one of 400", led.Refunds)
	}
}

func TestEngineResumesAfterRestart(t *testing.T) {
	h := newHarness(t)
	inquiring := make(chan struct{})
	var once sync.Once
	h.gw.Fault = func(c queuetest.Call, id string) queuetest.Fault {
		if c == queuetest.CallInquire {
			once.Do(func() { close(inquiring) })
			return queuetest.Drop
		}
		return queuetest.NoFault
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePassword+"00000000000001", 1000))
	select {
	case <-inquiring: // UNKNOWN is kept in memory: a restart makes the same of SENT
	case <-time.After(20 * time.Second):
		t.Fatal("no inquiry")
	}
	h.stop() // the process dies mid-schedule
	before, err := queue.Open(h.path, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := before.Get("P1")
	before.Close()
	if stored.State != queue.Sent {
		t.Fatalf("stored %s, want SENT (UNKNOWN waits for the next commit)", stored.State)
	}

	h.gw.Fault = nil
	h.start()
	after, _ := h.eng.Get("P1")
	pol := queue.DefaultPolicy()
	want := stored.CreatedAt.Add(time.Duration(pol.MaxInquiries+1) * pol.InquiryInterval)
	if after.State != queue.Unknown || !after.InquireUntil.Equal(want) {
		t.Fatalf("recovered %s until %v, want UNKNOWN until %v (the schedule counted from the first send)", after.State, after.InquireUntil, want)
	}
	h.waitFor(queue.ChangeSucceeded, "P1")
	if len(h.jobs("P1")) != 1 || h.gw.Ledger()["P1"].PayCalls != 1 {
		t.Errorf("jobs %d, pay calls %d; want 1 and 1", len(h.jobs("P1")), h.gw.Ledger()["P1"].PayCalls)
	}
}

// Enter to QR costs one commit (the SENT record with its pay, two
// fdatasyncs); AWAITING_BUYER goes to disk with the next commit. A crash
// after the QR was shown leaves SENT: recovery inquires until the code
// expires, so the buyer who pays it meanwhile is found, and nothing is paid
// twice.
func TestEngineOrderCodeQRBeforeItsCommit(t *testing.T) {
	h := newHarness(t)
	h.start()
	commits := h.store.Commits()
	h.pay(payReq("P1", "S1", queue.OrderCode, "", 1000))
	qr := h.waitFor(queue.ChangeQRReady, "P1")
	if got := h.store.Commits() - commits; got != 1 || qr.QR == "" {
		t.Fatalf("%d commits between Pay and the QR %q, want 1", got, qr.QR)
	}
	if mem, _ := h.eng.Get("P1"); mem.State != queue.AwaitingBuyer {
		t.Fatalf("engine says %s", mem.State)
	}
	h.stop() // crash with the code on the customer's screen
	s, err := queue.Open(h.path, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Get("P1")
	s.Close()
	if stored.State != queue.Sent {
		t.Fatalf("stored %s, want SENT", stored.State)
	}

	h.start()
	rec, _ := h.eng.Get("P1")
	if rec.State != queue.Unknown || rec.Next != queue.OpInquire || rec.InquireUntil.Before(rec.ExpiresAt) {
		t.Fatalf("recovered %s/%s until %v, want inquiries until the code expires (%v)", rec.State, rec.Next, rec.InquireUntil, rec.ExpiresAt)
	}
	// The buyer pays a minute and a half in, past the 63 s a payment-code
	// pay left SENT is given.
	h.clock.Advance(90 * time.Second)
	if err := h.gw.BuyerPays("P1"); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeSucceeded, "P1")
	if len(h.jobs("P1")) != 1 || h.gw.Ledger()["P1"].PayCalls != 1 {
		t.Errorf("jobs %d, pay calls %d; want 1 and 1", len(h.jobs("P1")), h.gw.Ledger()["P1"].PayCalls)
	}
	if h.gw.Calls(queuetest.CallCancel) != 0 {
		t.Error("a payment whose code had not expired was cancelled")
	}
}

// A crash right after SENT was committed: the pay may or may not have left.
// Recovery must inquire, never pay again, and close the payment.
func TestEngineRecoversSentWithoutRepaying(t *testing.T) {
	h := newHarness(t)
	s, err := queue.Open(h.path, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pol := queue.DefaultPolicy()
	p, _ := queue.NewPaymentForTest(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000), start, &pol)
	if err := s.CreateForTest(p); err != nil {
		t.Fatal(err)
	}
	s.Close()
	h.start()
	h.waitFor(queue.ChangeFailed, "P1")
	got, _ := h.store.Get("P1")
	if got.ResultCode != queue.CodeNotCreated {
		t.Errorf("result %q, want %s", got.ResultCode, queue.CodeNotCreated)
	}
	if h.gw.Calls(queuetest.CallPay) != 0 {
		t.Error("recovery sent pay")
	}
	if h.gw.Calls(queuetest.CallCancel) == 0 {
		t.Error("recovery never cancelled the unknown payment")
	}
}

func TestEngineSlowSubscriberNeverBlocks(t *testing.T) {
	h := newHarness(t)
	h.start()
	slow := h.eng.Subscribe(1) // never read
	defer slow.Close()
	for i := range 20 {
		id := fmt.Sprintf("P%d", i)
		h.pay(payReq(id, "S"+id, queue.PaymentCode, queuetest.CodePaid+"00000000000001", 100))
		h.waitFor(queue.ChangeReceiptReady, id)
	}
	if slow.Dropped() == 0 {
		t.Error("the slow subscriber's buffer never overflowed: test proves nothing")
	}
	if c := <-slow.C; c.RequestID != "P19" {
		t.Errorf("slow subscriber holds %s, want the latest change", c.RequestID)
	}
}

func TestEngineBoundsCallsInFlight(t *testing.T) {
	h := newHarness(t)
	var inFlight, most atomic.Int32
	release := make(chan struct{})
	var once sync.Once
	h.gw.Before = func(ctx context.Context, c queuetest.Call) {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		if n == 3 {
			once.Do(func() { close(release) })
		}
		<-release
		inFlight.Add(-1)
	}
	h.cfg = func(c *queue.Config) { c.Workers = 3 }
	h.start()
	for i := range 30 {
		id := fmt.Sprintf("P%02d", i)
		h.pay(payReq(id, "S"+id, queue.PaymentCode, queuetest.CodePaid+"00000000000001", 100))
	}
	for done := map[string]bool{}; len(done) < 30; {
		select {
		case c := <-h.sub.C:
			if c.Kind == queue.ChangeSucceeded {
				done[c.RequestID] = true
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("only %d of 30 succeeded", len(done))
		}
	}
	if m := most.Load(); m != 3 {
		t.Errorf("at most %d calls in flight, want exactly the 3 workers", m)
	}
}

func TestEngineDiskFullKeepsResolvingPending(t *testing.T) {
	h := newHarness(t)
	h.opts = queue.Options{MaxSize: 160 << 10}
	h.start()
	h.pay(payReq("PENDING", "S0", queue.OrderCode, "", 1000))
	h.waitFor(queue.ChangeQRReady, "PENDING")
	// Fill the file with payments that are final at once, the clock standing still.
	h.frozen = true
	var full error
	for i := 0; full == nil && i < 10_000; i++ {
		id := fmt.Sprintf("F%05d", i)
		req := payReq(id, "S"+id, queue.PaymentCode, queuetest.CodeDeclined+strings.Repeat("9", 1500), 100)
		_, full = h.eng.Pay(req)
		if full == nil {
			h.waitFor(queue.ChangeFailed, id)
		}
	}
	if !errors.Is(full, queue.ErrUnwritable) {
		t.Fatalf("Pay on a full disk: %v, want ErrUnwritable", full)
	}
	if h.eng.WriteError() == nil {
		t.Fatal("engine does not report the write error")
	}
	if _, err := h.eng.Pay(payReq("NEW", "S-new", queue.PaymentCode, queuetest.CodePaid, 100)); !errors.Is(err, queue.ErrUnwritable) {
		t.Fatalf("new payment while full: %v", err)
	}
	// The pending payment is still resolved.
	h.frozen = false
	h.gw.BuyerPays("PENDING")
	h.clock.Advance(5 * time.Second) // the inquiry the engine waits for is due
	h.waitFor(queue.ChangeSucceeded, "PENDING")
	if p, _ := h.eng.Get("PENDING"); p.State != queue.Succeeded {
		t.Errorf("engine holds %s", p.State)
	}
}

// A refund the disk refuses to record is refused: it must not be sent
// from memory while the cashier is told it was refused (docs/payments.md, Refunds:
// the refundRequestId is committed before sending).
func TestEngineRefundTheDiskRefusesIsNotSent(t *testing.T) {
	h := newHarness(t)
	h.opts = queue.Options{MaxSize: 160 << 10}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	// This one write would grow the file past its cap, like a disk filling up now.
	_, err := h.eng.Refund("P1", money.Amount{Currency: "USD", Value: 400}, strings.Repeat("r", 200<<10))
	if !errors.Is(err, queue.ErrUnwritable) {
		t.Fatalf("refund on a full disk: %v, want ErrUnwritable", err)
	}
	p, err := h.eng.Get("P1")
	if err != nil {
		t.Fatal(err)
	}
	if p.State != queue.Succeeded || len(p.Refunds) != 0 || len(h.eng.Pending()) != 0 {
		t.Fatalf("refused refund still held to be sent: %s, %d refunds, %d pending", p.State, len(p.Refunds), len(h.eng.Pending()))
	}
}

func TestExportCSV(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1234))
	h.waitFor(queue.ChangeSucceeded, "P1")
	h.eng.Refund("P1", money.Amount{Currency: "USD", Value: 234}, "")
	h.waitFor(queue.ChangeRefunded, "P1")
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 50))
	h.waitFor(queue.ChangeFailed, "P2")
	h.settled("P2")
	var buf bytes.Buffer
	if err := h.eng.Export(&buf, start.Add(-time.Hour), start.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, r := range rows[1:] {
		got = append(got, strings.Join([]string{r[0], r[1], r[3], r[6], r[8], r[9]}, " "))
	}
	want := []string{
		"payment P1  PARTIALLY_REFUNDED 12.34 1234",
		"refund P1 P1-R1 SUCCEEDED 2.34 234",
		"payment P2  FAILED 0.50 50",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	buf.Reset()
	h.eng.Export(&buf, start.Add(time.Hour), start.Add(2*time.Hour))
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Errorf("empty range wrote %d lines, want the header only", n)
	}
}

func TestEnginePrunesOldFinalRecordsAtStart(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("OLD", "S1", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 100))
	h.waitFor(queue.ChangeFailed, "OLD")
	h.settled("OLD")
	h.pay(payReq("LIVE", "S2", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 100))
	h.waitForCall(queuetest.CallPay)
	h.stop()
	h.clock.Advance(queue.DefaultRetention + 24*time.Hour)
	h.start()
	if c := h.waitFor(queue.ChangePruned, ""); c.Pruned != 1 {
		t.Errorf("pruned %d records, want 1", c.Pruned)
	}
	if _, err := h.store.Get("OLD"); !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("final record older than the retention kept: %v", err)
	}
	if _, err := h.store.Get("LIVE"); err != nil {
		t.Errorf("a pending record was pruned: %v", err)
	}
}

// recordingTB keeps what a check reports instead of failing the test.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// The money check run after every engine test can fail: a payment paid in
// the outbox but given back at the gateway behind its back is reported.
func TestMoneyCheckSeesADisagreement(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1234))
	h.waitFor(queue.ChangeReceiptReady, "P1")
	rec := &recordingTB{TB: t}
	queuetest.CheckMoney(rec, h.store, h.gw)
	if len(rec.errs) != 0 {
		t.Fatalf("a clean payment was reported: %q", rec.errs)
	}
	if r := h.gw.Cancel(context.Background(), "P1"); r.Outcome != queue.Success {
		t.Fatalf("reversing at the gateway: %+v", r)
	}
	queuetest.CheckMoney(rec, h.store, h.gw)
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "P1 is SUCCEEDED in the outbox") {
		t.Fatalf("the check reported %q", rec.errs)
	}
	h.ledger = false // the disagreement is this test's doing
}
