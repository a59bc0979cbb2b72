package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// Config configures an Engine. Gateway is required, and either Store or
// Path.
type Config struct {
	// Store is an outbox file the caller opened (tests); or else the
	// engine opens the file at Path with Open, and Close closes it.
	Store   *Store
	Path    string
	Open    Options
	Gateway Gateway
	Clock   Clock   // default: the system clock
	Policy  *Policy // default: DefaultPolicy()
	// Workers bounds the gateway calls in flight at once (default 4),
	// whatever the number of pending records.
	Workers int
	Receipt ReceiptFunc // nil: jobs carry no payload (JSON null)
	// Retention is how long final records are kept (default 90 days);
	// older ones are pruned at start and daily. Negative keeps everything.
	Retention time.Duration
	Logger    *slog.Logger
}

// DefaultRetention is how long final records are kept by default.
const DefaultRetention = 90 * 24 * time.Hour

// storeRetry is how often the engine tries again to write changes it could
// only keep in memory.
const storeRetry = 5 * time.Second

// Engine drives every payment that is not final: it makes the call each
// record waits for when it is due, feeds the answer to step, commits the
// result and then tells subscribers. Calls for one record never overlap
// except when the cashier interrupts one (abort), whose late answer is then
// ignored.
type Engine struct {
	store     *Store
	gw        Gateway
	clock     Clock
	pol       Policy
	workers   int
	receipt   ReceiptFunc
	retention time.Duration
	log       *slog.Logger

	mu       sync.Mutex
	live     map[string]*entry  // records with calls left, by paymentRequestId
	unsaved  map[string]Payment // changes the store refused, newest per record
	jobsHeld []PrintJob         // print jobs the store refused
	writeErr error              // why the store refuses writes, nil when healthy
	stopped  error              // why new payments are refused (a merchant or configuration code), nil when taking them
	codes    stopWatch          // the gateway's recent configuration codes
	subs     map[*Subscription]struct{}
	wake     chan struct{}
	started  bool
	wg       sync.WaitGroup
}

type entry struct {
	p Payment
	// busy is set while a worker makes a call for the record. Only one
	// call per record is in flight: a cancel decided while a pay is out
	// waits for the pay to come back, so no pay can reach the gateway
	// after the cancel (or the confirming inquiry) that was meant to close it.
	busy bool
}

// NewEngine returns an engine; call Start to recover and run it.
func NewEngine(cfg Config) (*Engine, error) {
	if cfg.Store == nil && cfg.Path == "" || cfg.Gateway == nil {
		return nil, fmt.Errorf("%w: an engine needs a store and a gateway", ErrInvalid)
	}
	if cfg.Store == nil {
		s, err := Open(cfg.Path, cfg.Open)
		if err != nil {
			return nil, err
		}
		cfg.Store = s
	}
	e := &Engine{
		store: cfg.Store, gw: cfg.Gateway, clock: cfg.Clock, workers: cfg.Workers,
		receipt: cfg.Receipt, retention: cfg.Retention, log: cfg.Logger,
		live: map[string]*entry{}, unsaved: map[string]Payment{},
		subs: map[*Subscription]struct{}{}, wake: make(chan struct{}, 1),
	}
	if e.clock == nil {
		e.clock = systemClock{}
	}
	e.pol = DefaultPolicy()
	if cfg.Policy != nil {
		e.pol = *cfg.Policy
	}
	if e.workers <= 0 {
		e.workers = 4
	}
	if e.receipt == nil {
		e.receipt = func(*Payment, ReceiptKind, string) (json.RawMessage, error) { return json.RawMessage("null"), nil }
	}
	if e.retention == 0 {
		e.retention = DefaultRetention
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e, nil
}

// Start recovers every record that is not final (docs/payments.md, Recovery: a payment
// sent before the crash is inquired, never re-paid; a decided cancel is
// sent again; a refund is resent with the same refundRequestId), commits
// what recovery changed in one transaction, prunes old records, and starts
// the workers. They stop when ctx is done; Wait waits for them.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return fmt.Errorf("%w: engine already started", ErrRefused)
	}
	recs, err := e.store.Live()
	if err != nil {
		return err
	}
	now := e.clock.Now()
	var changed []Payment
	var notes []Change
	for _, p := range recs {
		q, acts, _ := step(p, event{Kind: evRestart, At: now}, &e.pol)
		if q.State != p.State {
			changed = append(changed, q)
		}
		for _, a := range acts {
			if a.Kind == actNotify {
				notes = append(notes, changeOf(&q, a))
			}
		}
		if q.Live() {
			e.live[q.RequestID] = &entry{p: q}
		}
	}
	if _, err := e.store.saveAll(changed, nil); err != nil {
		if !Unwritable(err) {
			return err
		}
		e.degrade(err, now)
		for _, p := range changed {
			e.unsaved[p.RequestID] = p
		}
	}
	e.log.Info("outbox recovered", "file", e.store.Path(), "pending", len(e.live), "changed", len(changed))
	for _, c := range notes {
		e.publish(c)
	}
	e.started = true
	work := make(chan string)
	e.wg.Add(1 + e.workers)
	go e.loop(ctx, work)
	for range e.workers {
		go e.worker(ctx, work)
	}
	return nil
}

