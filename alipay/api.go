package alipay

// API names an AMS endpoint by its versioned path below the environment
// prefix, e.g. "/v1/payments/pay". The full request path is
// prefix + endpoint: "/ams/api/v1/payments/pay". Its string form is what
// an outbox persists.
type API string

// The in-store endpoints posd calls (https://docs.antom.com/ac/ams).
const (
	APIPay                       API = "/v1/payments/pay"                        // https://docs.antom.com/ac/ams/upm
	APIInquiryPayment            API = "/v1/payments/inquiryPayment"             // https://docs.antom.com/ac/ams/paymentri
	APICancel                    API = "/v1/payments/cancel"                     // https://docs.antom.com/ac/ams/paymentc
	APIRefund                    API = "/v1/payments/refund"                     // https://docs.antom.com/ac/ams/refund
	APIInquiryRefund             API = "/v1/payments/inquiryRefund"              // https://docs.antom.com/ac/ams/ir
	APIRegistration              API = "/v1/merchants/registration"              // https://docs.antom.com/ac/ams/registration
	APIInquiryRegistrationStatus API = "/v1/merchants/inquiryRegistrationStatus" // https://docs.antom.com/ac/ams/irs
	APIInquiryRegistrationInfo   API = "/v1/merchants/inquiryRegistrationInfo"   // https://docs.antom.com/ac/ams/iri
)

// APIs lists every endpoint the client calls, in a stable order.
var APIs = []API{
	APIPay, APIInquiryPayment, APICancel, APIRefund, APIInquiryRefund,
	APIRegistration, APIInquiryRegistrationStatus, APIInquiryRegistrationInfo,
}

// Known reports whether a is one of APIs.
func (a API) Known() bool {
	for _, k := range APIs {
		if a == k {
			return true
		}
	}
	return false
}

// Name is the endpoint's last path element ("pay", "inquiryPayment"), for logs.
func (a API) Name() string {
	s := string(a)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[i+1:]
		}
	}
	return s
}

// Path prefixes. The SDKs send client ids beginning with SandboxClientPrefix
// to the sandbox prefix, for every API; the in-store docs show the
// production prefix for the sandbox too, so the prefix is configurable
// (https://docs.antom.com/ac/ams/api_fund).
const (
	PrefixProduction    = "/ams/api"
	PrefixSandbox       = "/ams/sandbox/api"
	SandboxClientPrefix = "SANDBOX_"
)

// Gateway hosts (https://docs.antom.com/ac/ams/api_fund). The platform may
// move them, so they are configuration defaults, not fixed.
const (
	HostNorthAmerica   = "https://open-na-global.alipay.com"
	HostNorthAmericaUS = "https://open.antglobal-us.com"
	HostAsia           = "https://open-sea-global.alipay.com"
	HostEurope         = "https://open-de-global.alipay.com"
)

// ProductInStore is the productCode of every in-store payment.
const ProductInStore = "IN_STORE_PAYMENT"

// PaymentMethodConnectWallet is the paymentMethodType of in-store payments.
const PaymentMethodConnectWallet = "CONNECT_WALLET"
