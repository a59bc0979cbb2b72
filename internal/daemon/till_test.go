package daemon

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/posd/posd/internal/clocktest"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
)

// tillRig is a till on a real outbox file and a started engine over the
// in-memory ledger, with the time driven by the test.
type tillRig struct {
	t     *till
	eng   *queue.Engine
	gw    *queuetest.Gateway
	clock *clocktest.Clock
	sub   *queue.Subscription
}

// newTillRig builds the rig; prepare, when set, first runs on a till whose
// engine never starts, like a posd stopped before its first call.
func newTillRig(t *testing.T, prepare func(*till)) *tillRig {
	t.Helper()
	cfg, err := config.Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	gw := queuetest.NewGateway(clock.Now)
	store, err := queue.Open(filepath.Join(t.TempDir(), "outbox.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	newTill := func() *till {
		eng, err := queue.NewEngine(queue.Config{Store: store, Gateway: gw, Clock: clock, Receipt: receiptFunc(cfg.Merchant)})
		if err != nil {
			t.Fatal(err)
		}
		return &till{eng: eng, cfg: &cfg, now: clock.Now, printer: noPrinter{},
			metrics: newMetrics("test", ""), log: slog.New(slog.DiscardHandler),
			events: make(chan terminal.Input, 64), net: newNetState(), shop: shopOf(cfg)}
	}
	if prepare != nil {
		prepare(newTill())
	}
	tl := newTill()
	eng := tl.eng
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); eng.Wait() })
	sub := eng.Subscribe(256)
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return &tillRig{t: tl, eng: eng, gw: gw, clock: clock, sub: sub}
}

// relayUntil passes the engine's changes to the till's forward until one
// satisfies done (none when done is nil), then lets forward finish and returns every input it gave
// the cashier flow.
func (r *tillRig) relayUntil(t *testing.T, done func(queue.Change) bool) []terminal.Input {
	t.Helper()
	ch := make(chan queue.Change)
	finished := make(chan struct{})
	go func() {
		r.t.forward(context.Background(), &queue.Subscription{C: ch})
		close(finished)
	}()
	timeout := time.After(20 * time.Second)
	for stop := done == nil; !stop; {
		select {
		case c := <-r.sub.C:
			ch <- c
			stop = done(c)
		case <-timeout:
			t.Fatal("the outbox never got there")
		}
	}
	close(ch)
	<-finished
	var out []terminal.Input
	for len(r.t.events) > 0 {
		out = append(out, <-r.t.events)
	}
	return out
}

