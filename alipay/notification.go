package alipay

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// NotifyTypePaymentResult is the notifyType of notifyPayment.
const NotifyTypePaymentResult = "PAYMENT_RESULT"

// PaymentNotification is the body of notifyPayment, posted by the platform
// to paymentNotifyUrl when a payment reaches a final state
// (https://docs.antom.com/ac/ams/paymentrn). Duplicates are normal.
type PaymentNotification struct {
	NotifyType string `json:"notifyType"`
	Envelope
	PaymentStatus    string `json:"paymentStatus"` // absent on in-store notifications so far
	PaymentRequestID string `json:"paymentRequestId"`
	PaymentID        string `json:"paymentId"`
	PaymentDetails
}

// Outcome is what a verified payment notification says about the payment:
// paymentStatus when present, otherwise resultStatus (S success, F failure).
// Anything else is unknown.
func (n *PaymentNotification) Outcome() Outcome {
	if n.PaymentStatus != "" {
		return paymentStatusOutcome(n.PaymentStatus)
	}
	switch n.Result.ResultStatus {
	case StatusSuccess:
		return OutcomeSuccess
	case StatusFailure:
		return OutcomeFailure
	}
	return OutcomeUnknown
}

// RegistrationNotification is the body of notifyRegistrationStatus
// (https://docs.antom.com/ac/ams/nrs).
type RegistrationNotification struct {
	Result                    *Result                 `json:"result"`
	ReferenceMerchantID       string                  `json:"referenceMerchantId"`
	RegistrationRequestID     string                  `json:"registrationRequestId"`
	ReferenceStoreID          string                  `json:"referenceStoreId"`
	RegistrationResult        *RegistrationResult     `json:"registrationResult"`
	PSPRegistrationResultList []PSPRegistrationResult `json:"pspRegistrationResultList"`
}

// NotificationKind says which notification a body is.
type NotificationKind uint8

const (
	// NotificationOther is a verified body of a kind posd does not handle
	// (e.g. the withdrawn notifyType OFFLINE_PAYMENT_CODE). It is acknowledged.
	NotificationOther NotificationKind = iota
	NotificationPayment
	NotificationRegistration
)

func (k NotificationKind) String() string {
	switch k {
	case NotificationPayment:
		return "notifyPayment"
	case NotificationRegistration:
		return "notifyRegistrationStatus"
	}
	return "other"
}

// Notification is one verified notification.
type Notification struct {
	Kind         NotificationKind
	Payment      *PaymentNotification      // set for NotificationPayment
	Registration *RegistrationNotification // set for NotificationRegistration
	ClientID     string                    // Client-Id header
	RequestTime  string                    // Request-Time header, verbatim
	Body         []byte                    // the verified raw body
}

// DecodeNotification parses a verified notification body. A body with
// notifyType PAYMENT_RESULT is a payment notification (it must name the
// payment); one with registrationRequestId or referenceMerchantId and no
// notifyType is a registration notification; any other JSON object is
// NotificationOther.
func DecodeNotification(body []byte) (Notification, error) {
	var probe struct {
		NotifyType            *string `json:"notifyType"`
		RegistrationRequestID *string `json:"registrationRequestId"`
		ReferenceMerchantID   *string `json:"referenceMerchantId"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return Notification{}, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return Notification{}, fmt.Errorf("%w: not a JSON object", ErrUndecodable)
	}
	n := Notification{Body: body}
	switch {
	case probe.NotifyType != nil && *probe.NotifyType == NotifyTypePaymentResult:
		var p PaymentNotification
		if err := json.Unmarshal(body, &p); err != nil {
			return Notification{}, fmt.Errorf("%w: notifyPayment: %v", ErrUndecodable, err)
		}
		if p.PaymentRequestID == "" && p.PaymentID == "" {
			return Notification{}, fmt.Errorf("%w: notifyPayment names no payment", ErrUndecodable)
		}
		n.Kind, n.Payment = NotificationPayment, &p
	case probe.NotifyType == nil && (probe.RegistrationRequestID != nil || probe.ReferenceMerchantID != nil):
		var r RegistrationNotification
		if err := json.Unmarshal(body, &r); err != nil {
			return Notification{}, fmt.Errorf("%w: notifyRegistrationStatus: %v", ErrUndecodable, err)
		}
		n.Kind, n.Registration = NotificationRegistration, &r
	}
	return n, nil
}
