package terminal

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"time"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal/keypad"
)

// Machine is the cashier flow: a pure function from (state, input) to
// (state, effects). It does no I/O and keeps nothing between calls, so
// every transition can be tested on its own.
type Machine struct {
	cfg Config
}

// NewMachine checks cfg, fills in defaults and returns the flow.
func NewMachine(cfg Config) (*Machine, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Machine{cfg: cfg}, nil
}

// Config returns the configuration in use, defaults filled in.
func (m *Machine) Config() Config { return m.cfg }

// Start returns the state of a till that has just been switched on, and
// the effect that shows its first screen.
func (m *Machine) Start(now time.Time) (State, []Effect) {
	return m.Resume(now, Lockout{})
}

// Resume is Start for a till that kept its manager PIN lockout across a
// restart: wrong PINs still count and the menu stays locked.
func (m *Machine) Resume(now time.Time, l Lockout) (State, []Effect) {
	s := State{Phase: Ready, Now: now, PINFailures: l.Failures, LockedUntil: l.Until}
	return s, []Effect{Show{m.View(s)}}
}

// lockout is the part of s that SaveLockout keeps.
func (s State) lockout() Lockout { return Lockout{Failures: s.PINFailures, Until: s.LockedUntil} }

// Step applies one input. The returned effects are to be carried out in
// order; a Show is included whenever the screen changes.
func (m *Machine) Step(s State, in Input) (State, []Effect) {
	before := m.View(s)
	// Copy-on-write for the slices so the caller's state stays as it was.
	s.Unsettled = slices.Clip(s.Unsettled)
	s.Recent = slices.Clip(s.Recent)
	t := transition{m: m, s: s}
	t.apply(in)
	if l := t.s.lockout(); l != s.lockout() {
		t.out = append([]Effect{SaveLockout{l}}, t.out...)
	}
	if after := m.View(t.s); !after.Equal(before) {
		t.out = append(t.out, Show{after})
	}
	return t.s, t.out
}

// transition is one Step in progress.
type transition struct {
	m   *Machine
	s   State
	out []Effect
}

func (t *transition) emit(e Effect) { t.out = append(t.out, e) }

func (t *transition) refuse(notice string) {
	t.s.Notice = notice
	t.emit(Beep{BeepError})
}

