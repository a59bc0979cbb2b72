package terminal

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/money"
)

// Screen is what the cashier and the customer see. It is derived from the
// State alone (Machine.View), so a display can always be redrawn.
type Screen struct {
	Phase  Phase
	Title  string
	Amount string   // the amount being typed or charged, with its currency
	Lines  []string // details, top first
	Hint   string   // which keys do what
	Notice string   // the last message for the cashier (an error or a result)
	Alerts []string // lasting trouble: network, gateway, printer, unsettled payments

	Customer Customer
}

// CustomerKind is what the customer-facing display shows.
type CustomerKind int

// The customer display's screens.
const (
	CustomerIdle       CustomerKind = iota // welcome
	CustomerAmount                         // the amount about to be charged
	CustomerQR                             // the order code to scan
	CustomerProcessing                     // please wait
	CustomerPaid                           // thank you; shown only after a verified success
	CustomerDeclined                       // the payment failed
	CustomerCancelled                      // the payment was cancelled
)

// Customer is the customer display's content.
type Customer struct {
	Kind      CustomerKind
	Amount    money.Amount // zero value when there is none
	CodeValue string       // the QR payload, for CustomerQR only
	Expires   time.Time    // when the QR stops being payable
	Message   string
}

// Equal reports whether two screens look the same.
func (s Screen) Equal(o Screen) bool {
	return s.Phase == o.Phase && s.Title == o.Title && s.Amount == o.Amount && s.Hint == o.Hint &&
		s.Notice == o.Notice && slices.Equal(s.Lines, o.Lines) && slices.Equal(s.Alerts, o.Alerts) &&
		s.Customer.Kind == o.Customer.Kind && s.Customer.Amount == o.Customer.Amount &&
		s.Customer.CodeValue == o.Customer.CodeValue && s.Customer.Expires.Equal(o.Customer.Expires) &&
		s.Customer.Message == o.Customer.Message
}

// View renders a state as a screen.
func (m *Machine) View(s State) Screen {
	cfg := m.cfg
	t := cfg.Language.T
	p := s.Payment
	v := Screen{Phase: s.Phase, Notice: s.Notice, Alerts: alerts(s, cfg.Language)}
	amount := p.Amount.String()
	typed := cfg.Currency.String() + " " + entryText(s.Entry, cfg.Currency, cfg.ImpliedDecimal)
	waiting := Customer{Kind: CustomerProcessing, Amount: p.Amount, Message: "Please wait"}
	switch s.Phase {
	case Ready:
		v.Title, v.Amount, v.Hint = t("New sale"), typed, t("Type the amount, Enter for a QR code, or scan the customer's code")
		v.Customer = Customer{Kind: CustomerIdle, Message: "Welcome"}
		if val, ok := entryValue(s.Entry, cfg.Currency.Exponent(), cfg.ImpliedDecimal); ok && val > 0 {
			v.Customer = Customer{Kind: CustomerAmount, Amount: money.Amount{Currency: cfg.Currency, Value: val}}
		}
	case Confirming:
		v.Title, v.Amount, v.Hint = t("Charge this amount?"), amount, t("Enter: show QR code · scan: customer's code · Cancel: change")
		if cfg.EntryPreset {
			v.Title = t("Customer may pay it at the entry code")
		}
		v.Customer = Customer{Kind: CustomerAmount, Amount: p.Amount}
	case Starting, Waiting:
		v.Title, v.Amount, v.Hint = t("Starting payment"), amount, t("Cancel: abort")
		if p.Scenario == PaymentCode {
			v.Title = t("Charging the customer's code")
		}
		if p.Scenario == EntryCode {
			v.Title = t("Customer is paying on their phone")
		}
		if p.CancelRequested {
			v.Title, v.Hint = t("Cancelling"), ""
		}
		v.Customer = waiting
	case ShowingQR:
		v.Title, v.Amount, v.Hint = t("Customer is scanning the QR code"), amount, t("Cancel: abort")
		v.Customer = Customer{Kind: CustomerQR, Amount: p.Amount, CodeValue: p.CodeValue, Expires: p.Expires,
			Message: "Scan with Alipay to pay"}
		if !p.Expires.IsZero() {
			v.Lines = []string{t("Code valid until ") + p.Expires.In(zoneOf(s.Now)).Format("15:04:05")}
		}
		if p.Expired {
			v.Title = t("Code expired, checking the payment")
			v.Lines = nil
			v.Customer = Customer{Kind: CustomerProcessing, Amount: p.Amount, Message: "Code expired, please wait"}
		}
	case Cancelling:
		v.Title, v.Amount = t("Cancelling the payment"), amount
		v.Customer = waiting
	case Paid:
		v.Title, v.Amount, v.Hint = t("Paid"), amount, t("Any key: next sale")
		v.Lines = []string{receiptLine(p, cfg.Language)}
		v.Customer = Customer{Kind: CustomerPaid, Amount: p.Amount, Message: "Thank you"}
	case Declined:
		v.Title, v.Amount, v.Hint = t("Payment failed"), amount, t("Scan a customer's code to try again · any key: next sale")
		// The code itself stays in the logs, posctl show and exports; people
		// read what it means, once.
		words := lang.ForCode(p.Reason)
		v.Lines = []string{t(words.Cashier), t("Nobody was charged")}
		v.Customer = Customer{Kind: CustomerDeclined, Amount: p.Amount, Message: words.Customer}
	case Voided:
		v.Title, v.Amount, v.Hint = t("Payment cancelled"), amount, t("Scan a customer's code to charge it instead · any key: next sale")
		v.Lines = []string{t("Nobody was charged")}
		v.Customer = Customer{Kind: CustomerCancelled, Amount: p.Amount, Message: "Payment cancelled"}
	case Attention:
		v.Title, v.Amount, v.Hint = t("Outcome unknown: call the manager"), amount, t("Enter: acknowledge")
		v.Lines = []string{t(p.Reason), t("Do not hand over goods; do not charge again"), t("Payment ") + p.ID}
		v.Customer = Customer{Kind: CustomerProcessing, Amount: p.Amount, Message: "Please wait for staff"}
	default:
		m.viewManager(s, &v)
	}
	return v
}

