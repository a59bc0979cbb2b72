package alipay

import (
	"encoding/json"
	"fmt"

	"github.com/posd/posd/money"
)

// facts are the fields that decide an outcome, read alike from the request
// we sent and the verified reply (the names are shared by both).
type facts struct {
	Result        *Result `json:"result"`
	PaymentFactor struct {
		InStorePaymentScenario Scenario `json:"inStorePaymentScenario"`
	} `json:"paymentFactor"`
	PaymentStatus    string        `json:"paymentStatus"`
	RefundStatus     string        `json:"refundStatus"`
	PaymentRequestID string        `json:"paymentRequestId"`
	PaymentID        string        `json:"paymentId"`
	RefundRequestID  string        `json:"refundRequestId"`
	RefundID         string        `json:"refundId"`
	PaymentAmount    *money.Amount `json:"paymentAmount"`
	RefundAmount     *money.Amount `json:"refundAmount"`
}

// judge decides the outcome of a verified reply to api, given the request
// body that was sent. It is pure: all I/O happened before. The error
// explains an OutcomeUnknown.
func judge(api API, request, reply []byte) (Outcome, facts, error) {
	var sent, got facts
	if err := json.Unmarshal(request, &sent); err != nil {
		return OutcomeUnknown, got, fmt.Errorf("%w: request body: %v", ErrInvalidRequest, err)
	}
	if err := json.Unmarshal(reply, &got); err != nil {
		return OutcomeUnknown, got, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	if got.Result == nil {
		return OutcomeUnknown, got, fmt.Errorf("%w: no result object", ErrUndecodable)
	}
	if err := sameRequest(sent, got); err != nil {
		return OutcomeUnknown, got, err
	}
	if err := namesRequest(api, sent, got); err != nil {
		return OutcomeUnknown, got, err
	}
	return decide(api, sent.PaymentFactor.InStorePaymentScenario, got), got, nil
}

// sameRequest rejects a reply that names another payment, refund or amount
// than the request did. Fields absent on either side are not compared.
func sameRequest(sent, got facts) error {
	pairs := [][3]string{
		{"paymentRequestId", sent.PaymentRequestID, got.PaymentRequestID},
		{"paymentId", sent.PaymentID, got.PaymentID},
		{"refundRequestId", sent.RefundRequestID, got.RefundRequestID},
		{"refundId", sent.RefundID, got.RefundID},
	}
	for _, p := range pairs {
		if p[1] != "" && p[2] != "" && p[1] != p[2] {
			return fmt.Errorf("%w: %s differs", ErrReplyMismatch, p[0])
		}
	}
	if sent.PaymentAmount != nil && got.PaymentAmount != nil && *sent.PaymentAmount != *got.PaymentAmount {
		return fmt.Errorf("%w: paymentAmount %s, requested %s", ErrReplyMismatch, got.PaymentAmount, sent.PaymentAmount)
	}
	if sent.RefundAmount != nil && got.RefundAmount != nil && *sent.RefundAmount != *got.RefundAmount {
		return fmt.Errorf("%w: refundAmount %s, requested %s", ErrReplyMismatch, got.RefundAmount, sent.RefundAmount)
	}
	return nil
}

// namesRequest rejects a reply that does not name the request it answers.
// A genuine signed reply that names no payment (the F PARAM_ILLEGAL any
// malformed request gets, say) could otherwise be replayed in place of the
// real answer. Every reply to pay and refund must carry the request's id
// (paymentRequestId, refundRequestId), whatever its status; replies to
// inquiryPayment, cancel and inquiryRefund must when they report success
// (the inquiry pages return the ids only with S:
// https://docs.antom.com/ac/ams/paymentri, https://docs.antom.com/ac/ams/ir).
func namesRequest(api API, sent, got facts) error {
	name, want, have := bindingKey(sent, got)
	if want == "" || have != "" {
		return nil
	}
	if api == APIPay || api == APIRefund || got.Result.ResultStatus == StatusSuccess {
		return fmt.Errorf("%w: %s reply names no %s", ErrReplyMismatch, api.Name(), name)
	}
	return nil
}

// bindingKey is the id a request is keyed by, with the reply's value of it:
// refundRequestId, refundId, paymentRequestId or paymentId, the first the
// request carries.
func bindingKey(sent, got facts) (name, want, have string) {
	switch {
	case sent.RefundRequestID != "":
		return "refundRequestId", sent.RefundRequestID, got.RefundRequestID
	case sent.RefundID != "":
		return "refundId", sent.RefundID, got.RefundID
	case sent.PaymentRequestID != "":
		return "paymentRequestId", sent.PaymentRequestID, got.PaymentRequestID
	case sent.PaymentID != "":
		return "paymentId", sent.PaymentID, got.PaymentID
	}
	return "", "", ""
}

// decide maps a verified result to an outcome (reference §7-§8):
//   - inquiries report the inquired payment or refund: S with SUCCESS,
//     FAIL/CANCELLED or PROCESSING; an inquiry answered F or U leaves it unknown;
//   - pay S is final success only in PaymentCode mode; for OrderCode and
//     EntryCode it means a code was issued and the buyer has yet to pay;
//   - everything else: S success, F failure, U in process.
func decide(api API, scenario Scenario, got facts) Outcome {
	status := got.Result.ResultStatus
	switch api {
	case APIInquiryPayment:
		if status != StatusSuccess {
			return OutcomeUnknown
		}
		return paymentStatusOutcome(got.PaymentStatus)
	case APIInquiryRefund:
		if status != StatusSuccess {
			return OutcomeUnknown
		}
		switch got.RefundStatus {
		case RefundStatusSuccess:
			return OutcomeSuccess
		case RefundStatusFail:
			return OutcomeFailure
		case RefundStatusProcessing:
			return OutcomeInProcess
		}
		return OutcomeUnknown
	}
	switch status {
	case StatusSuccess:
		if api == APIPay && scenario != ScenarioPaymentCode {
			return OutcomeInProcess
		}
		return OutcomeSuccess
	case StatusFailure:
		return OutcomeFailure
	case StatusUnknown:
		return OutcomeInProcess
	}
	return OutcomeUnknown
}

// paymentStatusOutcome maps paymentStatus of an inquiry or notification.
func paymentStatusOutcome(s string) Outcome {
	switch s {
	case PaymentStatusSuccess:
		return OutcomeSuccess
	case PaymentStatusFail, PaymentStatusCancelled:
		return OutcomeFailure
	case PaymentStatusProcessing, PaymentStatusPending:
		return OutcomeInProcess
	}
	return OutcomeUnknown
}
