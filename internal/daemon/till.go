package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
)

// till connects the cashier flow to the outbox: it turns the flow's
// requests into committed outbox records and the outbox's changes into
// the flow's inputs.
type till struct {
	eng     *queue.Engine
	cfg     *config.Config
	now     func() time.Time
	printer interface {
		Wake()
		Slip(ctx context.Context, name string, layout func(printer.Paper) []printer.Block) error
	}
	metrics *metrics
	log     *slog.Logger
	events  chan terminal.Input
	closing atomic.Bool // set at SIGTERM: no new payment starts
	shop    queue.Shop  // who takes the money, in every pay
	net     *netState
	status  func(string) // sd_notify STATUS=, or nil
	idle    func()       // Options.Idle, or nil

	mu       sync.Mutex
	state    terminal.State // the flow's latest state, for status and the demo page
	view     terminal.Screen
	starters []chan string // told the id of the next payment started (posctl keys --json)
}

// watchStart returns a channel that receives the id of the next payment
// the till starts, and a function to stop watching.
func (t *till) watchStart() (<-chan string, func()) {
	ch := make(chan string, 1)
	t.mu.Lock()
	t.starters = append(t.starters, ch)
	t.mu.Unlock()
	return ch, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.starters = slices.DeleteFunc(t.starters, func(c chan string) bool { return c == ch })
	}
}

// started tells the watchers which payment started.
func (t *till) started(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ch := range t.starters {
		select {
		case ch <- id:
		default:
		}
	}
}

var _ terminal.Outbox = (*till)(nil)

// newRequestID makes a paymentRequestId: the terminal, the time and 48
// random bits, so two tills of one merchant never collide (<= 64 chars).
func (t *till) newRequestID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return fmt.Sprintf("%s-%s-%s", t.cfg.Merchant.TerminalID, t.now().UTC().Format("20060102T150405"), hex.EncodeToString(b[:]))
}

// StartPayment names the payment and has the outbox encode and commit
// it; the outbox sends those exact bytes on every try.
func (t *till) StartPayment(_ context.Context, req terminal.PaymentRequest) (string, error) {
	if t.closing.Load() {
		return "", ErrClosing
	}
	scenario := queue.OrderCode
	if req.Scenario == terminal.PaymentCode {
		scenario = queue.PaymentCode
	}
	p, err := t.submit(queue.InStorePay{RequestID: t.newRequestID(), Scenario: scenario, Amount: req.Amount, CustomerCode: req.CustomerCode})
	if err != nil {
		return "", err
	}
	t.started(p.RequestID)
	return p.RequestID, nil
}

// submit stamps in with the time and the till's expiry, encodes it and
// hands it to the outbox; a refusal because the gateway stopped new
// payments says why in words.
func (t *till) submit(in queue.InStorePay) (queue.Payment, error) {
	now := t.now()
	in.At, in.ExpiresAt = now, now.Add(t.cfg.Till.PaymentExpiry.Duration).Truncate(time.Second)
	pay, err := queue.EncodePay(t.shop, in)
	if err != nil {
		return queue.Payment{}, err
	}
	p, err := t.eng.Pay(pay)
	if c := t.metrics.stopped.Load(); errors.Is(err, queue.ErrStopped) && c != nil {
		return queue.Payment{}, fmt.Errorf("%w: %s", queue.ErrStopped, stoppedWords(*c))
	}
	return p, err
}

// CancelPayment commits the cashier's decision to cancel a live payment.
func (t *till) CancelPayment(_ context.Context, id string) error { return t.eng.Abort(id) }

// Refund commits a refund; the outbox sends it with a refundRequestId
// derived from the payment, so it can never be made twice.
func (t *till) Refund(_ context.Context, id string, amount money.Amount) (string, error) {
	r, err := t.eng.Refund(id, amount, "refund at the till")
	return r.RequestID, err
}

// Reprint queues a COPY of the payment's sale receipt; the outbox tells
// the printer.
func (t *till) Reprint(_ context.Context, id string) error {
	_, err := t.eng.Reprint(id)
	return err
}

