package terminal

import (
	"fmt"
	"math"
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
		case k.Kind == keypad.Digit && k.Digit == '4':
			s.Notice = "Printing today's report…"
			t.emit(PrintDayReport{})
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
			// Every key typed counts: an amount above what is left is
			// refused at Enter, never cut down to a different one.
			t.edit(k, math.MaxInt64)
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
	case Following:
		switch {
		case s.FollowDone && (k.Kind == keypad.Enter || k.Kind == keypad.Cancel):
			s.Phase, s.Notice = Menu, s.FollowText
		case k.Kind == keypad.Cancel:
			what := "The refund"
			if s.FollowRefund == "" {
				what = "The copy"
			}
			s.Phase, s.Notice = Menu, what+" carries on; its result shows in the list"
		default:
			t.refuse("Waiting for the result; Cancel: back to the menu")
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
		// The list is taken once: a sale landing later does not shift
		// what a key picks. To refund, only what can be refunded.
		s.Recent = nil
		for _, p := range in.Payments {
			if s.Purpose != RefundPayment || (p.refundable() > 0 && p.Amount.Currency == t.m.cfg.Currency) {
				s.Recent = append(s.Recent, p)
			}
		}
		s.Recent = s.Recent[:min(len(s.Recent), t.m.cfg.RecentCount)]
		switch {
		case in.Reason != "":
			s.Phase = Menu
			t.refuse("Could not read the payments: " + in.Reason)
		case len(s.Recent) == 0 && s.Purpose == RefundPayment && len(in.Payments) > 0:
			s.Phase = Menu
			t.refuse("No payment left to refund")
		case len(s.Recent) == 0:
			s.Phase = Menu
			t.refuse("No payments yet")
		}
	case DayReportPrinted:
		if s.Phase == Menu {
			if in.Reason != "" {
				t.refuse("Report not printed: " + in.Reason)
				return
			}
			s.Notice = "Today's report printed"
		}
	case Reprinted:
		if t.waitingFor(in.PaymentID) {
			if in.Reason != "" {
				s.Phase = Menu
				t.refuse("Reprint failed: " + in.Reason)
				return
			}
			s.Phase, s.FollowRefund, s.FollowDone, s.FollowText = Following, "", false, "Printing the copy"
		}
	case RefundAccepted:
		if t.waitingFor(in.PaymentID) {
			s.Phase, s.FollowRefund, s.FollowDone = Following, in.RefundID, false
			s.FollowText = "Refund of " + money.Amount{Currency: t.m.cfg.Currency, Value: s.RefundValue}.String() + " sent to Alipay: waiting for its answer"
		}
	case RefundSettled:
		if s.Phase == Following && !s.FollowDone && s.FollowRefund != "" && in.RefundID == s.FollowRefund {
			a := money.Amount{Currency: t.m.cfg.Currency, Value: s.RefundValue}.String()
			s.FollowDone, s.FollowText = true, "Refund of "+a+" done"
			if !in.OK {
				s.FollowText = "Refund of " + a + " failed: " + orDefault(in.Reason, "no reason given")
				t.emit(Beep{BeepError})
			}
		}
	case RefundRefused:
		if t.waitingFor(in.PaymentID) {
			s.Phase = Menu
			t.refuse("Refund refused: " + orDefault(in.Reason, "no reason given"))
		}
	}
}

// copyPrinted ends the wait for a reprint when the printer reports on it.
func (t *transition) copyPrinted(in SlipPrinted) {
	s := &t.s
	if s.Phase != Following || s.FollowDone || s.FollowRefund != "" || s.Selected >= len(s.Recent) || s.Recent[s.Selected].PaymentID != in.PaymentID {
		return
	}
	s.FollowDone, s.FollowText = true, "Copy printed"
	if !in.Printed {
		s.FollowText = "Copy not printed: " + orDefault(in.Reason, "printer trouble")
		t.emit(Beep{BeepError})
	}
}

func (t *transition) waitingFor(id string) bool {
	s := &t.s
	return s.Phase == ManagerWait && s.Selected < len(s.Recent) && s.Recent[s.Selected].PaymentID == id
}