// Wait blocks until the engine stopped after its context ended.
func (e *Engine) Wait() { e.wg.Wait() }

// Pay commits a new payment attempt and schedules its first pay at once.
// It refuses while the database cannot be written (ErrUnwritable: the
// cashier must see why), when the sale already has an attempt in flight or
// paid, and for incomplete requests.
func (e *Engine) Pay(req PaymentRequest) (Payment, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.writeErr != nil {
		return Payment{}, fmt.Errorf("no new payment: %w", e.writeErr)
	}
	if e.stopped != nil {
		return Payment{}, fmt.Errorf("no new payment: %w", e.stopped)
	}
	now := e.clock.Now()
	p, err := newPayment(req, now, &e.pol)
	if err != nil {
		return Payment{}, err
	}
	if err := e.store.create(p); err != nil {
		if Unwritable(err) {
			e.degrade(err, now)
		}
		return Payment{}, err
	}
	e.log.Info("payment committed", "paymentRequestId", p.RequestID, "sale", p.SaleID, "amount", p.Amount.String(), "scenario", p.Scenario)
	e.live[p.RequestID] = &entry{p: p}
	e.poke()
	return p.Clone(), nil
}

// evAbort is the cashier abandoning a pending payment: "cancel decided" is
// committed, then cancel is sent until a final answer. Aborting a payment
// already being cancelled is a no-op; a final one is ErrFinal.
func (e *Engine) Abort(requestID string) error {
	_, err := e.command(requestID, event{Kind: evAbort}, false)
	return err
}

// evVoid reverses a succeeded payment by cancel (by a full refund if the
// cancel window has passed).
func (e *Engine) Void(requestID string) error {
	_, err := e.command(requestID, event{Kind: evVoid}, true)
	return err
}

// Refund commits a refund of a succeeded payment and returns it; it is
// sent (and resent, with the same refundRequestId) until a final answer.
// Refunds may be asked while the gateway is unreachable.
func (e *Engine) Refund(requestID string, amount money.Amount, reason string) (Refund, error) {
	p, err := e.command(requestID, event{Kind: evRequestRefund, RefundAmount: amount, Reason: reason}, true)
	if err != nil {
		return Refund{}, err
	}
	return p.Refunds[len(p.Refunds)-1], nil
}

// command applies a cashier event. needsDisk refuses it while the store
// cannot be written (money-moving requests must be committed first).
func (e *Engine) command(requestID string, ev event, needsDisk bool) (Payment, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if needsDisk && e.writeErr != nil {
		return Payment{}, fmt.Errorf("%s refused: %w", ev.Kind, e.writeErr)
	}
	p, err := e.getLocked(requestID)
	if err != nil {
		return Payment{}, err
	}
	ev.At = e.clock.Now()
	q, acts, err := step(p, ev, &e.pol)
	if err != nil {
		return Payment{}, err
	}
	if err := e.commitLocked(p, q, acts, needsDisk); err != nil && needsDisk {
		return Payment{}, err
	}
	e.log.Info("cashier request", "event", ev.Kind, "paymentRequestId", requestID, "state", q.State)
	return q.Clone(), nil
}

// NoticeResult says what a verified payment notification did.
type NoticeResult int

// Notice results.
const (
	NoticeUnknown NoticeResult = iota // no payment under that paymentRequestId: log it and count it
	NoticeNothing                     // nothing to do (already paid, or not a success for a closed one)
	NoticeInquiry                     // the waiting inquiry of a pending payment was brought forward
	NoticeRecheck                     // a closed payment was reopened for an inquiry (committed)
)

