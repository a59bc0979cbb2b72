package printer

import (
	"fmt"

	"github.com/posd/posd/internal/lang"
	"strings"
	"time"

	"github.com/posd/posd/money"
)

// Kind says which slip a receipt is.
type Kind string

// The slips posd prints.
const (
	// KindSale is the customer receipt of a payment.
	KindSale Kind = "sale"
	// KindRefund is the slip of a refund of an earlier payment.
	KindRefund Kind = "refund"
	// KindVoid is the slip of a payment cancelled before or after the
	// customer paid (AMS cancel, https://docs.antom.com/ac/ams/paymentc).
	KindVoid Kind = "void"
)

// Result is the final outcome printed on the slip. Only outcomes the gateway
// confirmed as final belong on paper; an unknown outcome is never printed.
type Result string

// Final outcomes.
const (
	ResultPaid      Result = "paid"
	ResultCancelled Result = "cancelled"
	ResultRefunded  Result = "refunded"
)

// resultOf is the one result each slip kind may carry.
var resultOf = map[Kind]Result{
	KindSale:   ResultPaid,
	KindVoid:   ResultCancelled,
	KindRefund: ResultRefunded,
}

// Item is one line of what was sold. Amount, the line total, is optional:
// a terminal that only knows the total prints descriptions alone.
type Item struct {
	Description string        `json:"description"`
	Quantity    int           `json:"quantity,omitempty"`
	Amount      *money.Amount `json:"amount,omitempty"`
}

// Receipt is everything printed on a slip. Its JSON encoding (the field tags
// below) is stable: the outbox stores it inside print jobs, so fields may be
// added but never renamed or re-typed.
type Receipt struct {
	Kind         Kind   `json:"kind"`
	MerchantName string `json:"merchantName"`
	StoreName    string `json:"storeName,omitempty"`
	TerminalID   string `json:"terminalId"`
	// Time is printed as given, in its own zone: pass the shop's local time.
	Time  time.Time `json:"time"`
	Items []Item    `json:"items,omitempty"`
	// Amount is the payment amount for a sale or void, the refunded amount
	// for a refund.
	Amount money.Amount `json:"amount"`
	// PaidAmount is what the customer's wallet charged when it differs from
	// Amount (AMS actualPaymentAmount, e.g. CNY for a MOP price).
	PaidAmount *money.Amount `json:"paidAmount,omitempty"`
	// PaymentMethod is the wallet name the gateway reported (pspName).
	PaymentMethod string `json:"paymentMethod,omitempty"`
	// CustomerID is the gateway's displayCustomerId; it is masked again
	// before printing so a raw id never reaches paper.
	CustomerID       string `json:"customerId,omitempty"`
	PaymentID        string `json:"paymentId,omitempty"`
	PaymentRequestID string `json:"paymentRequestId"`
	RefundID         string `json:"refundId,omitempty"`
	RefundRequestID  string `json:"refundRequestId,omitempty"`
	Result           Result `json:"result"`
	Footer           string `json:"footer,omitempty"`
	// MerchantID and StoreID are the ids the gateway knows the shop by
	// (referenceMerchantId, referenceStoreId): what an auditor matches.
	MerchantID string `json:"merchantId,omitempty"`
	StoreID    string `json:"storeId,omitempty"`
	// Language of the slip's labels: zh-CN, zh-TW or en (empty: en). It
	// is stored with the job so a reprint reads like the first print.
	Language string `json:"language,omitempty"`
	// Refunds are the refunds made since, listed on a COPY of a sale slip
	// with what remains; the first print has none.
	Refunds []RefundLine `json:"refunds,omitempty"`
}

// RefundLine is one refund of the sale, as a copy lists it.
type RefundLine struct {
	RefundID string       `json:"refundId,omitempty"`
	Amount   money.Amount `json:"amount"`
	Time     time.Time    `json:"time"`
}

// Remaining is what is left of the sale after its listed refunds.
func (r Receipt) Remaining() money.Amount {
	left := r.Amount
	for _, rf := range r.Refunds {
		left.Value -= rf.Amount.Value
	}
	return left
}

// maxIDLen is the AMS limit for paymentId, paymentRequestId and refund ids.
const maxIDLen = 64