func receiptLine(p Payment, l lang.Lang) string {
	t := l.T
	switch {
	case p.ReceiptPrinted:
		return t("Receipt printed")
	case p.ReceiptTrouble != "":
		return l.F("Receipt not printed: %s (reprint from the manager menu)", p.ReceiptTrouble)
	}
	return t("Printing receipt")
}

// zoneOf keeps times on screen in the till's own zone.
func zoneOf(now time.Time) *time.Location {
	if now.IsZero() {
		return time.Local
	}
	return now.Location()
}

func alerts(s State, l lang.Lang) []string {
	var out []string
	for part, prefix := range [numParts]string{"Network down", "Alipay gateway trouble", "Printer", "Back office"} {
		if s.Trouble[part] != "" {
			out = append(out, l.T(prefix)+": "+s.Trouble[part])
		}
	}
	if n := len(s.Unsettled); n > 0 {
		out = append(out, l.F("%d payment(s) need attention: see the manager menu", n))
	}
	return out
}

func (m *Machine) viewManager(s State, v *Screen) {
	cfg := m.cfg
	t := cfg.Language.T
	v.Customer = Customer{Kind: CustomerIdle, Message: "Welcome"}
	switch s.Phase {
	case PIN:
		v.Title, v.Hint = t("Manager PIN"), t("Enter: open · Cancel: back")
		v.Amount = strings.Repeat("*", len(s.Entry))
	case Menu:
		v.Title, v.Hint = t("Manager menu"), t("Cancel: leave")
		v.Lines = []string{t("1 Refund"), t("2 Reprint a receipt"), t("3 Last payments"), t("4 Day report")}
	case List:
		v.Title = t([...]string{"Last payments", "Reprint which receipt?", "Refund which payment?"}[s.Purpose])
		v.Hint = t("Digit: pick · Cancel: back")
		if s.Loading {
			v.Lines = []string{t("Loading…")}
		}
		for i, p := range s.Recent {
			line := fmt.Sprintf("%d %s %s %s", i+1, p.Time.In(zoneOf(s.Now)).Format("15:04"), p.Amount, t(string(p.Status)))
			if s.Purpose == RefundPayment {
				line = fmt.Sprintf("%d %s %s", i+1, p.Time.In(zoneOf(s.Now)).Format("15:04"), cfg.Language.F("%s, %s left", p.Amount.String(),
					money.Amount{Currency: p.Amount.Currency, Value: p.refundable()}.String()))
			}
			v.Lines = append(v.Lines, line)
		}
	case Detail:
		p := s.Recent[s.Selected]
		v.Title, v.Amount, v.Hint = t("Payment"), p.Amount.String(), t("Cancel: back")
		v.Lines = []string{"ID " + p.PaymentID, t("Status ") + t(string(p.Status)), p.Time.In(zoneOf(s.Now)).Format("2006-01-02 15:04:05")}
		if p.Refunded.Value > 0 {
			v.Lines = append(v.Lines, t("Refunded ")+p.Refunded.String())
		}
	case RefundAmount:
		p := s.Recent[s.Selected]
		left := money.Amount{Currency: p.Amount.Currency, Value: p.refundable()}
		v.Title, v.Hint = t("Refund amount"), cfg.Language.F("Enter with nothing typed: refund %s · Cancel: back", left.String())
		v.Amount = cfg.Currency.String() + " " + entryText(s.Entry, cfg.Currency, cfg.ImpliedDecimal)
		v.Lines = []string{t("Payment ") + p.PaymentID, cfg.Language.F("Paid %s, refundable %s", p.Amount.String(), left.String())}
	case RefundConfirm:
		p := s.Recent[s.Selected]
		v.Title, v.Hint = t("Refund this amount?"), t("Enter: refund · Cancel: change")
		v.Amount = money.Amount{Currency: p.Amount.Currency, Value: s.RefundValue}.String()
		left := money.Amount{Currency: p.Amount.Currency, Value: p.refundable()}
		after := money.Amount{Currency: p.Amount.Currency, Value: p.refundable() - s.RefundValue}
		v.Lines = []string{t("Payment ") + p.PaymentID,
			cfg.Language.F("Paid %s at %s", p.Amount.String(), p.Time.In(zoneOf(s.Now)).Format("2006-01-02 15:04")),
			cfg.Language.F("Left to refund %s, after this %s", left.String(), after.String())}
	case ManagerWait:
		v.Title, v.Lines = t("Working"), []string{t("Waiting for the outbox")}
	case Following:
		p := s.Recent[s.Selected]
		what := "Refund"
		if s.FollowRefund == "" {
			what = "Reprint"
		}
		v.Title = t(what + " under way")
		v.Lines = []string{s.FollowText, t("Payment ") + p.PaymentID}
		v.Hint = t("Cancel: back to the menu (it carries on)")
		if s.FollowDone {
			v.Title, v.Hint = t(what+" result"), t("Enter: back to the menu")
		}
	case Locked:
		v.Title, v.Hint = t("Manager menu locked"), t("Cancel: back to sales")
		v.Lines = []string{t("Too many wrong PINs"), t("Keys typed now are ignored")}
	}
}