// PrintDayReport prints today's end-of-day report (the manager menu's
// entry), the same report as posctl report --print. The flow does not
// wait for the printer: the result comes back as an event.
func (t *till) PrintDayReport(ctx context.Context) error {
	day := t.now().Format(time.DateOnly)
	go func() {
		var in terminal.DayReportPrinted
		if _, err := t.report(ctx, posapi.ReportRequest{Day: day, Print: true}); err != nil {
			in.Reason = err.Error()
		}
		select {
		case t.events <- in:
		case <-ctx.Done():
		}
	}()
	return nil
}

func summaryStatus(s queue.State) terminal.Status {
	switch s {
	case queue.Succeeded, queue.Refunding:
		return terminal.StatusSucceeded
	case queue.PartiallyRefunded, queue.Refunded:
		return terminal.StatusRefunded
	case queue.Failed:
		return terminal.StatusFailed
	case queue.Cancelled:
		return terminal.StatusCancelled
	case queue.NeedsAttention:
		return terminal.StatusAttention
	}
	return terminal.StatusPending
}

// Recent lists the newest n payments for the manager menu.
func (t *till) Recent(_ context.Context, n int) ([]terminal.Summary, error) {
	ps, err := t.eng.List(time.Time{})
	if err != nil {
		return nil, err
	}
	out := make([]terminal.Summary, 0, min(n, len(ps)))
	for _, p := range ps[:min(n, len(ps))] {
		s := terminal.Summary{PaymentID: p.RequestID, Amount: p.Amount, Status: summaryStatus(p.State), Time: p.CreatedAt}
		// Pending refunds count too: the manager may refund only what no
		// refund can still take.
		if v := p.RefundedTotal(); v > 0 {
			s.Refunded = money.Amount{Currency: p.Amount.Currency, Value: v}
		}
		out = append(out, s)
	}
	return out, nil
}

// observe is terminal.Options.Observe: it keeps the flow's state for the
// API and the demo page. When a sale or a manager's session ends it calls
// idle first, so that whoever sees the till ready sees it after.
func (t *till) observe(s terminal.State) {
	t.mu.Lock()
	prev := t.state.Phase
	t.mu.Unlock()
	if t.idle != nil && s.Phase == terminal.Ready && saleEnded(prev) {
		t.idle()
	}
	t.mu.Lock()
	t.state = s
	t.mu.Unlock()
}

// saleEnded reports whether a return to Ready from phase closes a sale
// or a manager's session, rather than clearing a typed amount.
func saleEnded(phase terminal.Phase) bool {
	return phase != terminal.Ready && phase != terminal.Confirming
}

// showing keeps the screen the flow last drew.
func (t *till) showing(v terminal.Screen) {
	t.mu.Lock()
	t.view = v
	t.mu.Unlock()
}

func (t *till) snapshot() (terminal.State, terminal.Screen) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state, t.view
}

// announceRecovered runs once, before forward: the flow starts on a blank
// sale, so payments still unresolved from before a restart are listed as
// alerts until their outcome comes, and nobody charges that sale again
// meanwhile.
func (t *till) announceRecovered(ctx context.Context) {
	for _, p := range t.eng.Pending() {
		if p.State.Paid() {
			continue
		}
		select {
		case t.events <- terminal.NeedsAttention{PaymentID: p.RequestID, Reason: "from before the restart: outcome not known yet"}:
		case <-ctx.Done():
			return
		}
	}
}