// A buyer pays just as the cashier cancels, too late for cancel to undo
// it: the outbox keeps the money only until its automatic refund. The
// till must not stay on "cancelling" for ever (a live phase: no new sale
// could start), and must end without an alert once the refund succeeded.
func TestTillPaidWhileCancelling(t *testing.T) {
	r := newTillRig(t, nil)
	r.gw.CancelWindow = -time.Second // a paid payment can no longer be cancelled
	machine, err := terminal.NewMachine(tillConfig(*r.t.cfg))
	if err != nil {
		t.Fatal(err)
	}
	id, err := r.t.StartPayment(context.Background(), terminal.PaymentRequest{Amount: usd(500), Scenario: terminal.OrderCode})
	if err != nil {
		t.Fatal(err)
	}
	s := terminal.State{Phase: terminal.Waiting, Now: r.clock.Now(), Attempt: 1,
		Payment: terminal.Payment{ID: id, Amount: usd(500), Scenario: terminal.OrderCode}}
	step := func(ins []terminal.Input) {
		for _, in := range ins {
			s, _ = machine.Step(s, in)
		}
	}
	step(r.relayUntil(t, func(c queue.Change) bool { return c.Kind == queue.ChangeQRReady }))
	if s.Phase != terminal.ShowingQR {
		t.Fatalf("phase %s, want the QR", s.Phase)
	}
	if err := r.gw.BuyerPays(id); err != nil {
		t.Fatal(err)
	}
	var effs []terminal.Effect
	s, effs = machine.Step(s, terminal.Press{Key: cancelKey})
	if s.Phase != terminal.Cancelling || !hasCancel(effs, id) {
		t.Fatalf("phase %s, effects %v", s.Phase, effs)
	}
	if err := r.t.CancelPayment(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	step(r.relayUntil(t, func(c queue.Change) bool { return c.Kind == queue.ChangeRefunding }))
	if s.Phase == terminal.Cancelling || s.Phase == terminal.Paid {
		t.Fatalf("paid after the cancel, refund under way: the till shows %s", s.Phase)
	}
	if s.Phase != terminal.Attention {
		t.Fatalf("phase %s, want attention", s.Phase)
	}
	step(r.relayUntil(t, func(c queue.Change) bool { return c.Kind == queue.ChangeRefunded }))
	if p, _ := r.eng.Get(id); p.State != queue.Refunded {
		t.Fatalf("outbox state %s", p.State)
	}
	if len(s.Unsettled) != 0 {
		t.Fatalf("refunded in full, yet still listed as unsettled: %v", s.Unsettled)
	}
}

func hasCancel(effs []terminal.Effect, id string) bool {
	for _, e := range effs {
		if c, ok := e.(terminal.CancelPayment); ok && c.PaymentID == id {
			return true
		}
	}
	return false
}

var cancelKey = keypad.Key{Kind: keypad.Cancel}

// A payment whose outcome was still unknown when posd stopped is resolved
// after the restart by the outbox alone; the till starts on a blank sale.
// The cashier must be told it is there, or a second try at the same sale
// (a new scan of the same customer) could charge the customer twice.
func TestTillTellsOfPaymentsFromBeforeTheRestart(t *testing.T) {
	var id string
	r := newTillRig(t, func(before *till) {
		var err error
		id, err = before.StartPayment(context.Background(), terminal.PaymentRequest{Amount: usd(500), Scenario: terminal.OrderCode})
		if err != nil {
			t.Fatal(err)
		}
	})
	if p, err := r.eng.Get(id); err != nil || p.State.IsFinal() {
		t.Fatalf("recovered %s: %v", p.State, err)
	}
	machine, err := terminal.NewMachine(tillConfig(*r.t.cfg))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := machine.Start(r.clock.Now())
	r.t.announceRecovered(context.Background()) // as run does before forward
	ins := r.relayUntil(t, nil)
	for _, in := range ins {
		s, _ = machine.Step(s, in)
	}
	if !slices.Contains(s.Unsettled, id) || s.Phase != terminal.Ready {
		t.Fatalf("the till was not told of %s (inputs %v, phase %s)", id, ins, s.Phase)
	}
	// Its verified outcome settles it.
	s, _ = machine.Step(s, terminal.Failed{PaymentID: id, Reason: "ORDER_NOT_EXIST"})
	if len(s.Unsettled) != 0 {
		t.Fatalf("still unsettled: %v", s.Unsettled)
	}
}

// A flow that fell behind loses the oldest changes (the engine never
// waits for a subscriber); the till reads the current payment again, so
// the cashier still sees it paid.
func TestTillRereadsWhatASlowFlowMissed(t *testing.T) {
	r := newTillRig(t, nil)
	slow := r.eng.Subscribe(1)
	defer slow.Close()
	id, err := r.t.StartPayment(context.Background(), terminal.PaymentRequest{Amount: usd(700), Scenario: terminal.OrderCode})
	if err != nil {
		t.Fatal(err)
	}
	r.t.observe(terminal.State{Phase: terminal.Waiting, Payment: terminal.Payment{ID: id, Scenario: terminal.OrderCode}})
	waitChange := func(kind queue.ChangeKind) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case c := <-r.sub.C:
				if c.Kind == kind && c.RequestID == id {
					return
				}
			case <-timeout:
				t.Fatalf("no %s", kind)
			}
		}
	}
	waitChange(queue.ChangeQRReady)
	if err := r.gw.BuyerPays(id); err != nil {
		t.Fatal(err)
	}
	r.eng.Notice(id, true)               // as Alipay's notification does: inquire now
	waitChange(queue.ChangeReceiptReady) // committed after the success
	if slow.Dropped() == 0 {
		t.Fatal("nothing was dropped: the test shows nothing")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.t.forward(ctx, slow)
	timeout := time.After(20 * time.Second)
	for {
		select {
		case in := <-r.t.events:
			if s, ok := in.(terminal.Succeeded); ok && s.PaymentID == id && s.Amount == usd(700) {
				return
			}
		case <-timeout:
			t.Fatal("the flow never heard the payment succeed")
		}
	}
}
