package alipay

import (
	"errors"
	"fmt"
	"testing"
)

func replyJSON(status ResultStatus, extra string) []byte {
	return fmt.Appendf(nil, `{"result":{"resultCode":"X","resultStatus":"%s","resultMessage":"m"}%s}`, status, extra)
}

func TestJudgeTable(t *testing.T) {
	upm := []byte(`{"paymentRequestId":"P1","paymentAmount":{"currency":"USD","value":"1000"},"paymentFactor":{"inStorePaymentScenario":"PaymentCode"}}`)
	oc := []byte(`{"paymentRequestId":"P1","paymentFactor":{"inStorePaymentScenario":"OrderCode"}}`)
	ec := []byte(`{"paymentRequestId":"P1","paymentFactor":{"inStorePaymentScenario":"EntryCode"}}`)
	inq := []byte(`{"paymentRequestId":"P1"}`)
	refund := []byte(`{"refundRequestId":"R1","paymentId":"X1","refundAmount":{"currency":"USD","value":"500"}}`)
	inqRefund := []byte(`{"refundRequestId":"R1"}`)
	tests := []struct {
		name     string
		api      API
		req, rep []byte
		want     Outcome
		err      error
	}{
		{"upm S", APIPay, upm, replyJSON("S", `,"paymentRequestId":"P1","paymentAmount":{"currency":"USD","value":"1000"}`), OutcomeSuccess, nil},
		{"upm F", APIPay, upm, replyJSON("F", `,"paymentRequestId":"P1"`), OutcomeFailure, nil},
		{"upm U", APIPay, upm, replyJSON("U", `,"paymentRequestId":"P1"`), OutcomeInProcess, nil},
		{"upm odd status", APIPay, upm, replyJSON("Q", `,"paymentRequestId":"P1"`), OutcomeUnknown, nil},
		{"upm empty status", APIPay, upm, replyJSON("", `,"paymentRequestId":"P1"`), OutcomeUnknown, nil},
		{"oc S is awaiting the buyer", APIPay, oc, replyJSON("S", `,"paymentRequestId":"P1"`), OutcomeInProcess, nil},
		{"ec S is awaiting the buyer", APIPay, ec, replyJSON("S", `,"paymentRequestId":"P1"`), OutcomeInProcess, nil},
		{"pay without scenario S", APIPay, []byte(`{}`), replyJSON("S", ""), OutcomeInProcess, nil},
		{"upm replayed reply for another id", APIPay, upm, replyJSON("S", `,"paymentRequestId":"P0"`), OutcomeUnknown, ErrReplyMismatch},
		{"upm reply with another amount", APIPay, upm, replyJSON("S", `,"paymentRequestId":"P1","paymentAmount":{"currency":"USD","value":"1"}`), OutcomeUnknown, ErrReplyMismatch},
		{"upm reply in another currency", APIPay, upm, replyJSON("S", `,"paymentRequestId":"P1","paymentAmount":{"currency":"EUR","value":"1000"}`), OutcomeUnknown, ErrReplyMismatch},
		{"no result", APIPay, upm, []byte(`{"paymentRequestId":"P1"}`), OutcomeUnknown, ErrUndecodable},
		{"not json", APIPay, upm, []byte(`<html>`), OutcomeUnknown, ErrUndecodable},
		{"inquiry SUCCESS", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P1","paymentStatus":"SUCCESS"`), OutcomeSuccess, nil},
		{"inquiry FAIL", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P1","paymentStatus":"FAIL"`), OutcomeFailure, nil},
		{"inquiry CANCELLED", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P1","paymentStatus":"CANCELLED"`), OutcomeFailure, nil},
		{"inquiry PROCESSING", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P1","paymentStatus":"PROCESSING"`), OutcomeInProcess, nil},
		{"inquiry PENDING", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P1","paymentStatus":"PENDING"`), OutcomeInProcess, nil},
		{"inquiry no status", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P1"`), OutcomeUnknown, nil},
		{"inquiry odd status", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P1","paymentStatus":"success"`), OutcomeUnknown, nil},
		{"inquiry rejected F", APIInquiryPayment, inq, replyJSON("F", `,"paymentRequestId":"P1","paymentStatus":"SUCCESS"`), OutcomeUnknown, nil},
		{"inquiry U", APIInquiryPayment, inq, replyJSON("U", `,"paymentRequestId":"P1","paymentStatus":"SUCCESS"`), OutcomeUnknown, nil},
		{"inquiry for another payment", APIInquiryPayment, inq, replyJSON("S", `,"paymentRequestId":"P2","paymentStatus":"SUCCESS"`), OutcomeUnknown, ErrReplyMismatch},
		{"cancel S", APICancel, inq, replyJSON("S", `,"paymentRequestId":"P1"`), OutcomeSuccess, nil},
		{"cancel F", APICancel, inq, replyJSON("F", `,"paymentRequestId":"P1"`), OutcomeFailure, nil},
		{"cancel U", APICancel, inq, replyJSON("U", `,"paymentRequestId":"P1"`), OutcomeInProcess, nil},
		{"refund S", APIRefund, refund, replyJSON("S", `,"refundRequestId":"R1","refundAmount":{"currency":"USD","value":"500"}`), OutcomeSuccess, nil},
		{"refund S other amount", APIRefund, refund, replyJSON("S", `,"refundRequestId":"R1","refundAmount":{"currency":"USD","value":"5000"}`), OutcomeUnknown, ErrReplyMismatch},
		{"refund S other refund id", APIRefund, refund, replyJSON("S", `,"refundRequestId":"R2"`), OutcomeUnknown, ErrReplyMismatch},
		{"refund F", APIRefund, refund, replyJSON("F", `,"refundRequestId":"R1"`), OutcomeFailure, nil},
		{"refund U", APIRefund, refund, replyJSON("U", `,"refundRequestId":"R1"`), OutcomeInProcess, nil},
		{"inquiryRefund SUCCESS", APIInquiryRefund, inqRefund, replyJSON("S", `,"refundRequestId":"R1","refundStatus":"SUCCESS"`), OutcomeSuccess, nil},
		{"inquiryRefund FAIL", APIInquiryRefund, inqRefund, replyJSON("S", `,"refundRequestId":"R1","refundStatus":"FAIL"`), OutcomeFailure, nil},
		{"inquiryRefund PROCESSING", APIInquiryRefund, inqRefund, replyJSON("S", `,"refundRequestId":"R1","refundStatus":"PROCESSING"`), OutcomeInProcess, nil},
		{"inquiryRefund none", APIInquiryRefund, inqRefund, replyJSON("S", `,"refundRequestId":"R1"`), OutcomeUnknown, nil},
		{"inquiryRefund F", APIInquiryRefund, inqRefund, replyJSON("F", `,"refundRequestId":"R1","refundStatus":"SUCCESS"`), OutcomeUnknown, nil},
		// A reply must name the request it answers (a replayed generic reply names none).
		{"upm F naming no payment", APIPay, upm, replyJSON("F", ""), OutcomeUnknown, ErrReplyMismatch},
		{"upm S naming no payment", APIPay, upm, replyJSON("S", ""), OutcomeUnknown, ErrReplyMismatch},
		{"upm U naming no payment", APIPay, upm, replyJSON("U", ""), OutcomeUnknown, ErrReplyMismatch},
		{"upm F naming another payment", APIPay, upm, replyJSON("F", `,"paymentRequestId":"P0"`), OutcomeUnknown, ErrReplyMismatch},
		{"inquiry SUCCESS naming no payment", APIInquiryPayment, inq, replyJSON("S", `,"paymentStatus":"SUCCESS"`), OutcomeUnknown, ErrReplyMismatch},
		{"inquiry FAIL naming no payment", APIInquiryPayment, inq, replyJSON("S", `,"paymentStatus":"FAIL"`), OutcomeUnknown, ErrReplyMismatch},
		{"inquiry F naming no payment", APIInquiryPayment, inq, replyJSON("F", ""), OutcomeUnknown, nil},
		{"cancel S naming no payment", APICancel, inq, replyJSON("S", ""), OutcomeUnknown, ErrReplyMismatch},
		{"cancel F naming no payment", APICancel, inq, replyJSON("F", ""), OutcomeFailure, nil},
		{"refund S naming no refund", APIRefund, refund, replyJSON("S", `,"refundAmount":{"currency":"USD","value":"500"}`), OutcomeUnknown, ErrReplyMismatch},
		{"refund F naming no refund", APIRefund, refund, replyJSON("F", ""), OutcomeUnknown, ErrReplyMismatch},
		{"inquiryRefund SUCCESS naming no refund", APIInquiryRefund, inqRefund, replyJSON("S", `,"refundStatus":"SUCCESS"`), OutcomeUnknown, ErrReplyMismatch},
		{"inquiryRefund F naming no refund", APIInquiryRefund, inqRefund, replyJSON("F", ""), OutcomeUnknown, nil},
		{"inquiry by paymentId names it", APIInquiryPayment, []byte(`{"paymentId":"X1"}`), replyJSON("S", `,"paymentId":"X1","paymentStatus":"SUCCESS"`), OutcomeSuccess, nil},
		{"inquiry by paymentId, reply names none", APIInquiryPayment, []byte(`{"paymentId":"X1"}`), replyJSON("S", `,"paymentStatus":"SUCCESS"`), OutcomeUnknown, ErrReplyMismatch},
		{"registration S", APIRegistration, []byte(`{}`), replyJSON("S", ""), OutcomeSuccess, nil},
		{"registration status F", APIInquiryRegistrationStatus, []byte(`{}`), replyJSON("F", ""), OutcomeFailure, nil},
		{"registration info U", APIInquiryRegistrationInfo, []byte(`{}`), replyJSON("U", ""), OutcomeInProcess, nil},
	}
	for _, tt := range tests {
		got, _, err := judge(tt.api, tt.req, tt.rep)
		if got != tt.want || (tt.err == nil) != (err == nil) || tt.err != nil && !errors.Is(err, tt.err) {
			t.Errorf("%s: judge = %v, %v; want %v, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}

// Whatever the combination, success needs resultStatus S, and an inquiry's
// success needs the inquired status SUCCESS; judge never says "not sent".
func TestJudgeInvariants(t *testing.T) {
	scenarios := []Scenario{ScenarioPaymentCode, ScenarioOrderCode, ScenarioEntryCode, ""}
	statuses := []ResultStatus{"S", "F", "U", "", "s"}
	inner := []string{"", "SUCCESS", "FAIL", "PROCESSING", "CANCELLED", "PENDING", "other"}
	for _, api := range APIs {
		for _, sc := range scenarios {
			req := fmt.Appendf(nil, `{"paymentFactor":{"inStorePaymentScenario":"%s"}}`, sc)
			for _, st := range statuses {
				for _, in := range inner {
					rep := replyJSON(st, fmt.Sprintf(`,"paymentStatus":%q,"refundStatus":%q`, in, in))
					got, _, err := judge(api, req, rep)
					if err != nil {
						t.Fatalf("%s %s %s %s: %v", api, sc, st, in, err)
					}
					if got == OutcomeNotSent {
						t.Fatalf("judge returned not_sent")
					}
					if got == OutcomeSuccess && st != StatusSuccess {
						t.Errorf("%s: success with resultStatus %q", api.Name(), st)
					}
					if got == OutcomeSuccess && (api == APIInquiryPayment || api == APIInquiryRefund) && in != "SUCCESS" {
						t.Errorf("%s: success with inquired status %q", api.Name(), in)
					}
					if got == OutcomeSuccess && api == APIPay && sc != ScenarioPaymentCode {
						t.Errorf("pay %q: success before the buyer paid", sc)
					}
				}
			}
		}
	}
}