// forward turns outbox changes into the flow's inputs until ctx ends.
// When the subscription dropped changes (the flow fell behind), it reads
// the current payment again and wakes the printer, so nothing is missed.
func (t *till) forward(ctx context.Context, sub *queue.Subscription) {
	send := func(in terminal.Input) {
		select {
		case t.events <- in:
		case <-ctx.Done():
		}
	}
	var dropped uint64
	for {
		var c queue.Change
		select {
		case <-ctx.Done():
			return
		case ch, ok := <-sub.C:
			if !ok {
				return
			}
			c = ch
		}
		if n := sub.Dropped(); n != dropped {
			dropped = n
			t.log.Warn("outbox changes dropped: reading the current payment again", "dropped", n)
			t.printer.Wake()
			state, _ := t.snapshot()
			// Changes still queued are newer than any dropped one, so
			// the flow ends on the latest state whatever they say.
			for _, id := range append([]string{state.Payment.ID}, state.Unsettled...) {
				if p, err := t.eng.Get(id); err == nil {
					if in, ok := inputOf(p); ok {
						send(in)
					}
				}
			}
		}
		if c.Kind == queue.ChangeReceiptReady {
			t.printer.Wake()
			continue
		}
		if c.Kind == queue.ChangeUnwritable {
			t.log.Error("database refuses writes: no new payments", "err", c.Err)
			continue
		}
		if c.Kind == queue.ChangeStopped {
			words := stoppedWords(c.Code)
			code := c.Code
			t.metrics.stopped.Store(&code)
			t.log.Error("no new payments", "code", c.Code, "why", words)
			if t.status != nil {
				t.status(words)
			}
			send(terminal.Health{Part: terminal.Gateway, OK: false, Detail: words})
			continue
		}
		t.count(c)
		if in, ok := inputOfChange(c); ok {
			send(in)
		}
		if (c.Kind == queue.ChangeRefunded || c.Kind == queue.ChangeRefundFailed) && c.RefundID != "" {
			send(t.refundSettled(c)) // the manager screen follows the refund to this
		}
	}
}

// refundSettled is what the flow hears when a refund reaches its result.
func (t *till) refundSettled(c queue.Change) terminal.RefundSettled {
	in := terminal.RefundSettled{PaymentID: c.RequestID, RefundID: c.RefundID, OK: c.Kind == queue.ChangeRefunded}
	if p, err := t.eng.Get(c.RequestID); err == nil && !in.OK {
		for _, r := range p.Refunds {
			if r.RequestID == c.RefundID {
				in.Reason = r.ResultCode
			}
		}
	}
	return in
}

// count adds an outbox change to the metrics: payments by outcome, a
// void apart from a cancel that took no money, refunds apart with their
// own amount (a change carries the payment's).
func (t *till) count(c queue.Change) {
	switch c.Kind {
	case queue.ChangeSucceeded:
		t.metrics.payment(outcomeSucceeded, c.Amount)
	case queue.ChangeFailed:
		t.metrics.payment(outcomeFailed, c.Amount)
	case queue.ChangeNeedsAttention:
		t.metrics.payment(outcomeNeedsAttention, c.Amount)
	case queue.ChangeCancelled:
		outcome := outcomeCancelled
		if p, err := t.eng.Get(c.RequestID); err == nil && p.Reversal {
			outcome = outcomeVoided // money had moved: a void
		}
		t.metrics.payment(outcome, c.Amount)
	case queue.ChangeRefunded:
		p, err := t.eng.Get(c.RequestID)
		if err != nil {
			return
		}
		for _, r := range p.Refunds {
			if r.RequestID == c.RefundID {
				t.metrics.refund(r.Amount)
				return
			}
		}
	}
}

// inputOfChange is what the flow hears of an outbox change, if anything.
func inputOfChange(c queue.Change) (terminal.Input, bool) {
	switch c.Kind {
	case queue.ChangeQRReady:
		return terminal.QRReady{PaymentID: c.RequestID, CodeValue: c.QR, Expires: c.ExpiresAt}, true
	case queue.ChangeSucceeded:
		return terminal.Succeeded{PaymentID: c.RequestID, Amount: c.Amount}, true
	case queue.ChangeFailed:
		return terminal.Failed{PaymentID: c.RequestID, Reason: c.Code}, true
	case queue.ChangeCancelled:
		return terminal.Cancelled{PaymentID: c.RequestID}, true
	case queue.ChangeNeedsAttention:
		return terminal.NeedsAttention{PaymentID: c.RequestID, Reason: c.Attention}, true
	case queue.ChangeRefunding:
		// Paid after the cancel was decided: the outbox refunds it on its
		// own. The flow hears no other outcome for it, so it must hear
		// this one, or it stays on "cancelling" for ever.
		if c.OwnRefund {
			return terminal.NeedsAttention{PaymentID: c.RequestID, Reason: "paid after the cancel: refunding it in full"}, true
		}
	case queue.ChangeRefunded:
		if c.OwnRefund && c.State == queue.Refunded {
			return terminal.Cancelled{PaymentID: c.RequestID}, true // given back in full: settled
		}
	}
	return nil, false
}

