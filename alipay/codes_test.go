package alipay

import "testing"

// want rows are transcribed from the reference's tables (§8.5 pay, §8.6
// inquiryPayment, §8.7 cancel, §8.8 refund and inquiryRefund, §8.9
// registration), independently of codes.go, so a typo on either side fails.
// Merchant and configuration codes stop the till (ActionStop): issue 12, rule 4.
func TestLookupCodeEveryRow(t *testing.T) {
	type row struct {
		code   string
		status ResultStatus
		action Action
	}
	common := []row{
		{"SUCCESS", "S", ActionProceed},
		{"UNKNOWN_EXCEPTION", "U", ActionInquire},
		{"REQUEST_TRAFFIC_EXCEED_LIMIT", "U", ActionBackOff},
		{"PARAM_ILLEGAL", "F", ActionAlert},
		{"ACCESS_DENIED", "F", ActionStop},
		{"CLIENT_INVALID", "F", ActionStop},
		{"INVALID_CLIENT", "F", ActionStop},
		{"SIGNATURE_INVALID", "F", ActionStop},
		{"INVALID_SIGNATURE", "F", ActionStop},
		{"KEY_NOT_FOUND", "F", ActionStop},
		{"NO_INTERFACE_DEF", "F", ActionStop},
		{"INVALID_API", "F", ActionStop},
		{"METHOD_NOT_SUPPORTED", "F", ActionAlert},
		{"MEDIA_TYPE_NOT_ACCEPTABLE", "F", ActionAlert},
		{"REPEAT_REQ_INCONSISTENT", "F", ActionAlert},
	}
	with := func(extra ...row) []row {
		out := append([]row(nil), common...)
		for _, e := range extra {
			replaced := false
			for i := range out {
				if out[i].code == e.code {
					out[i], replaced = e, true
				}
			}
			if !replaced {
				out = append(out, e)
			}
		}
		return out
	}
	registration := with(
		row{"UNKNOWN_EXCEPTION", "U", ActionRepeat},
		row{"REPEAT_REGISTRATION", "F", ActionAlert},
		row{"RECORD_NOT_FOUND", "F", ActionAlert},
	)
	tables := map[API][]row{
		APIPay: with(
			row{"PAYMENT_IN_PROCESS", "U", ActionInquire},
			row{"INVALID_PAYMENT_CODE", "F", ActionNewCode},
			row{"INVALID_CODE", "F", ActionNewCode},
			row{"EXPIRED_CODE", "F", ActionNewCode},
			row{"USER_PAYMENT_VERIFICATION_FAILED", "F", ActionDecline},
			row{"USER_BALANCE_NOT_ENOUGH", "F", ActionDecline},
			row{"USER_AMOUNT_EXCEED_LIMIT", "F", ActionDecline},
			row{"PAYMENT_AMOUNT_EXCEED_LIMIT", "F", ActionDecline},
			row{"PAYMENT_COUNT_EXCEED_LIMIT", "F", ActionDecline},
			row{"USER_STATUS_ABNORMAL", "F", ActionDecline},
			row{"USER_KYC_NOT_QUALIFIED", "F", ActionDecline},
			row{"RISK_REJECT", "F", ActionDecline},
			row{"FRAUD_REJECT", "F", ActionDecline},
			row{"INVALID_MERCHANT_STATUS", "F", ActionStop},
			row{"MERCHANT_KYB_NOT_QUALIFIED", "F", ActionStop},
			row{"MERCHANT_NOT_REGISTERED", "F", ActionStop},
			row{"INVALID_CONTRACT", "F", ActionStop},
			row{"SETTLE_CONTRACT_NOT_MATCH", "F", ActionStop},
			row{"CURRENCY_NOT_SUPPORT", "F", ActionStop},
			row{"ORDER_IS_CLOSED", "F", ActionDecline},
			row{"ORDER_IS_CANCELED", "F", ActionDecline},
			row{"PROCESS_FAIL", "F", ActionDecline},
			row{"ORDER_NOT_EXIST", "F", ActionDecline},
		),
		APIInquiryPayment: with(
			row{"ORDER_NOT_EXIST", "F", ActionInquire},
			row{"PROCESS_FAIL", "F", ActionAlert},
		),
		APICancel: with(
			row{"UNKNOWN_EXCEPTION", "U", ActionRepeat},
			row{"CANCEL_WINDOW_EXCEED", "F", ActionRefundInstead},
			row{"ORDER_NOT_EXIST", "F", ActionInquire},
			row{"ORDER_STATUS_INVALID", "F", ActionInquire},
			row{"PROCESS_FAIL", "F", ActionAlert},
		),
		APIRefund: with(
			row{"UNKNOWN_EXCEPTION", "U", ActionRepeat},
			row{"ORDER_IS_CANCELED", "F", ActionDecline},
			row{"ORDER_NOT_EXIST", "F", ActionAlert},
			row{"ORDER_STATUS_INVALID", "F", ActionInquire},
			row{"REFUND_AMOUNT_EXCEED", "F", ActionDecline},
			row{"REFUND_WINDOW_EXCEED", "F", ActionDecline},
			row{"CURRENCY_NOT_SUPPORT", "F", ActionAlert},
			row{"INVALID_MERCHANT_STATUS", "F", ActionStop},
			row{"PROCESS_FAIL", "F", ActionAlert},
		),
		APIInquiryRefund: with(
			row{"ORDER_NOT_EXIST", "F", ActionInquire},
			row{"PROCESS_FAIL", "F", ActionAlert},
		),
		APIRegistration:              registration,
		APIInquiryRegistrationStatus: registration,
		APIInquiryRegistrationInfo:   registration,
	}
	for _, api := range APIs {
		rows, ok := tables[api]
		if !ok {
			t.Fatalf("no expectations for %s", api)
		}
		for _, r := range rows {
			got := LookupCode(api, r.code, r.status)
			if !got.Listed || got.Status != r.status || got.Action != r.action || got.Meaning == "" {
				t.Errorf("%s %s/%s = %+v, want listed %s", api.Name(), r.code, r.status, got, r.action)
			}
		}
		if decoders[api] == nil {
			t.Errorf("%s has no reply decoder", api.Name())
		}
		// Nothing listed in the package that the reference does not have.
		if n := len(codeTables[api]); n != len(rows) {
			t.Errorf("%s: package lists %d codes, reference %d", api.Name(), n, len(rows))
		}
	}
}

