package alipay

import "fmt"

// Action is what a result code tells the caller to do next.
type Action uint8

const (
	// ActionProceed: the call succeeded; read the response (for an inquiry,
	// the inquired status decides).
	ActionProceed Action = iota
	// ActionInquire: the payment's fate is not known: poll inquiryPayment
	// (or inquiryRefund) on the schedule, and cancel at its end.
	ActionInquire
	// ActionRepeat: send the identical request again with the same id
	// (the documented reaction to U on cancel, refund and registration).
	ActionRepeat
	// ActionBackOff: rate limited: wait at least a second (double the
	// polling interval), then inquire or repeat with the same id, never a new id.
	ActionBackOff
	// ActionNewCode: the customer's payment code was refused: ask for a
	// fresh code and start a new attempt with a new paymentRequestId.
	ActionNewCode
	// ActionDecline: final refusal: show it; a new attempt needs a new id.
	ActionDecline
	// ActionAlert: configuration, merchant status or a local bug: alert the
	// operator and do not retry automatically.
	ActionAlert
	// ActionRefundInstead: the cancel window has passed: inquire, and if
	// the payment succeeded, refund it.
	ActionRefundInstead
	// ActionStop: the merchant's account or posd's configuration is wrong
	// (not registered, restricted, no contract, unknown client id or key,
	// wrong path): every payment would fail alike, so stop taking new ones
	// and tell the operator in plain words; resolve the ones under way.
	// A customer's decline is never ActionStop.
	ActionStop
)

var actionNames = [...]string{
	ActionProceed: "proceed", ActionInquire: "inquire", ActionRepeat: "repeat",
	ActionBackOff: "back_off", ActionNewCode: "new_code", ActionDecline: "decline",
	ActionAlert: "alert", ActionRefundInstead: "refund_instead", ActionStop: "stop",
}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// CodeInfo describes one result code of one API.
type CodeInfo struct {
	Status  ResultStatus // the status AMS pairs with the code
	Action  Action
	Meaning string // for people: logs, operator screens
	Listed  bool   // false when the code is not in the table and Status decided
}

type codeRow struct {
	code    string
	status  ResultStatus
	action  Action
	meaning string
}

// Codes every API may return (reference §8.5, auth and transport rows).
var commonCodes = []codeRow{
	{CodeSuccess, StatusSuccess, ActionProceed, "success"},
	{CodeUnknownException, StatusUnknown, ActionInquire, "unknown error at the platform"},
	{CodeRequestTrafficExceedLimit, StatusUnknown, ActionBackOff, "rate limited"},
	{CodeParamIllegal, StatusFailure, ActionAlert, "request failed validation at the platform"},
	{CodeAccessDenied, StatusFailure, ActionStop, "not allowed for this merchant"},
	{CodeClientInvalid, StatusFailure, ActionStop, "client id not recognised"},
	{CodeInvalidClient, StatusFailure, ActionStop, "client id not recognised"},
	{CodeSignatureInvalid, StatusFailure, ActionStop, "request signature rejected: check key, keyVersion and path"},
	{CodeInvalidSignature, StatusFailure, ActionStop, "request signature rejected: check key, keyVersion and path"},
	{CodeKeyNotFound, StatusFailure, ActionStop, "no public key uploaded for that keyVersion"},
	{CodeNoInterfaceDef, StatusFailure, ActionStop, "no such API: check the path"},
	{CodeInvalidAPI, StatusFailure, ActionStop, "no such API: check the path"},
	{CodeMethodNotSupported, StatusFailure, ActionAlert, "HTTP method not supported"},
	{CodeMediaTypeNotAcceptable, StatusFailure, ActionAlert, "Content-Type not accepted"},
	{CodeRepeatReqInconsistent, StatusFailure, ActionAlert, "request id reused with different data: local bug"},
}

// pay, all three scenarios (https://docs.antom.com/ac/ams/upm; reference §8.5).
var payCodes = []codeRow{
	{CodePaymentInProcess, StatusUnknown, ActionInquire, "buyer still confirming or payment processing"},
	{CodeInvalidPaymentCode, StatusFailure, ActionNewCode, "payment code invalid or not supported"},
	{CodeInvalidCode, StatusFailure, ActionNewCode, "payment code invalid (older name)"},
	{CodeExpiredCode, StatusFailure, ActionNewCode, "payment code expired"},
	{CodeUserPaymentVerificationFailed, StatusFailure, ActionDecline, "buyer failed PIN or OTP verification"},
	{CodeUserBalanceNotEnough, StatusFailure, ActionDecline, "insufficient funds"},
	{CodeUserAmountExceedLimit, StatusFailure, ActionDecline, "above the buyer's limit"},
	{CodePaymentAmountExceedLimit, StatusFailure, ActionDecline, "above the merchant or method amount limit"},
	{CodePaymentCountExceedLimit, StatusFailure, ActionDecline, "too many payments for the method"},
	{CodeUserStatusAbnormal, StatusFailure, ActionDecline, "buyer account restricted"},
	{CodeUserKYCNotQualified, StatusFailure, ActionDecline, "buyer account not verified"},
	{CodeRiskReject, StatusFailure, ActionDecline, "declined by risk control"},
	{CodeFraudReject, StatusFailure, ActionDecline, "declined by risk control"},
	{CodeInvalidMerchantStatus, StatusFailure, ActionStop, "merchant restricted"},
	{CodeMerchantKYBNotQualified, StatusFailure, ActionStop, "merchant KYB incomplete"},
	{CodeMerchantNotRegistered, StatusFailure, ActionStop, "merchant or store not registered"},
	{CodeInvalidContract, StatusFailure, ActionStop, "no contract for this payment"},
	{CodeSettleContractNotMatch, StatusFailure, ActionStop, "settlement contract mismatch"},
	{CodeCurrencyNotSupport, StatusFailure, ActionStop, "currency not supported by the contract"},
	{CodeOrderIsClosed, StatusFailure, ActionDecline, "payment already closed"},
	{CodeOrderIsCanceled, StatusFailure, ActionDecline, "payment already cancelled"},
	{CodeProcessFail, StatusFailure, ActionDecline, "general business failure"},
	{CodeOrderNotExist, StatusFailure, ActionDecline, "no such payment"},
}