// inputOf is what the flow should know of a payment's stored state, for
// when the changes that told it were dropped.
func inputOf(p queue.Payment) (terminal.Input, bool) {
	c := queue.Change{RequestID: p.RequestID, State: p.State, Amount: p.Amount, QR: p.QR, Code: p.ResultCode,
		Attention: p.Attention, ExpiresAt: p.ExpiresAt, OwnRefund: p.CancelReason != "" && !p.Reversal}
	switch p.State {
	case queue.AwaitingBuyer:
		c.Kind = queue.ChangeQRReady
		if p.QR == "" {
			return nil, false
		}
	case queue.Succeeded:
		c.Kind = queue.ChangeSucceeded
	case queue.Failed:
		c.Kind = queue.ChangeFailed
	case queue.Cancelled:
		c.Kind = queue.ChangeCancelled
	case queue.NeedsAttention:
		c.Kind = queue.ChangeNeedsAttention
	case queue.Refunding:
		c.Kind = queue.ChangeRefunding
	case queue.Refunded:
		c.Kind = queue.ChangeRefunded
	default:
		return nil, false
	}
	return inputOfChange(c)
}

// stoppedWords says in plain words why new payments stopped: what Alipay
// answered, what it means, and that it needs a person, not a retry.
func stoppedWords(code string) string {
	meaning := alipay.LookupCode(alipay.APIPay, code, alipay.StatusFailure).Meaning
	return fmt.Sprintf("new payments stopped: Alipay answered %s (%s); fix the Alipay account or posd.toml, then restart posd", code, meaning)
}

// tellPrinted tells the flow how a payment's receipt went.
func tellPrinted(ctx context.Context, events chan<- terminal.Input, m *metrics, paymentRequestID string, err error) {
	in := terminal.SlipPrinted{PaymentID: paymentRequestID, Printed: err == nil}
	h := terminal.Health{Part: terminal.Printer, OK: err == nil}
	if err != nil {
		in.Reason, h.Detail = err.Error(), err.Error()
	}
	m.printerUp.Set(boolGauge(err == nil))
	for _, v := range []terminal.Input{h, in} {
		select {
		case events <- v:
		case <-ctx.Done():
			return
		}
	}
}

// netState is whether the gateway answers, as the last call found, and
// whether its certificate failed the pin (told apart: no retry fixes it).
type netState struct {
	ok          atomic.Bool
	pinMismatch atomic.Bool
	wake        chan struct{}
}

// pin records whether the last call failed the certificate pin, and wakes
// tellNetwork when that changes.
func (n *netState) pin(mismatch bool) {
	if n.pinMismatch.Swap(mismatch) != mismatch {
		n.changed(n.ok.Load() && !mismatch)
	}
}

func newNetState() *netState { return &netState{wake: make(chan struct{}, 1)} }

// changed records that the gateway link came or went; it never blocks
// the engine worker that noticed. tellNetwork passes it on.
func (n *netState) changed(ok bool) {
	n.ok.Store(ok)
	select {
	case n.wake <- struct{}{}:
	default: // a report is pending already; it will read the latest state
	}
}

// tellNetwork gives the flow the network's latest state after each change.
func (t *till) tellNetwork(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.net.wake:
		}
		h := terminal.Health{Part: terminal.Network, OK: t.net.ok.Load()}
		switch {
		case !h.OK && t.net.pinMismatch.Load():
			h.Detail = pinMismatchDetail
		case !h.OK:
			h.Detail = "the Alipay gateway cannot be reached; retrying"
		}
		select {
		case t.events <- h:
		case <-ctx.Done():
			return
		}
	}
}