// Validate reports the first thing that makes r unprintable.
func (r Receipt) Validate() error {
	want, ok := resultOf[r.Kind]
	if !ok {
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidReceipt, r.Kind)
	}
	if r.Result != want {
		return fmt.Errorf("%w: a %s slip must say %q, not %q", ErrInvalidReceipt, r.Kind, want, r.Result)
	}
	if strings.TrimSpace(r.MerchantName) == "" {
		return fmt.Errorf("%w: no merchant name", ErrInvalidReceipt)
	}
	if strings.TrimSpace(r.TerminalID) == "" {
		return fmt.Errorf("%w: no terminal id", ErrInvalidReceipt)
	}
	if r.Time.IsZero() {
		return fmt.Errorf("%w: no time", ErrInvalidReceipt)
	}
	if err := r.Amount.Validate(); err != nil {
		return fmt.Errorf("%w: amount: %w", ErrInvalidReceipt, err)
	}
	if r.PaidAmount != nil {
		if err := r.PaidAmount.Validate(); err != nil {
			return fmt.Errorf("%w: paid amount: %w", ErrInvalidReceipt, err)
		}
	}
	for i, it := range r.Items {
		if it.Quantity < 0 {
			return fmt.Errorf("%w: item %d: negative quantity", ErrInvalidReceipt, i+1)
		}
		if it.Amount != nil && it.Amount.Currency != r.Amount.Currency {
			return fmt.Errorf("%w: item %d: currency %s on a %s receipt", ErrInvalidReceipt, i+1, it.Amount.Currency, r.Amount.Currency)
		}
	}
	ids := []struct{ name, v string }{
		{"paymentRequestId", r.PaymentRequestID}, {"paymentId", r.PaymentID},
		{"refundId", r.RefundID}, {"refundRequestId", r.RefundRequestID},
	}
	for _, id := range ids {
		if len(id.v) > maxIDLen || !visibleASCII(id.v) {
			return fmt.Errorf("%w: %s must be at most %d visible ASCII characters", ErrInvalidReceipt, id.name, maxIDLen)
		}
	}
	for _, id := range []struct{ name, v string }{{"merchantId", r.MerchantID}, {"storeId", r.StoreID}} {
		if len(id.v) > maxIDLen || !visibleASCII(id.v) {
			return fmt.Errorf("%w: %s must be at most %d visible ASCII characters", ErrInvalidReceipt, id.name, maxIDLen)
		}
	}
	if len(r.Refunds) > 0 && r.Kind != KindSale {
		return fmt.Errorf("%w: only a sale slip lists refunds", ErrInvalidReceipt)
	}
	for i, rf := range r.Refunds {
		if err := rf.Amount.Validate(); err != nil || rf.Amount.Currency != r.Amount.Currency || rf.Amount.Value <= 0 {
			return fmt.Errorf("%w: refund %d: amount %s on a %s sale", ErrInvalidReceipt, i+1, rf.Amount, r.Amount.Currency)
		}
		if len(rf.RefundID) > maxIDLen || !visibleASCII(rf.RefundID) {
			return fmt.Errorf("%w: refund %d: refundId must be at most %d visible ASCII characters", ErrInvalidReceipt, i+1, maxIDLen)
		}
	}
	if r.Remaining().Value < 0 {
		return fmt.Errorf("%w: refunds exceed the sale", ErrInvalidReceipt)
	}
	if r.Language != "" {
		if _, err := lang.Parse(r.Language); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidReceipt, err)
		}
	}
	if r.PaymentRequestID == "" {
		return fmt.Errorf("%w: no paymentRequestId", ErrInvalidReceipt)
	}
	if r.Kind != KindVoid && r.PaymentID == "" {
		return fmt.Errorf("%w: a %s slip needs the paymentId", ErrInvalidReceipt, r.Kind)
	}
	return nil
}

// visibleASCII reports whether s has only characters 0x21-0x7E: ids go
// into QR codes and barcodes and are typed back in by people.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7F {
			return false
		}
	}
	return true
}

// LookupID is what the QR code or barcode on the slip carries: the
// gateway's paymentId, or the paymentRequestId for a void whose payment
// never got a paymentId.
func (r Receipt) LookupID() string {
	if r.PaymentID != "" {
		return r.PaymentID
	}
	return r.PaymentRequestID
}

// MaskCustomerID keeps the last four characters of id and stars the rest.
// An id the gateway already masked (it contains '*') is kept as it is.
func MaskCustomerID(id string) string {
	if strings.ContainsRune(id, '*') {
		return id
	}
	r := []rune(id)
	keep := 4
	if len(r) <= keep {
		keep = len(r) / 2 // never print a short id whole
	}
	return strings.Repeat("*", len(r)-keep) + string(r[len(r)-keep:])
}

// SampleReceipt is a sale as posd prints it, with only the fields a real
// receipt carries (no item lines: posd knows the total, not the basket);
// previews and the demo use it.
func SampleReceipt() Receipt {
	return Receipt{
		Kind:             KindSale,
		MerchantName:     "Harbour Coffee",
		MerchantID:       "M0001",
		StoreName:        "Pier 7 kiosk",
		StoreID:          "S07",
		TerminalID:       "T01",
		Time:             time.Date(2026, 11, 23, 14, 5, 9, 0, time.UTC),
		Amount:           money.Amount{Currency: "USD", Value: 1250},
		PaymentMethod:    "ALIPAY_CN",
		CustomerID:       "138****0001",
		PaymentID:        "202611231400001234567890",
		PaymentRequestID: "T01-20261123-000042",
		Result:           ResultPaid,
		Footer:           "Thank you!",
	}
}