// Notice is told that a verified notifyPayment arrived
// (https://docs.antom.com/ac/ams/paymentrn). It decides nothing by itself.
// For a pending payment the waiting inquiry is made at once, and that
// inquiry's verified answer decides (so a late success notification never
// undoes a cancel). For a payment posd closed unpaid (FAILED, CANCELLED,
// not created) a success notification reopens it for an inquiry, committed
// before Notice returns (acknowledge only then): if the gateway says paid,
// the money is given back and an operator told. A notification for an
// unknown paymentRequestId is NoticeUnknown.
func (e *Engine) Notice(requestID string, success bool) (NoticeResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.live[requestID]; ok {
		if ent.p.Next != OpInquire {
			return NoticeNothing, nil
		}
		if now := e.clock.Now(); ent.p.DueAt.After(now) {
			ent.p.DueAt = now
		}
		e.poke()
		return NoticeInquiry, nil
	}
	p, err := e.getLocked(requestID)
	if errors.Is(err, ErrNotFound) {
		return NoticeUnknown, nil
	}
	if err != nil || !success {
		return NoticeNothing, err
	}
	q, acts, err := step(p, event{Kind: evPaidNotice, At: e.clock.Now()}, &e.pol)
	if err != nil || q.Seq == p.Seq {
		return NoticeNothing, err
	}
	if err := e.commitLocked(p, q, acts, true); err != nil {
		return NoticeNothing, err
	}
	e.log.Warn("success notification for a closed payment: checking it", "paymentRequestId", requestID, "was", p.State)
	return NoticeRecheck, nil
}

// Stopped returns why posd takes no new payments because of what the
// gateway said (ErrStopped wrapping the code and its meaning), or nil.
// Payments under way are still resolved. It lasts until restart: the
// causes (registration, contract, keys, client id) are fixed in the
// configuration or at Alipay, not by waiting.
func (e *Engine) Stopped() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stopped
}

// watchCodes feeds an answer's code to the stop watch and stops new
// payments when it says so.
func (e *Engine) watchCodes(ev event) {
	stop, code := e.codes.observe(ev)
	if !stop || e.stopped != nil {
		return
	}
	info := alipay.LookupCode(apiOf(ev.Kind), code, alipay.StatusFailure)
	e.stopped = fmt.Errorf("%w: the gateway answered %s: %s", ErrStopped, code, info.Meaning)
	e.log.Error("no new payments: the gateway reports a merchant or configuration problem", "code", code, "meaning", info.Meaning)
	e.publish(Change{Kind: ChangeStopped, Code: code, At: e.clock.Now(), Err: e.stopped})
}

// Get returns the current record of a payment, pending or final.
func (e *Engine) Get(requestID string) (Payment, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.getLocked(requestID)
	return p.Clone(), err
}

func (e *Engine) getLocked(requestID string) (Payment, error) {
	if ent, ok := e.live[requestID]; ok {
		return ent.p, nil
	}
	if p, ok := e.unsaved[requestID]; ok {
		return p, nil
	}
	return e.store.Get(requestID)
}

// WriteError returns why the database refuses writes (nil when it does
// not): while it is set no new payment starts.
func (e *Engine) WriteError() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.writeErr
}

// Pending returns a copy of every record the engine still drives.
func (e *Engine) Pending() []Payment {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Payment, 0, len(e.live))
	for _, ent := range e.live {
		out = append(out, ent.p.Clone())
	}
	return out
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// loop hands due records to the workers and sleeps until the next one is
// due, a record changes, or it is time to retry the disk or prune.
func (e *Engine) loop(ctx context.Context, work chan<- string) {
	defer e.wg.Done()
	nextPrune := e.clock.Now() // first prune right after recovery, off the start-up path
	for {
		now := e.clock.Now()
		due, next := e.collectDue(now)
		for _, id := range due {
			select {
			case work <- id:
			case <-ctx.Done():
				return
			}
		}
		if len(due) > 0 {
			continue
		}
		if !now.Before(nextPrune) {
			e.prune(now)
			nextPrune = now.Add(24 * time.Hour)
		}
		wake := nextPrune
		if !next.IsZero() && next.Before(wake) {
			wake = next
		}
		if e.flushHeld(now) && now.Add(storeRetry).Before(wake) {
			wake = now.Add(storeRetry)
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-e.clock.After(wake.Sub(now)):
		}
	}
}