func (t *transition) apply(in Input) {
	switch in := in.(type) {
	case Press:
		if !in.Key.Valid() {
			return // never crash on what a device sends
		}
		t.s.Notice = ""
		t.press(in.Key)
	case Tick:
		t.tick(in.Now)
	case Health:
		if in.Part >= 0 && in.Part < numParts {
			t.s.Trouble[in.Part] = ""
			if !in.OK {
				t.s.Trouble[in.Part] = orDefault(in.Detail, "not working")
			}
		}
	case PaymentStarted:
		t.started(in)
	case CustomerStarted:
		t.customerStarted(in)
	case StartRefused:
		if t.s.Phase == Starting && in.Attempt == t.s.Attempt {
			t.s.Phase = Ready
			t.refuse("Payment not started: " + orDefault(in.Reason, "refused") + ". Nobody was charged.")
		}
	case QRReady:
		p := &t.s.Payment
		if t.current(in.PaymentID) && p.Scenario == OrderCode && (t.s.Phase == Waiting || t.s.Phase == ShowingQR) && in.CodeValue != "" {
			t.s.Phase = ShowingQR
			p.CodeValue, p.Expires = in.CodeValue, in.Expires
			p.Expired = !in.Expires.IsZero() && !t.s.Now.Before(in.Expires)
		}
	case Succeeded:
		if t.final(in.PaymentID, Paid, "") {
			if in.Amount.Validate() == nil {
				t.s.Payment.Amount = in.Amount
			}
			t.emit(Beep{BeepSuccess})
		}
	case Failed:
		if t.final(in.PaymentID, Declined, orDefault(in.Reason, "declined")) {
			t.emit(Beep{BeepError})
		}
	case Cancelled:
		t.final(in.PaymentID, Voided, "")
	case NeedsAttention:
		// Listed even when it is on screen, so the alert outlives the screen.
		t.final(in.PaymentID, Attention, orDefault(in.Reason, "outcome unknown"))
		if in.PaymentID != "" && !slices.Contains(t.s.Unsettled, in.PaymentID) {
			t.s.Unsettled = append(t.s.Unsettled, in.PaymentID)
		}
	case CancelRefused:
		if t.current(in.PaymentID) && t.s.Phase == Cancelling {
			t.s.Phase = Waiting
			if t.s.Payment.CodeValue != "" {
				t.s.Phase = ShowingQR
			}
			t.refuse("Could not cancel: " + orDefault(in.Reason, "refused"))
		}
	case SlipPrinted:
		t.copyPrinted(in)
		if t.current(in.PaymentID) {
			t.s.Payment.ReceiptPrinted = in.Printed
			t.s.Payment.ReceiptTrouble = ""
			if !in.Printed {
				t.s.Payment.ReceiptTrouble = orDefault(in.Reason, "not printed")
			}
		}
	case RefundAccepted, RefundRefused, Reprinted, RecentLoaded, RefundSettled, DayReportPrinted:
		t.managerReply(in)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// current reports whether id is the payment the till is showing.
func (t *transition) current(id string) bool {
	return id != "" && id == t.s.Payment.ID && (t.s.Phase.live() || t.s.Phase.outcome())
}

// final moves the current payment to an outcome phase. Events about other
// payments only settle the list of payments that need attention. A later
// verified outcome replaces an earlier one on screen (attention that was
// resolved, for one).
func (t *transition) final(id string, to Phase, reason string) bool {
	if to != Attention && slices.Contains(t.s.Unsettled, id) {
		// A new slice: DeleteFunc would edit the caller's state in place.
		t.s.Unsettled = slices.DeleteFunc(slices.Clone(t.s.Unsettled), func(u string) bool { return u == id })
	}
	if !t.current(id) || t.s.Phase == to {
		return false
	}
	t.s.Phase = to
	t.s.Payment.Reason = reason
	t.s.Payment.Since = t.s.Now
	return true
}

func (t *transition) started(in PaymentStarted) {
	if t.s.Phase != Starting || in.Attempt != t.s.Attempt || t.s.Payment.ID != "" {
		// A payment this till is not waiting for must not stay live.
		if in.PaymentID != "" && in.PaymentID != t.s.Payment.ID {
			t.emit(CancelPayment{in.PaymentID})
		}
		return
	}
	if in.PaymentID == "" {
		// Started but unnamed: nothing can settle it from here.
		t.s.Phase, t.s.Payment.Reason, t.s.Payment.Since = Attention, "the outbox started the payment without an id", t.s.Now
		return
	}
	t.s.Payment.ID = in.PaymentID
	t.s.Phase = Waiting
	if t.s.Payment.CancelRequested {
		t.s.Phase = Cancelling
		t.emit(CancelPayment{in.PaymentID})
	}
}

// Free reports whether the till would follow a payment a customer starts
// on the entry page for amount: it is not in the middle of anything.
func (s State) Free(cfg Config, amount money.Amount) bool {
	switch {
	case s.Phase == Ready:
		return s.Entry == "" && !cfg.EntryPreset
	case s.Phase == Confirming:
		return cfg.EntryPreset && s.Payment.Amount == amount
	}
	return s.Phase.outcome() && s.Phase != Attention && !cfg.EntryPreset
}

func (t *transition) customerStarted(in CustomerStarted) {
	if in.PaymentID == "" || in.Amount.Validate() != nil || !t.s.Free(t.m.cfg, in.Amount) {
		return
	}
	t.s.Attempt++
	t.s.Phase, t.s.Entry = Waiting, ""
	t.s.Payment = Payment{ID: in.PaymentID, Amount: in.Amount, Scenario: EntryCode}
}

func (t *transition) tick(now time.Time) {
	t.s.Now = now
	p := &t.s.Payment
	switch {
	case t.s.Phase == ShowingQR && !p.Expires.IsZero() && !now.Before(p.Expires):
		p.Expired = true
	case t.s.Phase.outcome() && t.s.Phase != Attention && t.m.cfg.ResultHold > 0 && now.Sub(p.Since) >= t.m.cfg.ResultHold:
		t.newSale()
	case t.s.Phase == Locked && !now.Before(t.s.LockedUntil):
		// The lockout is over: what comes next is a PIN again, not a sale.
		t.s.Phase, t.s.Entry, t.s.Notice, t.s.ManagerActive = PIN, "", "", now
	case t.s.Phase.manager() && t.s.Phase != ManagerWait && now.Sub(t.s.ManagerActive) >= t.m.cfg.ManagerIdle:
		t.newSale()
	}
}

// newSale clears the screen for the next customer.
func (t *transition) newSale() {
	t.s.Phase, t.s.Entry, t.s.Recent, t.s.Loading = Ready, "", nil, false
}

func (t *transition) press(k keypad.Key) {
	switch {
	case (t.s.Phase == Declined || t.s.Phase == Voided) && k.Kind == keypad.Scan:
		// The customer offers a code after a failed or cancelled try: charge
		// the same amount to it, as a new payment.
		t.start(t.s.Payment.Amount, PaymentCode, k.Code)
	case t.s.Phase.outcome():
		// Any key moves on; a digit also starts the next amount.
		t.newSale()
		if k.Kind != keypad.Enter && k.Kind != keypad.Cancel && k.Kind != keypad.Clear && k.Kind != keypad.Back {
			t.press(k)
		}
	case t.s.Phase == Ready:
		t.pressReady(k)
	case t.s.Phase == Confirming:
		switch k.Kind {
		case keypad.Enter:
			t.start(t.s.Payment.Amount, OrderCode, "")
		case keypad.Scan:
			t.start(t.s.Payment.Amount, PaymentCode, k.Code)
		case keypad.Cancel, keypad.Back, keypad.Clear:
			t.s.Phase = Ready
		}
	case t.s.Phase.live():
		t.pressLive(k)
	case t.s.Phase.manager():
		t.s.ManagerActive = t.s.Now
		t.pressManager(k)
	}
}

func (t *transition) pressReady(k keypad.Key) {
	cfg := t.m.cfg
	switch k.Kind {
	case keypad.Digit, keypad.Point, keypad.Back, keypad.Clear:
		t.edit(k, cfg.MaxAmount.Value)
	case keypad.Cancel:
		t.s.Entry = ""
	case keypad.Enter, keypad.Scan:
		amount, problem := t.entryAmount()
		if problem != "" {
			if k.Kind == keypad.Scan {
				problem = "Type the amount, then scan the customer's code"
			}
			t.refuse(problem)
			return
		}
		if k.Kind == keypad.Scan {
			t.start(amount, PaymentCode, k.Code)
		} else if cfg.Confirm {
			t.s.Phase = Confirming
			t.s.Payment = Payment{Amount: amount}
		} else {
			t.start(amount, OrderCode, "")
		}
	case keypad.Function:
		if k.F == cfg.ManagerKey {
			t.openManager()
		}
	}
}

// entryAmount reads the typed amount and checks the limits; problem says
// what is wrong with it for the cashier.
func (t *transition) entryAmount() (a money.Amount, problem string) {
	cfg := t.m.cfg
	v, ok := entryValue(t.s.Entry, cfg.Currency.Exponent(), cfg.ImpliedDecimal)
	switch {
	case !ok || v == 0:
		return a, "Type an amount first"
	case v < cfg.MinAmount.Value:
		return a, "The least you can charge is " + cfg.MinAmount.String()
	case v > cfg.MaxAmount.Value:
		return a, "The most you can charge is " + cfg.MaxAmount.String()
	}
	return money.Amount{Currency: cfg.Currency, Value: v}, ""
}

func (t *transition) start(amount money.Amount, scenario Scenario, code string) {
	t.s.Attempt++
	t.s.Phase = Starting
	t.s.Payment = Payment{Amount: amount, Scenario: scenario}
	t.emit(StartPayment{Attempt: t.s.Attempt, Amount: amount, Scenario: scenario, CustomerCode: code})
}

func (t *transition) pressLive(k keypad.Key) {
	switch k.Kind {
	case keypad.Cancel:
		switch t.s.Phase {
		case Starting:
			t.s.Payment.CancelRequested = true
		case Waiting, ShowingQR:
			t.s.Phase = Cancelling
			t.emit(CancelPayment{t.s.Payment.ID})
		}
	case keypad.Scan:
		t.refuse("A payment is in progress: cancel it before scanning a code")
	}
}

// edit applies an editing key to the typed amount. Keys that would make it
// malformed or larger than limit are refused with a beep.
func (t *transition) edit(k keypad.Key, limit int64) {
	cfg := t.m.cfg
	exp := cfg.Currency.Exponent()
	next, problem := editAmount(t.s.Entry, k, exp, cfg.ImpliedDecimal)
	if problem == "" {
		if v, _ := entryValue(next, exp, cfg.ImpliedDecimal); v > limit {
			problem = fmt.Sprintf("At most %s", money.Amount{Currency: cfg.Currency, Value: limit})
		}
	}
	if problem != "" {
		t.refuse(problem)
		return
	}
	t.s.Entry = next
}

func (t *transition) openManager() {
	switch {
	case t.m.cfg.ManagerPIN == "":
		t.refuse("The manager menu is not set up")
	case t.s.Now.Before(t.s.LockedUntil):
		// Whatever is typed next is meant as a PIN: it must not become a
		// sale amount nor reach the customer display.
		t.s.Phase, t.s.Entry, t.s.ManagerActive = Locked, "", t.s.Now
		t.refuse(fmt.Sprintf("Manager menu locked for %s", t.s.LockedUntil.Sub(t.s.Now).Round(time.Second)))
	default:
		t.s.Phase, t.s.Entry, t.s.ManagerActive = PIN, "", t.s.Now
	}
}

func (t *transition) checkPIN() {
	cfg := t.m.cfg
	typed := t.s.Entry
	t.s.Entry = ""
	if subtle.ConstantTimeCompare([]byte(typed), []byte(cfg.ManagerPIN)) == 1 {
		t.s.Phase, t.s.PINFailures = Menu, 0
		return
	}
	t.s.PINFailures++
	if t.s.PINFailures >= cfg.PINAttempts {
		t.s.PINFailures = 0
		t.s.LockedUntil = t.s.Now.Add(cfg.PINLockout)
		t.s.Phase = Locked
		t.refuse(fmt.Sprintf("Wrong PIN. Manager menu locked for %s", cfg.PINLockout))
		return
	}
	t.refuse(fmt.Sprintf("Wrong PIN (%d of %d tries)", t.s.PINFailures, cfg.PINAttempts))
}
