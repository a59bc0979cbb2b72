package terminal

import (
	"fmt"
	"slices"
	"strings"
	"time"

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
	p := s.Payment
	v := Screen{Phase: s.Phase, Notice: s.Notice, Alerts: alerts(s)}
	amount := p.Amount.String()
	typed := cfg.Currency.String() + " " + entryText(s.Entry, cfg.Currency, cfg.ImpliedDecimal)
	waiting := Customer{Kind: CustomerProcessing, Amount: p.Amount, Message: "Please wait"}
	switch s.Phase {
	case Ready:
		v.Title, v.Amount, v.Hint = "New sale", typed, "Type the amount, Enter for a QR code, or scan the customer's code"
		v.Customer = Customer{Kind: CustomerIdle, Message: "Welcome"}
		if val, ok := entryValue(s.Entry, cfg.Currency.Exponent(), cfg.ImpliedDecimal); ok && val > 0 {
			v.Customer = Customer{Kind: CustomerAmount, Amount: money.Amount{Currency: cfg.Currency, Value: val}}
		}
	case Confirming:
		v.Title, v.Amount, v.Hint = "Charge this amount?", amount, "Enter: show QR code · scan: customer's code · Cancel: change"
		v.Customer = Customer{Kind: CustomerAmount, Amount: p.Amount}
	case Starting, Waiting:
		v.Title, v.Amount, v.Hint = "Starting payment", amount, "Cancel: abort"
		if p.Scenario == PaymentCode {
			v.Title = "Charging the customer's code"
		}
		if p.CancelRequested {
			v.Title, v.Hint = "Cancelling", ""
		}
		v.Customer = waiting
	case ShowingQR:
		v.Title, v.Amount, v.Hint = "Customer is scanning the QR code", amount, "Cancel: abort"
		v.Customer = Customer{Kind: CustomerQR, Amount: p.Amount, CodeValue: p.CodeValue, Expires: p.Expires,
			Message: "Scan with Alipay to pay"}
		if !p.Expires.IsZero() {
			v.Lines = []string{"Code valid until " + p.Expires.In(zoneOf(s.Now)).Format("15:04:05")}
		}
		if p.Expired {
			v.Title = "Code expired, checking the payment"
			v.Lines = nil
			v.Customer = Customer{Kind: CustomerProcessing, Amount: p.Amount, Message: "Code expired, please wait"}
		}
	case Cancelling:
		v.Title, v.Amount = "Cancelling the payment", amount
		v.Customer = waiting
	case Paid:
		v.Title, v.Amount, v.Hint = "Paid", amount, "Any key: next sale"
		v.Lines = []string{receiptLine(p)}
		v.Customer = Customer{Kind: CustomerPaid, Amount: p.Amount, Message: "Thank you"}
	case Declined:
		v.Title, v.Amount, v.Hint = "Payment failed", amount, "Scan a customer's code to try again · any key: next sale"
		v.Lines = []string{p.Reason, "Nobody was charged"}
		v.Customer = Customer{Kind: CustomerDeclined, Amount: p.Amount, Message: "Payment failed"}
	case Voided:
		v.Title, v.Amount, v.Hint = "Payment cancelled", amount, "Scan a customer's code to charge it instead · any key: next sale"
		v.Lines = []string{"Nobody was charged"}
		v.Customer = Customer{Kind: CustomerCancelled, Amount: p.Amount, Message: "Payment cancelled"}
	case Attention:
		v.Title, v.Amount, v.Hint = "Outcome unknown: call the manager", amount, "Enter: acknowledge"
		v.Lines = []string{p.Reason, "Do not hand over goods; do not charge again", "Payment " + p.ID}
		v.Customer = Customer{Kind: CustomerProcessing, Amount: p.Amount, Message: "Please wait for staff"}
	default:
		m.viewManager(s, &v)
	}
	return v
}

func receiptLine(p Payment) string {
	switch {
	case p.ReceiptPrinted:
		return "Receipt printed"
	case p.ReceiptTrouble != "":
		return "Receipt not printed: " + p.ReceiptTrouble + " (reprint from the manager menu)"
	}
	return "Printing receipt"
}

// zoneOf keeps times on screen in the till's own zone.
func zoneOf(now time.Time) *time.Location {
	if now.IsZero() {
		return time.Local
	}
	return now.Location()
}

