package terminal

import (
	"fmt"
	"time"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal/keypad"
)

// pressManager handles keys in the manager menu. Cancel always goes one
// step back; from the menu itself it leaves.
func (t *transition) pressManager(k keypad.Key) {
	s := &t.s
	switch s.Phase {
	case PIN:
		switch k.Kind {
		case keypad.Digit:
			if len(s.Entry) < maxPIN {
				s.Entry += string(k.Digit)
			}
		case keypad.Back:
			if s.Entry != "" {
				s.Entry = s.Entry[:len(s.Entry)-1]
			}
		case keypad.Clear:
			s.Entry = ""
		case keypad.Enter:
			t.checkPIN()
		case keypad.Cancel:
			t.newSale()
		}
	case Menu:
		switch {
		case k.Kind == keypad.Cancel:
			t.newSale()
		case k.Kind == keypad.Digit && k.Digit >= '1' && k.Digit <= '3':
			s.Purpose = [...]Purpose{RefundPayment, ReprintReceipt, View}[k.Digit-'1']
			s.Phase, s.Loading, s.Recent = List, true, nil
			t.emit(LoadRecent{N: t.m.cfg.RecentCount})
		}
	case List:
		switch {
		case k.Kind == keypad.Cancel:
			s.Phase, s.Loading, s.Recent = Menu, false, nil
		case k.Kind == keypad.Digit && !s.Loading:
			t.pick(int(k.Digit - '1'))
		}
	case Detail:
		if k.Kind == keypad.Cancel || k.Kind == keypad.Enter {
			s.Phase = List
		}
	case RefundAmount:
		switch k.Kind {
		case keypad.Digit, keypad.Point, keypad.Back, keypad.Clear:
			t.edit(k, s.Recent[s.Selected].refundable())
		case keypad.Cancel:
			s.Phase, s.Entry = List, ""
		case keypad.Enter:
			t.refundAmountTyped()
		}
	case RefundConfirm:
		switch k.Kind {
		case keypad.Enter:
			p := s.Recent[s.Selected]
			s.Phase = ManagerWait
			t.emit(Refund{PaymentID: p.PaymentID, Amount: money.Amount{Currency: p.Amount.Currency, Value: s.RefundValue}})
		case keypad.Cancel:
			s.Phase = RefundAmount
		}
	case ManagerWait:
		if k.Kind == keypad.Cancel {
			t.refuse("The request is already with the outbox; wait for its answer")
		}
	case Locked:
		// Only Cancel leaves: the rest of a PIN typed into a lockout is
		// dropped, never taken as an amount.
		if k.Kind == keypad.Cancel {
			t.newSale()
			return
		}
		t.refuse(fmt.Sprintf("Manager menu locked for %s; Cancel: back to sales", max(0, s.LockedUntil.Sub(s.Now)).Round(time.Second)))
	}
}

// pick acts on entry i of the recent list according to why it was opened.
func (t *transition) pick(i int) {
	s := &t.s
	if i < 0 || i >= len(s.Recent) {
		t.refuse(fmt.Sprintf("Pick 1 to %d", len(s.Recent)))
		return
	}
	s.Selected = i
	p := s.Recent[i]
	switch s.Purpose {
	case View:
		s.Phase = Detail
	case ReprintReceipt:
		if p.Status != StatusSucceeded && p.Status != StatusRefunded {
			t.refuse("Only paid payments have a receipt")
			return
		}
		s.Phase = ManagerWait
		t.emit(Reprint{PaymentID: p.PaymentID})
	case RefundPayment:
		if p.refundable() <= 0 || p.Amount.Currency != t.m.cfg.Currency {
			t.refuse("Only paid payments in " + t.m.cfg.Currency.String() + " not yet refunded in full can be refunded")
			return
		}
		s.Phase, s.Entry = RefundAmount, ""
	}
}

// refundAmountTyped moves to the confirmation; an empty amount means all
// that is left to refund.
func (t *transition) refundAmountTyped() {
	s := &t.s
	left := s.Recent[s.Selected].refundable()
	v := left
	if s.Entry != "" {
		cfg := t.m.cfg
		v, _ = entryValue(s.Entry, cfg.Currency.Exponent(), cfg.ImpliedDecimal)
	}
	if v <= 0 || v > left {
		t.refuse("Refund between 0 and " + money.Amount{Currency: t.m.cfg.Currency, Value: left}.String())
		return
	}
	s.RefundValue = v
	s.Phase = RefundConfirm
}

// managerReply handles the outbox's answers to the manager's requests.
func (t *transition) managerReply(in Input) {
	s := &t.s
	switch in := in.(type) {
	case RecentLoaded:
		if s.Phase != List || !s.Loading {
			return
		}
		s.Loading = false
		s.Recent = append([]Summary(nil), in.Payments[:min(len(in.Payments), t.m.cfg.RecentCount)]...)
		switch {
		case in.Reason != "":
			s.Phase = Menu
			t.refuse("Could not read the payments: " + in.Reason)
		case len(s.Recent) == 0:
			s.Phase = Menu
			t.refuse("No payments yet")
		}
	case Reprinted:
		if t.waitingFor(in.PaymentID) {
			s.Phase = Menu
			if in.Reason != "" {
				t.refuse("Reprint failed: " + in.Reason)
				return
			}
			s.Notice = "Receipt reprinted"
		}
	case RefundAccepted:
		if t.waitingFor(in.PaymentID) {
			s.Phase = Menu
			s.Notice = "Refund of " + money.Amount{Currency: t.m.cfg.Currency, Value: s.RefundValue}.String() + " requested"
		}
	case RefundRefused:
		if t.waitingFor(in.PaymentID) {
			s.Phase = Menu
			t.refuse("Refund refused: " + orDefault(in.Reason, "no reason given"))
		}
	}
}

func (t *transition) waitingFor(id string) bool {
	s := &t.s
	return s.Phase == ManagerWait && s.Selected < len(s.Recent) && s.Recent[s.Selected].PaymentID == id
}