// apiErr maps the outbox's errors onto the API's.
func apiErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, queue.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, queue.ErrFinal), errors.Is(err, queue.ErrNotVoidable), errors.Is(err, queue.ErrNoReceipt), errors.Is(err, queue.ErrNotRefundable),
		errors.Is(err, queue.ErrRefundExceeds), errors.Is(err, queue.ErrRefused), errors.Is(err, queue.ErrUnwritable),
		errors.Is(err, queue.ErrStopped):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case errors.Is(err, queue.ErrInvalid), errors.Is(err, alipay.ErrInvalidRequest):
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	return err
}

func tillConfig(cfg config.Config) terminal.Config {
	c := cfg.Till
	cur := money.Currency(c.Currency)
	tc := terminal.Config{Currency: cur, Confirm: c.Confirm, ImpliedDecimal: c.ImpliedDecimal,
		ManagerPIN: c.ManagerPIN, ResultHold: c.ResultHold.Duration}
	if tc.ResultHold == 0 {
		// result_hold = "0s" is "until a key"; the cashier flow reads 0 as
		// its own default and a negative hold as until a key.
		tc.ResultHold = -1
	}
	if _, on := cfg.EntryURL(); on && cfg.EntryCode.Preset {
		// Enter offers the amount to the entry page (a second Enter still
		// shows an order code).
		tc.EntryPreset, tc.Confirm = true, true
	}
	// Both amounts were checked by config.Config.check.
	if c.MinAmount != "" {
		tc.MinAmount, _ = money.Parse(cur, c.MinAmount)
	}
	if c.MaxAmount != "" {
		tc.MaxAmount, _ = money.Parse(cur, c.MaxAmount)
	}
	return tc
}

// shopOf is the merchant as every pay request names it.
func shopOf(c config.Config) queue.Shop {
	m := c.Merchant
	return queue.Shop{MerchantID: m.ID, MerchantName: m.Name, MCC: m.MCC, StoreID: m.StoreID, StoreName: m.Store,
		TerminalID: m.TerminalID, OrderTitle: c.Till.OrderTitle, NotifyURL: c.Alipay.NotifyURL}
}

// tillEntry is the entry page's door into the till (entry.go).
type tillEntry struct {
	t      *till
	flow   terminal.Config
	result string // the result page's URL: entry URL + "/result/" + id

	mu    sync.Mutex // one start at a time, so one sale is paid once
	taken bool
	at    int // the flow's Attempt when the last entry payment started
}

var _ entryDoor = (*tillEntry)(nil)

// newEntryID makes an Entry Code paymentRequestId: the terminal and 96
// random bits (<= 58 chars). It names the result page, so it must not be
// guessable: nobody reads another's payment there.
func (e *tillEntry) newEntryID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return e.t.cfg.Merchant.TerminalID + "-E" + hex.EncodeToString(b[:])
}

func (e *tillEntry) startEntry(ctx context.Context, amount money.Amount, userAgent string) (string, error) {
	t := e.t
	if t.closing.Load() {
		return "", ErrClosing
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	state, _ := t.snapshot()
	// The flow hears of the last start a moment later: until its Attempt
	// moves on, the till is not free again.
	if !state.Free(e.flow, amount) || e.taken && state.Attempt == e.at {
		return "", ErrTillBusy
	}
	id := e.newEntryID()
	p, err := t.submit(queue.InStorePay{RequestID: id, Scenario: queue.EntryCode, Amount: amount, UserAgent: userAgent, RedirectURL: e.result + id})
	if err != nil {
		return "", err
	}
	e.taken, e.at = true, state.Attempt
	t.log.Info("entry code payment started", "payment", p.RequestID, "amount", amount.String())
	select {
	case t.events <- terminal.CustomerStarted{PaymentID: p.RequestID, Amount: amount}:
	case <-ctx.Done():
		// The payment is committed and resolves on its own; the till
		// just does not show it.
	}
	return p.RequestID, nil
}

func (e *tillEntry) payment(id string) (queue.Payment, error) { return e.t.eng.Get(id) }

func (e *tillEntry) offered() (money.Amount, bool) {
	state, _ := e.t.snapshot()
	if !e.flow.EntryPreset || state.Phase != terminal.Confirming || e.taken && state.Attempt == e.at {
		return money.Amount{}, false
	}
	return state.Payment.Amount, true
}