// collectDue marks the records due at now as busy and returns them, with
// the earliest due time of the others.
func (e *Engine) collectDue(now time.Time) (due []string, next time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, ent := range e.live {
		if ent.busy {
			continue
		}
		if !ent.p.DueAt.After(now) {
			ent.busy = true
			due = append(due, id)
			continue
		}
		if next.IsZero() || ent.p.DueAt.Before(next) {
			next = ent.p.DueAt
		}
	}
	return due, next
}

func (e *Engine) worker(ctx context.Context, work <-chan string) {
	defer e.wg.Done()
	for {
		var id string
		select {
		case <-ctx.Done():
			return
		case id = <-work:
		}
		e.mu.Lock()
		ent, ok := e.live[id]
		var p Payment
		if ok {
			p = ent.p.Clone()
		}
		e.mu.Unlock()
		if !ok {
			continue
		}
		ev := e.call(ctx, &p)
		if ctx.Err() != nil {
			// Shutting down: the answer may be cut short, so it is not
			// trusted; recovery asks again.
			return
		}
		e.answer(id, ev)
	}
}

// call makes the gateway call p waits for and returns the answer as an event.
func (e *Engine) call(ctx context.Context, p *Payment) event {
	ev := event{Seq: p.Seq}
	switch p.Next {
	case OpPay:
		pctx := ctx
		if p.Scenario == PaymentCode && e.pol.PayAnswerWait > 0 {
			// No answer in time: inquire rather than wait out the pay's
			// own deadline (https://docs.antom.com/ac/ams_upm/bp). Wall
			// time, like every network deadline.
			var stop context.CancelFunc
			pctx, stop = context.WithTimeout(ctx, e.pol.PayAnswerWait)
			defer stop()
		}
		ev.Kind, ev.Pay = evPayAnswer, e.gw.Pay(pctx, p.Body)
	case OpInquire:
		ev.Kind, ev.Inquiry = evInquiryAnswer, e.gw.InquirePayment(ctx, p.RequestID)
	case OpCancel:
		ev.Kind, ev.Cancel = evCancelAnswer, e.gw.Cancel(ctx, p.RequestID)
	case OpRefund, OpInquireRefund:
		i := p.activeRefund()
		if i < 0 {
			ev.Kind = evRefundAnswer
			break
		}
		r := p.Refunds[i]
		if p.Next == OpRefund {
			ev.Kind, ev.Refund = evRefundAnswer, e.gw.Refund(ctx, RefundCall{
				RefundRequestID: r.RequestID, PaymentID: p.PaymentID, PaymentRequestID: p.RequestID,
				Amount: r.Amount, Reason: r.Reason,
			})
		} else {
			ev.Kind, ev.Refund = evRefundInquiryAnswer, e.gw.InquireRefund(ctx, r.RequestID)
		}
	}
	ev.At = e.clock.Now()
	e.log.Debug("gateway answered", "call", p.Next, "paymentRequestId", p.RequestID, "seq", p.Seq, "event", ev.Kind)
	return ev
}

// answer applies a gateway answer to the record it was made for.
func (e *Engine) answer(id string, ev event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent, ok := e.live[id]
	if !ok {
		return
	}
	ent.busy = false
	m := machine{p: &ent.p}
	e.watchCodes(m.bound(ev)) // a reply about another request is only a claim
	q, acts, err := step(ent.p, ev, &e.pol)
	if err != nil || (q.Seq == ent.p.Seq && q.VoidSlip == ent.p.VoidSlip) {
		e.poke()
		return // late answer: nothing changes
	}
	if !needsCommit(&ent.p, &q, acts) {
		before := ent.p
		ent.p = q
		if e.writeErr != nil {
			e.unsaved[q.RequestID] = q
		}
		if q.State != before.State {
			e.log.Info("payment state", "paymentRequestId", q.RequestID, "from", before.State, "to", q.State, "next", q.Next, "committed", false)
		}
		for _, a := range acts { // the QR: see needsCommit
			e.publish(changeOf(&q, a))
		}
		e.poke()
		return
	}
	e.commitLocked(ent.p, q, acts, false)
}

