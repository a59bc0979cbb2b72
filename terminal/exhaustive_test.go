package terminal

import (
	"testing"
	"time"

	"github.com/posd/posd/terminal/keypad"
)

// TestEveryPhaseEveryInput applies every kind of input in every phase and
// checks the rules that hold everywhere: no second live payment, paid only
// on a success event, never a QR that is not the live payment's, and
// irrelevant inputs leave live payments alone.
func TestEveryPhaseEveryInput(t *testing.T) {
	cfg := baseConfig()
	cfg.Confirm = true
	phases := map[Phase][]Input{
		Ready:         nil,
		Confirming:    keys("12.50<ENTER>"),
		Starting:      keys("12.50<ENTER><ENTER>"),
		Waiting:       seq("12.50<ENTER><ENTER>", PaymentStarted{1, "P1"}),
		ShowingQR:     seq("12.50<ENTER><ENTER>", PaymentStarted{1, "P1"}, QRReady{"P1", "https://qr.example/P1", t0.Add(time.Minute)}),
		Cancelling:    seq("12.50<ENTER><ENTER>", PaymentStarted{1, "P1"}, "<CANCEL>"),
		Paid:          seq("12.50<ENTER><ENTER>", PaymentStarted{1, "P1"}, Succeeded{"P1", usd(1250)}),
		Declined:      seq("12.50<ENTER><ENTER>", PaymentStarted{1, "P1"}, Failed{"P1", "x"}),
		Voided:        seq("12.50<ENTER><ENTER>", PaymentStarted{1, "P1"}, Cancelled{"P1"}),
		Attention:     seq("12.50<ENTER><ENTER>", PaymentStarted{1, "P1"}, NeedsAttention{"P1", "x"}),
		PIN:           keys("<F1>"),
		Menu:          toMenu,
		List:          toList,
		Detail:        seq(toMenu, "3", RecentLoaded{Payments: recent}, "1"),
		RefundAmount:  toRefundAmt,
		RefundConfirm: seq(toRefundAmt, "<ENTER>"),
		ManagerWait:   seq(toRefundAmt, "<ENTER><ENTER>"),
		Following:     seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P9", "R"}),
		Locked:        keys("<F1>1<ENTER>2<ENTER>3<ENTER>"),
	}
	inputs := append(keys("05.<BACK><CLEAR><ENTER><CANCEL><F1><F9><SCAN:281234567890123456>"),
		Press{keypad.Key{}}, Press{keypad.Key{Kind: 200}})
	for _, id := range []string{"P1", "P0", ""} {
		inputs = append(inputs, PaymentStarted{1, id}, PaymentStarted{2, id}, StartRefused{1, "x"},
			QRReady{id, "https://qr.example/" + id, t0.Add(time.Minute)}, Succeeded{id, usd(1250)},
			Failed{id, "x"}, Cancelled{id}, NeedsAttention{id, "x"}, CancelRefused{id, "x"},
			SlipPrinted{id, true, ""}, RefundAccepted{id, "R"}, RefundRefused{id, "x"}, Reprinted{id, ""}, CustomerStarted{id, usd(1250)},
			RefundSettled{id, "R", true, ""}, RefundSettled{id, "R", false, "x"})
	}
	inputs = append(inputs, RecentLoaded{Payments: recent}, RecentLoaded{Reason: "x"}, RecentLoaded{}, DayReportPrinted{}, DayReportPrinted{"x"},
		Tick{t0}, Tick{t0.Add(time.Hour)}, Health{Network, false, "x"}, Health{Printer, true, ""}, Health{Part(-1), false, ""})

	m, err := NewMachine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for phase, prelude := range phases {
		s0, _, _ := run(t, cfg, prelude)
		if s0.Phase != phase {
			t.Fatalf("prelude for %v reaches %v", phase, s0.Phase)
		}
		for _, in := range inputs {
			s, effs := m.Step(s0, in)
			for _, e := range effs {
				switch e := e.(type) {
				case StartPayment:
					if s0.Phase.live() {
						t.Errorf("%v + %#v: second payment while one is live", phase, in)
					}
					if e.Amount.Value < cfg.MinAmount.Value || e.Amount.Value > cfg.MaxAmount.Value {
						t.Errorf("%v + %#v: amount %s", phase, in, e.Amount)
					}
				case CancelPayment:
					if e.PaymentID == "" {
						t.Errorf("%v + %#v: cancel without an id", phase, in)
					}
				case Show:
					c := e.Screen.Customer
					if c.Kind == CustomerPaid && s.Phase != Paid {
						t.Errorf("%v + %#v: customer sees paid in %v", phase, in, s.Phase)
					}
					if c.Kind == CustomerQR && c.CodeValue != "https://qr.example/"+s.Payment.ID {
						t.Errorf("%v + %#v: QR %q for payment %q", phase, in, c.CodeValue, s.Payment.ID)
					}
				}
			}
			if s.Phase == Paid && s0.Phase != Paid {
				if sc, ok := in.(Succeeded); !ok || sc.PaymentID != s0.Payment.ID {
					t.Errorf("%v + %#v: paid without its success event", phase, in)
				}
			}
			// A live payment ends only on its own outcome (or its refusal to start).
			if s0.Phase.live() && !s.Phase.live() {
				id := s0.Payment.ID
				switch in := in.(type) {
				case Succeeded, Failed, Cancelled, NeedsAttention:
					if eventID(in) != id {
						t.Errorf("%v + %#v: an event for another payment ended %q", phase, in, id)
					}
				case StartRefused:
					if s0.Phase != Starting {
						t.Errorf("%v + %#v: a refusal ended a started payment", phase, in)
					}
				case PaymentStarted:
					if in.PaymentID != "" {
						t.Errorf("%v + %#v left the live payment", phase, in)
					}
				default:
					t.Errorf("%v + %#v left the live payment for %v", phase, in, s.Phase)
				}
			}
		}
	}
}

func eventID(in Input) string {
	switch in := in.(type) {
	case Succeeded:
		return in.PaymentID
	case Failed:
		return in.PaymentID
	case Cancelled:
		return in.PaymentID
	case NeedsAttention:
		return in.PaymentID
	}
	return ""
}