func TestLookupCodeFallsBackToStatus(t *testing.T) {
	tests := []struct {
		api    API
		code   string
		status ResultStatus
		want   Action
	}{
		{APIPay, "SOME_NEW_CODE", "F", ActionDecline},
		{APIPay, "SOME_NEW_CODE", "U", ActionInquire},
		{APIPay, "SOME_NEW_CODE", "S", ActionProceed},
		{APIPay, "INVALID_PAYMENT_CODE", "U", ActionInquire}, // listed as F, came as U: status wins
		{APIInquiryPayment, "SOME_NEW_CODE", "F", ActionAlert},
		{APIInquiryPayment, "SOME_NEW_CODE", "U", ActionInquire},
		{APICancel, "SOME_NEW_CODE", "F", ActionAlert},
		{APICancel, "SOME_NEW_CODE", "U", ActionRepeat},
		{APIRefund, "SOME_NEW_CODE", "F", ActionDecline},
		{APIRefund, "SOME_NEW_CODE", "U", ActionRepeat},
		{APIInquiryRefund, "SOME_NEW_CODE", "U", ActionInquire},
		{APIRegistration, "SOME_NEW_CODE", "F", ActionAlert},
		{APIInquiryRegistrationInfo, "SOME_NEW_CODE", "U", ActionRepeat},
	}
	for _, tt := range tests {
		got := LookupCode(tt.api, tt.code, tt.status)
		if got.Listed || got.Action != tt.want || got.Status != tt.status {
			t.Errorf("%s %s/%s = %+v, want unlisted %s", tt.api.Name(), tt.code, tt.status, got, tt.want)
		}
	}
}

func TestActionAndAPINames(t *testing.T) {
	seen := map[string]bool{}
	for a := ActionProceed; a <= ActionRefundInstead; a++ {
		if s := a.String(); s == "" || seen[s] {
			t.Errorf("action %d has name %q", a, s)
		} else {
			seen[s] = true
		}
	}
	if got := Action(99).String(); got != "action(99)" {
		t.Errorf("Action(99) = %q", got)
	}
	if APIInquiryRegistrationInfo.Name() != "inquiryRegistrationInfo" || !APIPay.Known() || API("/v1/x").Known() {
		t.Error("API helpers")
	}
}