// commitLocked stores q with the print jobs of acts in one transaction,
// then updates memory and tells subscribers. If the store refuses the
// write the change is kept in memory, retried later, and the engine goes
// on resolving the payment (no new payments start meanwhile); unless
// refusable: a request that moves money (refund, void) the disk refused
// is dropped, since the caller is told it was refused.
func (e *Engine) commitLocked(before, q Payment, acts []action, refusable bool) error {
	now := e.clock.Now()
	var jobs []PrintJob
	for _, a := range acts {
		if a.Kind != actPrint {
			continue
		}
		payload, err := e.receipt(&q, a.Receipt, a.RefundID)
		if err != nil {
			e.log.Error("receipt payload", "paymentRequestId", q.RequestID, "err", err)
			payload = []byte("null")
		}
		jobs = append(jobs, PrintJob{RequestID: q.RequestID, RefundID: a.RefundID, Kind: a.Receipt, Payload: payload, CreatedAt: now})
	}
	saved, err := e.store.save(q, jobs)
	if err != nil && refusable {
		e.degrade(err, now)
		return err
	}
	if err != nil {
		e.degrade(err, now)
		e.unsaved[q.RequestID] = q
		e.jobsHeld = append(e.jobsHeld, jobs...)
	} else {
		delete(e.unsaved, q.RequestID)
		if e.writeErr != nil {
			e.flushLocked(now)
		}
	}
	if q.Live() {
		ent, ok := e.live[q.RequestID]
		if !ok {
			ent = &entry{}
			e.live[q.RequestID] = ent
		}
		ent.p = q
	} else {
		delete(e.live, q.RequestID)
	}
	if q.State != before.State {
		e.log.Info("payment state", "paymentRequestId", q.RequestID, "from", before.State, "to", q.State, "code", q.ResultCode, "next", q.Next)
	}
	for _, a := range acts {
		if a.Kind == actNotify {
			e.publish(changeOf(&q, a))
		}
	}
	for _, j := range saved {
		c := changeOf(&q, action{Change: ChangeReceiptReady, RefundID: j.RefundID})
		c.PrintJob = j.ID
		e.publish(c)
	}
	e.poke()
	return err
}

// degrade records that the store refused a write.
func (e *Engine) degrade(err error, now time.Time) {
	first := e.writeErr == nil
	if !errors.Is(err, ErrUnwritable) {
		err = fmt.Errorf("%w: %w", ErrUnwritable, err)
	}
	e.writeErr = err
	// The loop retries the disk every storeRetry; wake it now, or an idle
	// engine sleeps until its next prune before it finds space came back.
	e.poke()
	if first {
		e.log.Error("database refuses writes: no new payments; pending ones continue from memory", "file", e.store.Path(), "err", err)
		e.publish(Change{Kind: ChangeUnwritable, At: now, Err: err})
	}
}

// flushHeld retries writing what only memory holds; it reports whether
// anything is still held.
func (e *Engine) flushHeld(now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.writeErr == nil {
		return false
	}
	e.flushLocked(now)
	return e.writeErr != nil
}

func (e *Engine) flushLocked(now time.Time) {
	ps := make([]Payment, 0, len(e.unsaved))
	for _, p := range e.unsaved {
		ps = append(ps, p)
	}
	saved, err := e.store.saveAll(ps, e.jobsHeld)
	if err != nil {
		return
	}
	if len(ps) == 0 && len(e.jobsHeld) == 0 {
		// Nothing held: prove the disk takes writes again before saying so.
		if err := e.store.probe(); err != nil {
			return
		}
	}
	e.unsaved = map[string]Payment{}
	e.jobsHeld = nil
	e.writeErr = nil
	e.log.Info("database writable again", "file", e.store.Path(), "flushed", len(ps))
	for _, j := range saved {
		e.publish(Change{Kind: ChangeReceiptReady, RequestID: j.RequestID, RefundID: j.RefundID, PrintJob: j.ID, At: now})
	}
}

// prune deletes final records past the retention. It runs without the
// engine's lock: it touches only final records, in its own transaction.
func (e *Engine) prune(now time.Time) {
	if e.retention < 0 || e.WriteError() != nil {
		return
	}
	n, err := e.store.prune(now.Add(-e.retention))
	if err != nil {
		e.log.Warn("prune", "err", err)
		return
	}
	if n > 0 {
		e.log.Info("pruned final records", "count", n, "olderThan", e.retention)
	}
	e.mu.Lock()
	e.publish(Change{Kind: ChangePruned, Pruned: n, At: now})
	e.mu.Unlock()
}

func changeOf(p *Payment, a action) Change {
	return Change{
		Kind: a.Change, RequestID: p.RequestID, SaleID: p.SaleID, State: p.State, Amount: p.Amount,
		QR: p.QR, Code: p.ResultCode, Attention: p.Attention, RefundID: a.RefundID, At: p.UpdatedAt,
		ExpiresAt: p.ExpiresAt, OwnRefund: p.CancelReason != "" && !p.Reversal,
	}
}