func alerts(s State) []string {
	var out []string
	for part, prefix := range [numParts]string{"Network down", "Alipay gateway trouble", "Printer", "Back office"} {
		if s.Trouble[part] != "" {
			out = append(out, prefix+": "+s.Trouble[part])
		}
	}
	if n := len(s.Unsettled); n > 0 {
		out = append(out, fmt.Sprintf("%d payment(s) need attention: see the manager menu", n))
	}
	return out
}

func (m *Machine) viewManager(s State, v *Screen) {
	cfg := m.cfg
	v.Customer = Customer{Kind: CustomerIdle, Message: "Welcome"}
	switch s.Phase {
	case PIN:
		v.Title, v.Hint = "Manager PIN", "Enter: open · Cancel: back"
		v.Amount = strings.Repeat("*", len(s.Entry))
	case Menu:
		v.Title, v.Hint = "Manager menu", "Cancel: leave"
		v.Lines = []string{"1 Refund", "2 Reprint a receipt", "3 Last payments"}
	case List:
		v.Title = [...]string{"Last payments", "Reprint which receipt?", "Refund which payment?"}[s.Purpose]
		v.Hint = "Digit: pick · Cancel: back"
		if s.Loading {
			v.Lines = []string{"Loading…"}
		}
		for i, p := range s.Recent {
			line := fmt.Sprintf("%d %s %s %s", i+1, p.Time.In(zoneOf(s.Now)).Format("15:04"), p.Amount, p.Status)
			if s.Purpose == RefundPayment {
				line = fmt.Sprintf("%d %s %s, %s left", i+1, p.Time.In(zoneOf(s.Now)).Format("15:04"), p.Amount,
					money.Amount{Currency: p.Amount.Currency, Value: p.refundable()})
			}
			v.Lines = append(v.Lines, line)
		}
	case Detail:
		p := s.Recent[s.Selected]
		v.Title, v.Amount, v.Hint = "Payment", p.Amount.String(), "Cancel: back"
		v.Lines = []string{"ID " + p.PaymentID, "Status " + string(p.Status), p.Time.In(zoneOf(s.Now)).Format("2006-01-02 15:04:05")}
		if p.Refunded.Value > 0 {
			v.Lines = append(v.Lines, "Refunded "+p.Refunded.String())
		}
	case RefundAmount:
		p := s.Recent[s.Selected]
		left := money.Amount{Currency: p.Amount.Currency, Value: p.refundable()}
		v.Title, v.Hint = "Refund amount", "Enter with nothing typed: refund "+left.String()+" · Cancel: back"
		v.Amount = cfg.Currency.String() + " " + entryText(s.Entry, cfg.Currency, cfg.ImpliedDecimal)
		v.Lines = []string{"Payment " + p.PaymentID, "Paid " + p.Amount.String() + ", refundable " + left.String()}
	case RefundConfirm:
		p := s.Recent[s.Selected]
		v.Title, v.Hint = "Refund this amount?", "Enter: refund · Cancel: change"
		v.Amount = money.Amount{Currency: p.Amount.Currency, Value: s.RefundValue}.String()
		left := money.Amount{Currency: p.Amount.Currency, Value: p.refundable()}
		after := money.Amount{Currency: p.Amount.Currency, Value: p.refundable() - s.RefundValue}
		v.Lines = []string{"Payment " + p.PaymentID,
			"Paid " + p.Amount.String() + " at " + p.Time.In(zoneOf(s.Now)).Format("2006-01-02 15:04"),
			"Left to refund " + left.String() + ", after this " + after.String()}
	case ManagerWait:
		v.Title, v.Lines = "Working", []string{"Waiting for the outbox"}
	case Following:
		p := s.Recent[s.Selected]
		what := "Refund"
		if s.FollowRefund == "" {
			what = "Reprint"
		}
		v.Title = what + " under way"
		v.Lines = []string{s.FollowText, "Payment " + p.PaymentID}
		v.Hint = "Cancel: back to the menu (it carries on)"
		if s.FollowDone {
			v.Title, v.Hint = what+" result", "Enter: back to the menu"
		}
	case Locked:
		v.Title, v.Hint = "Manager menu locked", "Cancel: back to sales"
		v.Lines = []string{"Too many wrong PINs", "Keys typed now are ignored"}
	}
}
