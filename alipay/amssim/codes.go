package amssim

import (
	"strings"

	"github.com/posd/posd/alipay"
)

// Behaviour is how a payment proceeds without further calls: the test
// payment code decides it in user-presented mode; order and entry codes
// wait for the customer.
type Behaviour string

const (
	BehaviourPaid             Behaviour = "paid"                   // paid at once
	BehaviourInsufficient     Behaviour = "insufficient-balance"   // F USER_BALANCE_NOT_ENOUGH
	BehaviourInvalidCode      Behaviour = "invalid-code"           // F INVALID_PAYMENT_CODE
	BehaviourExpiredCode      Behaviour = "expired-code"           // F EXPIRED_CODE
	BehaviourPasswordPaid     Behaviour = "password-then-paid"     // U PAYMENT_IN_PROCESS, then SUCCESS
	BehaviourPasswordDeclined Behaviour = "password-then-declined" // U PAYMENT_IN_PROCESS, then FAIL
	BehaviourNoAnswer         Behaviour = "no-answer"              // U PAYMENT_IN_PROCESS, PROCESSING until cancelled
	BehaviourCustomer         Behaviour = "customer"               // OrderCode/EntryCode: the customer decides
)

// TestCode is one documented user-presented payment code.
type TestCode struct {
	Code      string
	Behaviour Behaviour
	Reply     string // what pay answers
	Then      string // what inquiryPayment reports afterwards
}

// TestCodes lists the payment codes with a fixed behaviour. Every other
// 18-digit code pays at once; anything that is not 18 digits is refused
// with INVALID_PAYMENT_CODE.
func TestCodes() []TestCode {
	return []TestCode{
		{"280000000000000001", BehaviourPaid, "S SUCCESS", "SUCCESS"},
		{"280000000000000002", BehaviourInsufficient, "F USER_BALANCE_NOT_ENOUGH", "FAIL"},
		{"280000000000000003", BehaviourInvalidCode, "F INVALID_PAYMENT_CODE", "FAIL"},
		{"280000000000000004", BehaviourExpiredCode, "F EXPIRED_CODE", "FAIL"},
		{"280000000000000005", BehaviourPasswordPaid, "U PAYMENT_IN_PROCESS", "PROCESSING, SUCCESS after the password delay (5 s scaled)"},
		{"280000000000000006", BehaviourPasswordDeclined, "U PAYMENT_IN_PROCESS", "PROCESSING, FAIL USER_PAYMENT_VERIFICATION_FAILED after the password delay"},
		{"280000000000000007", BehaviourNoAnswer, "U PAYMENT_IN_PROCESS", "PROCESSING until cancelled (never expires)"},
	}
}

// Test payment codes, for tests and demos.
const (
	CodePaid             = "280000000000000001"
	CodeInsufficient     = "280000000000000002"
	CodeInvalid          = "280000000000000003"
	CodeExpired          = "280000000000000004"
	CodePasswordPaid     = "280000000000000005"
	CodePasswordDeclined = "280000000000000006"
	CodeNoAnswer         = "280000000000000007"
)

// behaviourOf maps a scanned payment code to its behaviour.
func behaviourOf(code string) Behaviour {
	for _, tc := range TestCodes() {
		if tc.Code == code {
			return tc.Behaviour
		}
	}
	if len(code) != 18 || strings.Trim(code, "0123456789") != "" {
		return BehaviourInvalidCode
	}
	return BehaviourPaid
}

// Sandbox trigger amounts of the ams-java-sdk README (reference §9.10),
// honoured when Config.SandboxAmounts is set.
const (
	sandboxPayUnknown     = 9901 // pay answers U UNKNOWN_EXCEPTION (the payment is made)
	sandboxPayTimeout     = 9902 // pay is made, the reply never comes
	sandboxInquiryUnknown = 9903 // inquiries answer U UNKNOWN_EXCEPTION
	sandboxInquiryTimeout = 9904 // inquiries never answer
)

// failure codes the simulator reports in paymentResultCode.
const (
	codeCustomerDeclined = alipay.CodeUserPaymentVerificationFailed
	// codeRefundInProcess is the U code of a refund accepted but not yet
	// done, as the online refund page names it
	// (https://docs.antom.com/ac/ams/refund_online).
	codeRefundInProcess = "REFUND_IN_PROCESS"
)