// inquiryPayment (https://docs.antom.com/ac/ams/paymentri): the result
// concerns the inquiry, so a rejected inquiry leaves the payment unknown.
var inquiryPaymentCodes = []codeRow{
	{CodeOrderNotExist, StatusFailure, ActionInquire, "no payment under that id yet: keep polling, cancel at the end"},
	{CodeProcessFail, StatusFailure, ActionAlert, "inquiry failed: payment still unknown"},
}

// cancel (https://docs.antom.com/ac/ams/paymentc).
var cancelCodes = []codeRow{
	{CodeUnknownException, StatusUnknown, ActionRepeat, "unknown: repeat the same cancel"},
	{CodeCancelWindowExceed, StatusFailure, ActionRefundInstead, "outside the cancel window"},
	{CodeOrderNotExist, StatusFailure, ActionInquire, "no payment under that id: confirm by inquiry after expiry"},
	{CodeOrderStatusInvalid, StatusFailure, ActionInquire, "payment cannot be cancelled in its state: inquire"},
	{CodeProcessFail, StatusFailure, ActionAlert, "cancel failed"},
}

// refund (https://docs.antom.com/ac/ams/refund).
var refundCodes = []codeRow{
	{CodeUnknownException, StatusUnknown, ActionRepeat, "unknown: repeat the same refund or inquire"},
	{CodeOrderIsCanceled, StatusFailure, ActionDecline, "payment was cancelled: nothing to refund"},
	{CodeOrderNotExist, StatusFailure, ActionAlert, "no payment with that paymentId"},
	{CodeOrderStatusInvalid, StatusFailure, ActionInquire, "payment not successful (yet)"},
	{CodeRefundAmountExceed, StatusFailure, ActionDecline, "refunds would exceed the payment"},
	{CodeRefundWindowExceed, StatusFailure, ActionDecline, "too late to refund"},
	{CodeCurrencyNotSupport, StatusFailure, ActionAlert, "currency not supported"},
	{CodeInvalidMerchantStatus, StatusFailure, ActionStop, "merchant restricted"},
	{CodeProcessFail, StatusFailure, ActionAlert, "refund failed"},
}

// inquiryRefund (https://docs.antom.com/ac/ams/ir).
var inquiryRefundCodes = []codeRow{
	{CodeOrderNotExist, StatusFailure, ActionInquire, "no refund under that id yet"},
	{CodeProcessFail, StatusFailure, ActionAlert, "inquiry failed: refund still unknown"},
}

// registration and its inquiries (https://docs.antom.com/ac/ams/registration,
// https://docs.antom.com/ac/ams/irs, https://docs.antom.com/ac/ams/iri).
var registrationCodes = []codeRow{
	{CodeUnknownException, StatusUnknown, ActionRepeat, "unknown: repeat the same request"},
	{CodeRepeatRegistration, StatusFailure, ActionAlert, "merchant already registered"},
	{CodeRecordNotFound, StatusFailure, ActionAlert, "no registration for those ids"},
}

var codeTables = func() map[API]map[string]CodeInfo {
	build := func(extra []codeRow) map[string]CodeInfo {
		m := make(map[string]CodeInfo, len(commonCodes)+len(extra))
		for _, rows := range [][]codeRow{commonCodes, extra} {
			for _, r := range rows {
				m[r.code] = CodeInfo{Status: r.status, Action: r.action, Meaning: r.meaning, Listed: true}
			}
		}
		return m
	}
	return map[API]map[string]CodeInfo{
		APIPay:                       build(payCodes),
		APIInquiryPayment:            build(inquiryPaymentCodes),
		APICancel:                    build(cancelCodes),
		APIRefund:                    build(refundCodes),
		APIInquiryRefund:             build(inquiryRefundCodes),
		APIRegistration:              build(registrationCodes),
		APIInquiryRegistrationStatus: build(registrationCodes),
		APIInquiryRegistrationInfo:   build(registrationCodes),
	}
}()

// LookupCode says what a result code of api means and what to do. A code
// the table does not list, or one that arrives with a different status than
// listed, is judged by status alone (reference §7: codes change over time,
// resultStatus does not).
func LookupCode(api API, code string, status ResultStatus) CodeInfo {
	if info, ok := codeTables[api][code]; ok && info.Status == status {
		return info
	}
	return CodeInfo{Status: status, Action: statusAction(api, status), Meaning: "acting on resultStatus " + string(status)}
}

// statusAction is the action for a code the table does not know.
func statusAction(api API, status ResultStatus) Action {
	inquiry := api == APIInquiryPayment || api == APIInquiryRefund
	switch {
	case status == StatusSuccess:
		return ActionProceed
	case status == StatusFailure && (inquiry || api == APICancel || api == APIRegistration ||
		api == APIInquiryRegistrationStatus || api == APIInquiryRegistrationInfo):
		return ActionAlert // the payment (or registration) itself is unaffected or unknown
	case status == StatusFailure:
		return ActionDecline
	case api == APIPay || inquiry:
		return ActionInquire
	default:
		return ActionRepeat
	}
}
