package lang

import "github.com/posd/posd/alipay"

// Words is what people are told about a result code: Cashier for the till,
// Customer for the customer display. Both are catalog keys (English).
type Words struct {
	Cashier  string
	Customer string
}

// Generic words for a code the table does not list: people get a sentence,
// the code stays in the logs.
var genericDecline = Words{"Alipay declined the payment", "Please try again or pay another way"}

// setupTrouble is what a merchant-side refusal tells people: the customer
// can do nothing about it, the cashier must call the manager.
var setupTrouble = Words{"Till not set up for Alipay: call the manager", "Please pay at another till"}

// codeWords covers every pay and inquiry result code of alipay/codes.go
// that can end a payment in front of a customer
// (https://docs.antom.com/ac/ams/upm, https://docs.antom.com/ac/ams/paymentri).
var codeWords = map[string]Words{
	alipay.CodePaymentInProcess:              {"Customer is confirming in Alipay", "Please confirm in your Alipay app"},
	alipay.CodeUserBalanceNotEnough:          {"Insufficient balance", "Insufficient balance"},
	alipay.CodeExpiredCode:                   {"Payment code expired: ask for a new one", "Your payment code expired: please refresh it"},
	alipay.CodeInvalidPaymentCode:            {"Payment code not valid: ask for a new one", "Please show your Alipay payment code"},
	alipay.CodeInvalidCode:                   {"Payment code not valid: ask for a new one", "Please show your Alipay payment code"},
	alipay.CodeUserPaymentVerificationFailed: {"Customer did not pass verification", "Verification failed"},
	alipay.CodeUserAmountExceedLimit:         {"Above the customer's payment limit", "Above your payment limit"},
	alipay.CodePaymentAmountExceedLimit:      {"Above the amount limit", "Above the payment limit"},
	alipay.CodePaymentCountExceedLimit:       {"Too many payments today for this account", "Payment limit reached"},
	alipay.CodeUserStatusAbnormal:            {"Customer's account is restricted", "Your account is restricted"},
	alipay.CodeUserKYCNotQualified:           {"Customer's account is not verified", "Your account is not verified"},
	alipay.CodeRiskReject:                    {"Declined by Alipay risk control", "Please pay another way"},
	alipay.CodeFraudReject:                   {"Declined by Alipay risk control", "Please pay another way"},
	alipay.CodeOrderIsClosed:                 {"Payment closed", "Payment closed"},
	alipay.CodeOrderIsCanceled:               {"Payment cancelled", "Payment cancelled"},
	alipay.CodeProcessFail:                   genericDecline,
	alipay.CodeOrderNotExist:                 genericDecline,
	alipay.CodeInvalidMerchantStatus:         setupTrouble,
	alipay.CodeMerchantKYBNotQualified:       setupTrouble,
	alipay.CodeMerchantNotRegistered:         setupTrouble,
	alipay.CodeInvalidContract:               setupTrouble,
	alipay.CodeSettleContractNotMatch:        setupTrouble,
	alipay.CodeCurrencyNotSupport:            setupTrouble,
	alipay.CodeAccessDenied:                  setupTrouble,
	alipay.CodeClientInvalid:                 setupTrouble,
	alipay.CodeInvalidClient:                 setupTrouble,
	alipay.CodeSignatureInvalid:              setupTrouble,
	alipay.CodeInvalidSignature:              setupTrouble,
	alipay.CodeKeyNotFound:                   setupTrouble,
	alipay.CodeNoInterfaceDef:                setupTrouble,
	alipay.CodeInvalidAPI:                    setupTrouble,
	alipay.CodeParamIllegal:                  setupTrouble,
	alipay.CodeMethodNotSupported:            setupTrouble,
	alipay.CodeMediaTypeNotAcceptable:        setupTrouble,
	alipay.CodeRepeatReqInconsistent:         setupTrouble,
}

// ForCode returns the words for a result code; any code it does not know
// (including "") gets a plain "declined" sentence, never the code itself.
func ForCode(code string) Words {
	if w, ok := codeWords[code]; ok {
		return w
	}
	return genericDecline
}
