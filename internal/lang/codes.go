package lang

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
// that can end a payment in front of a customer, spelled as the gateway
// sends them so that the displays need not link the AMS client (lang_test
// checks them against alipay's constants)
// (https://docs.antom.com/ac/ams/upm, https://docs.antom.com/ac/ams/paymentri).
var codeWords = map[string]Words{
	"PAYMENT_IN_PROCESS":               {"Customer is confirming in Alipay", "Please confirm in your Alipay app"},
	"USER_BALANCE_NOT_ENOUGH":          {"Insufficient balance", "Insufficient balance"},
	"EXPIRED_CODE":                     {"Payment code expired: ask for a new one", "Your payment code expired: please refresh it"},
	"INVALID_PAYMENT_CODE":             {"Payment code not valid: ask for a new one", "Please show your Alipay payment code"},
	"INVALID_CODE":                     {"Payment code not valid: ask for a new one", "Please show your Alipay payment code"},
	"USER_PAYMENT_VERIFICATION_FAILED": {"Customer did not pass verification", "Verification failed"},
	"USER_AMOUNT_EXCEED_LIMIT":         {"Above the customer's payment limit", "Above your payment limit"},
	"PAYMENT_AMOUNT_EXCEED_LIMIT":      {"Above the amount limit", "Above the payment limit"},
	"PAYMENT_COUNT_EXCEED_LIMIT":       {"Too many payments today for this account", "Payment limit reached"},
	"USER_STATUS_ABNORMAL":             {"Customer's account is restricted", "Your account is restricted"},
	"USER_KYC_NOT_QUALIFIED":           {"Customer's account is not verified", "Your account is not verified"},
	"RISK_REJECT":                      {"Declined by Alipay risk control", "Please pay another way"},
	"FRAUD_REJECT":                     {"Declined by Alipay risk control", "Please pay another way"},
	"ORDER_IS_CLOSED":                  {"Payment closed", "Payment closed"},
	"ORDER_IS_CANCELED":                {"Payment cancelled", "Payment cancelled"},
	"PROCESS_FAIL":                     genericDecline,
	"ORDER_NOT_EXIST":                  genericDecline,
	"INVALID_MERCHANT_STATUS":          setupTrouble,
	"MERCHANT_KYB_NOT_QUALIFIED":       setupTrouble,
	"MERCHANT_NOT_REGISTERED":          setupTrouble,
	"INVALID_CONTRACT":                 setupTrouble,
	"SETTLE_CONTRACT_NOT_MATCH":        setupTrouble,
	"CURRENCY_NOT_SUPPORT":             setupTrouble,
	"ACCESS_DENIED":                    setupTrouble,
	"CLIENT_INVALID":                   setupTrouble,
	"INVALID_CLIENT":                   setupTrouble,
	"SIGNATURE_INVALID":                setupTrouble,
	"INVALID_SIGNATURE":                setupTrouble,
	"KEY_NOT_FOUND":                    setupTrouble,
	"NO_INTERFACE_DEF":                 setupTrouble,
	"INVALID_API":                      setupTrouble,
	"PARAM_ILLEGAL":                    setupTrouble,
	"METHOD_NOT_SUPPORTED":             setupTrouble,
	"MEDIA_TYPE_NOT_ACCEPTABLE":        setupTrouble,
	"REPEAT_REQ_INCONSISTENT":          setupTrouble,
}

// ForCode returns the words for a result code; any code it does not know
// (including "") gets a plain "declined" sentence, never the code itself.
func ForCode(code string) Words {
	if w, ok := codeWords[code]; ok {
		return w
	}
	return genericDecline
}
