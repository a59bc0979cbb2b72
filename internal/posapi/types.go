package posapi

import (
	"time"

	"github.com/posd/posd/money"
)

// Status is what posd is doing now.
type Status struct {
	Version   string `json:"version"`
	Accepting bool   `json:"accepting"` // new payments are taken
	// Stopped says in plain words why new payments are refused when Alipay
	// answered with a merchant or configuration code; empty otherwise.
	Stopped string `json:"stopped,omitempty"`
	Till    string `json:"till"`   // the cashier flow's phase
	Screen  string `json:"screen"` // the cashier screen's title
	Amount  string `json:"amount,omitempty"`
	Notice  string `json:"notice,omitempty"`
	// Current is the paymentRequestId the till is working on, if any.
	Current     string   `json:"current,omitempty"`
	QR          string   `json:"qr,omitempty"` // codeValue on the customer display
	Network     string   `json:"network"`      // "ok", "trouble" or "unknown"
	Printer     string   `json:"printer"`      // "ok", "none" or what is wrong
	OutboxDepth int      `json:"outboxDepth"`  // payments not yet final
	Alerts      []string `json:"alerts,omitempty"`
	// Events is the stream to the merchant's MQTT broker; nil when off.
	Events *Events `json:"events,omitempty"`
}

// Events is the state of the event stream (docs/events.md).
type Events struct {
	Broker    string    `json:"broker"`    // host:port
	Connected bool      `json:"connected"` // an MQTT session is up
	Backlog   int       `json:"backlog"`   // events not yet acknowledged by the broker
	Oldest    time.Time `json:"oldest,omitzero"`
	Stream    string    `json:"stream"`    // the outbox file's event stream id
	LastSeq   uint64    `json:"lastSeq"`   // the newest event committed
	Published uint64    `json:"published"` // acknowledged since posd started
	Dropped   uint64    `json:"dropped"`   // deleted undelivered (past the bound) since posd started
	LastError string    `json:"lastError,omitempty"`
}

// Payment is one payment attempt as the outbox holds it.
type Payment struct {
	PaymentRequestID string       `json:"paymentRequestId"`
	SaleID           string       `json:"saleId"`
	Scenario         string       `json:"scenario"`
	State            string       `json:"state"`
	Final            bool         `json:"final"`
	Amount           money.Amount `json:"amount"`
	PaymentID        string       `json:"paymentId,omitempty"`
	ResultCode       string       `json:"resultCode,omitempty"`
	QR               string       `json:"qr,omitempty"`
	CreatedAt        time.Time    `json:"createdAt"`
	UpdatedAt        time.Time    `json:"updatedAt"`
	ExpiresAt        time.Time    `json:"expiresAt"`
	Attention        string       `json:"attention,omitempty"`
	Refunds          []Refund     `json:"refunds,omitempty"`
	Receipts         int          `json:"receipts"` // receipt jobs, copies included
}

// Refund is one refund of a payment.
type Refund struct {
	RefundRequestID string       `json:"refundRequestId"`
	Amount          money.Amount `json:"amount"`
	State           string       `json:"state"`
	RefundID        string       `json:"refundId,omitempty"`
	ResultCode      string       `json:"resultCode,omitempty"`
	CreatedAt       time.Time    `json:"createdAt"`
	UpdatedAt       time.Time    `json:"updatedAt"`
}

// Final reports whether the refund has a verified outcome.
func (r Refund) Final() bool { return r.State == "SUCCEEDED" || r.State == "FAILED" }

// KeysRequest feeds the scripted keypad. With Wait, posd answers once the
// keys started a payment (or did not within a few seconds) with KeysReply.
type KeysRequest struct {
	Keys string `json:"keys"`
	Wait bool   `json:"wait,omitempty"`
}

// KeysReply says which payment the keys started, if any.
type KeysReply struct {
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
}

// RefundRequest asks for a refund of part or all of a payment.
type RefundRequest struct {
	Amount string `json:"amount"` // decimal in the payment's currency, "12.50"
}

// Reprint says which print job was queued.
type Reprint struct {
	PaymentRequestID string `json:"paymentRequestId"`
	Job              string `json:"job"`
}

// EntryCode is what the till's Entry Code sticker shows (GET
// /v1/entry-code): the QR encodes URL exactly.
type EntryCode struct {
	URL          string `json:"url"`
	MerchantName string `json:"merchantName"`
	StoreName    string `json:"storeName,omitempty"`
}

// Error is the body of every non-2xx reply.
type Error struct {
	Error string `json:"error"`
}

// Report is the end-of-day (or any window's) totals: posctl report.
// Each payment counts on the day it was created, each refund on the day
// it was created, in posd's local time; see posctl(8) for the rules.
type Report struct {
	Day string `json:"day"` // YYYY-MM-DD; "" for a --from/--to window
	// From and To are a --from/--to window [from, to); absent for a day,
	// so a day's report has exactly day, currencies, unresolved and z.
	From       time.Time        `json:"from,omitzero"`
	To         time.Time        `json:"to,omitzero"`
	Currencies []ReportCurrency `json:"currencies"`
	// Unresolved counts the payments and refunds in the window that have
	// no verified outcome yet: their money is in none of the totals.
	Unresolved int `json:"unresolved"`
	// Z is the closed day's number (1, 2, ...), 0 for a day not ended or a
	// window that is not one day.
	Z uint64 `json:"z"`
}

// ReportCurrency holds one currency's totals. Amounts are decimal text in
// the currency's exponent ("12.50", "1250" for JPY).
type ReportCurrency struct {
	Currency  string      `json:"currency"`
	Paid      ReportTotal `json:"paid"`
	Declined  ReportTotal `json:"declined"`
	Cancelled ReportTotal `json:"cancelled"`
	Voided    ReportTotal `json:"voided"`
	Refunded  ReportTotal `json:"refunded"`
	Net       string      `json:"net"` // paid - refunded
}

// ReportTotal is a count and its sum.
type ReportTotal struct {
	Count  int    `json:"count"`
	Amount string `json:"amount"`
}

// ReportRequest asks for a report: Day, or From and To (dates or RFC 3339
// times as posctl takes them). Print puts it on the receipt printer too.
type ReportRequest struct {
	Day   string `json:"day,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Print bool   `json:"print,omitempty"`
}
