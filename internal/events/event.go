package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Version is the payload version (the "v" field). Fields may be added
// within a version; consumers ignore fields they do not know. A change
// that alters the meaning of a field gets a new version.
const Version = 1

// MaxSize bounds an encoded event: Decode refuses larger input.
const MaxSize = 64 << 10

// ErrInvalid is returned by Decode for input that is not an event of this
// version.
var ErrInvalid = errors.New("events: invalid event")

// Type says what an event is about.
type Type string

// Event types. A payment's changes, a void (a succeeded payment reversed
// by cancel) and its refunds are published on the payments topic; alerts
// on the alerts topic.
const (
	TypePayment Type = "payment" // a payment attempt was created or changed state
	TypeRefund  Type = "refund"  // a refund of a payment was created or changed state
	TypeVoid    Type = "void"    // a succeeded payment is being (or was) reversed by cancel
	TypeReceipt Type = "receipt" // a receipt print job was queued, attempted or printed
	TypeAlert   Type = "alert"   // something an operator should look at, or its end
)

// Event is one committed change. ID is Stream and Seq together: the same
// on every redelivery of the event, and never reused, not even by a new
// outbox file on the same till (a new file has a new Stream).
type Event struct {
	V        int       `json:"v"`
	ID       string    `json:"id"`
	Stream   string    `json:"stream"` // random, fixed for the life of the till's outbox file
	Seq      uint64    `json:"seq"`    // 1, 2, 3... per stream, in commit order
	Type     Type      `json:"type"`
	At       time.Time `json:"at"` // when the change was committed (UTC)
	Merchant string    `json:"merchant"`
	Store    string    `json:"store"`
	Terminal string    `json:"terminal"`
	Payment  *Payment  `json:"payment,omitempty"` // payment, refund and void events: the whole payment after the change
	Refund   *Refund   `json:"refund,omitempty"`  // refund events: the refund that changed
	Receipt  *Receipt  `json:"receipt,omitempty"`
	Alert    *Alert    `json:"alert,omitempty"`
}

// Amount is exact money: integer minor units of an ISO 4217 currency, with
// the decimal text for people ("12.50").
type Amount struct {
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"`
	Decimal  string `json:"decimal"`
}

// Payment is a payment attempt as committed. No customer payment code,
// request body or key material is ever part of it.
type Payment struct {
	RequestID  string    `json:"paymentRequestId"`
	PaymentID  string    `json:"paymentId,omitempty"` // Alipay's id, once known
	SaleID     string    `json:"saleId"`
	Scenario   string    `json:"scenario"` // OrderCode or PaymentCode
	State      string    `json:"state"`    // the outbox state (README "How posd keeps money safe")
	Final      bool      `json:"final"`    // nothing left to do for it unless a refund is asked
	ResultCode string    `json:"resultCode,omitempty"`
	Amount     Amount    `json:"amount"`
	Refunded   int64     `json:"refundedMinor"` // refunds that succeeded, minor units
	Void       bool      `json:"void,omitempty"`
	Attention  string    `json:"attention,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Refunds    []Refund  `json:"refunds,omitempty"`
}

// Refund is one refund of a payment.
type Refund struct {
	RequestID  string    `json:"refundRequestId"`
	RefundID   string    `json:"refundId,omitempty"`
	State      string    `json:"state"` // PENDING, UNKNOWN, SUCCEEDED, FAILED
	ResultCode string    `json:"resultCode,omitempty"`
	Amount     Amount    `json:"amount"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Receipt is a print job's progress.
type Receipt struct {
	Job       uint64 `json:"job"`
	RequestID string `json:"paymentRequestId"`
	RefundID  string `json:"refundRequestId,omitempty"`
	Kind      string `json:"kind"`
	Copy      bool   `json:"copy,omitempty"`
	Status    string `json:"status"` // queued, attempted, printed
}

// Receipt statuses.
const (
	ReceiptQueued    = "queued"
	ReceiptAttempted = "attempted"
	ReceiptPrinted   = "printed"
)

// Alert is raised (Active) or cleared.
type Alert struct {
	Code      string `json:"code"`
	Active    bool   `json:"active"`
	Text      string `json:"text"`
	RequestID string `json:"paymentRequestId,omitempty"`
	// FirstSeq..LastSeq are the events an events-dropped alert reports.
	FirstSeq uint64 `json:"firstSeq,omitempty"`
	LastSeq  uint64 `json:"lastSeq,omitempty"`
}

// Alert codes.
const (
	// AlertNeedsAttention: a payment's outcome could not be settled
	// automatically yet (active), or it was (cleared).
	AlertNeedsAttention = "needs-attention"
	// AlertEventsDropped: the till's backlog passed its bound while the
	// broker was away; the events FirstSeq..LastSeq were never published
	// and are only in the till's export (posctl export).
	AlertEventsDropped = "events-dropped"
)

// EventID is the id of event seq of a stream.
func EventID(stream string, seq uint64) string {
	return stream + "-" + strconv.FormatUint(seq, 10)
}

// Encode returns the published form of e.
func Encode(e *Event) ([]byte, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}

// Decode reads one published event and checks it is one posd could have
// written: this version, an id that matches stream and sequence, and the
// part its type needs.
func Decode(data []byte) (Event, error) {
	if len(data) > MaxSize {
		return Event{}, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalid, len(data), MaxSize)
	}
	var e Event
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Event{}, fmt.Errorf("%w: data after the event", ErrInvalid)
	}
	if err := e.validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

func (e *Event) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	if e.V != Version {
		return bad("version %d, want %d", e.V, Version)
	}
	if e.Stream == "" || e.Seq == 0 || e.ID != EventID(e.Stream, e.Seq) {
		return bad("id %q does not match stream %q and seq %d", e.ID, e.Stream, e.Seq)
	}
	for _, part := range []string{e.Merchant, e.Store, e.Terminal} {
		if err := TopicPart(part); err != nil {
			return bad("%v", err)
		}
	}
	switch e.Type {
	case TypePayment, TypeVoid:
		if e.Payment == nil {
			return bad("%s event without payment", e.Type)
		}
	case TypeRefund:
		if e.Payment == nil || e.Refund == nil {
			return bad("refund event without payment and refund")
		}
	case TypeReceipt:
		if e.Receipt == nil {
			return bad("receipt event without receipt")
		}
	case TypeAlert:
		if e.Alert == nil || e.Alert.Code == "" {
			return bad("alert event without alert code")
		}
	default:
		return bad("unknown type %q", e.Type)
	}
	if p := e.Payment; p != nil {
		if p.RequestID == "" {
			return bad("payment without paymentRequestId")
		}
		if err := p.Amount.check(); err != nil {
			return bad("payment %s: %v", p.RequestID, err)
		}
		for _, r := range p.Refunds {
			if err := r.Amount.check(); err != nil {
				return bad("refund %s: %v", r.RequestID, err)
			}
		}
	}
	if r := e.Refund; r != nil {
		if err := r.Amount.check(); err != nil {
			return bad("refund %s: %v", r.RequestID, err)
		}
	}
	return nil
}

func (a Amount) check() error {
	if len(a.Currency) != 3 || strings.ToUpper(a.Currency) != a.Currency {
		return fmt.Errorf("currency %q is not an ISO 4217 code", a.Currency)
	}
	if a.Minor < 0 {
		return fmt.Errorf("negative amount %d", a.Minor)
	}
	return nil
}

// Channel is the topic an event goes to.
func (e *Event) Channel() Channel {
	if e.Type == TypeAlert {
		return ChannelAlerts
	}
	return ChannelPayments
}
