package alipay

import "fmt"

// Outcome is what a call established about the money it concerns. The zero
// value is OutcomeUnknown, so an outcome nobody set is never mistaken for
// success. Persist it with String / ParseOutcome (or as text in JSON).
//
// Only OutcomeSuccess and OutcomeFailure are final, and only on a
// signature-verified reply. Only OutcomeNotSent is safe to retry blindly:
// like database/sql's driver.ErrBadConn it promises the gateway never saw
// the request.
type Outcome uint8

const (
	// OutcomeUnknown: the request may have been performed, and nothing
	// verified says how it ended: timeout, connection lost after sending,
	// non-200, unsigned/partially signed/forged reply, undecodable body, an
	// inquiry that itself was rejected or unknown. Inquire (or repeat the
	// same request with the same id); never treat as failure or success.
	OutcomeUnknown Outcome = iota
	// OutcomeNotSent: the connection failed before any byte of the request
	// was written (DNS, dial, TLS handshake). The identical bytes may be sent again.
	OutcomeNotSent
	// OutcomeInProcess: a verified reply says the operation exists but is not
	// final: resultStatus U, PAYMENT_IN_PROCESS, an inquired status of
	// PROCESSING, or an order/entry-code pay whose code was issued and
	// now awaits the buyer.
	OutcomeInProcess
	// OutcomeSuccess: a verified reply states the operation succeeded: a
	// user-presented pay with S (money taken), an inquiry with SUCCESS, a
	// cancel or refund with S.
	OutcomeSuccess
	// OutcomeFailure: a verified reply states the operation definitively
	// failed (resultStatus F, an inquired FAIL or CANCELLED). Reply.Code says why.
	OutcomeFailure
)

var outcomeNames = [...]string{
	OutcomeUnknown:   "unknown",
	OutcomeNotSent:   "not_sent",
	OutcomeInProcess: "in_process",
	OutcomeSuccess:   "success",
	OutcomeFailure:   "failure",
}

// String returns the persisted form: unknown, not_sent, in_process, success, failure.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ParseOutcome reads the String form back.
func ParseOutcome(s string) (Outcome, error) {
	for i, name := range outcomeNames {
		if s == name {
			return Outcome(i), nil
		}
	}
	return OutcomeUnknown, fmt.Errorf("alipay: unknown outcome %q", truncate(s, 32))
}

// Final reports whether the outcome settles the operation: a verified success or failure.
func (o Outcome) Final() bool { return o == OutcomeSuccess || o == OutcomeFailure }

// RetrySafe reports whether the same request may be sent again without any
// risk that the gateway performed it once already. Only OutcomeNotSent is;
// an idempotent retry of anything else must reuse the same request id.
func (o Outcome) RetrySafe() bool { return o == OutcomeNotSent }

// MarshalText writes the String form.
func (o Outcome) MarshalText() ([]byte, error) {
	if int(o) >= len(outcomeNames) {
		return nil, fmt.Errorf("alipay: invalid outcome %d", uint8(o))
	}
	return []byte(o.String()), nil
}

// UnmarshalText reads the String form.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}
