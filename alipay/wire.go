package alipay

import "github.com/posd/posd/money"

// Objects shared by several AMS messages. Every scalar is a JSON string
// (https://docs.antom.com/ac/ams/me.md); optional fields are omitted, never
// sent empty; unknown fields in replies are ignored.

// Order describes what is being paid for (https://docs.antom.com/ac/ams/upm).
type Order struct {
	ReferenceOrderID string       `json:"referenceOrderId,omitempty"` // merchant order id, <= 64
	OrderDescription string       `json:"orderDescription"`           // shown to the buyer, <= 256
	OrderAmount      money.Amount `json:"orderAmount,omitzero"`       // equals paymentAmount in store; filled in when zero
	Merchant         Merchant     `json:"merchant"`
	Env              Env          `json:"env,omitzero"`
}

// Merchant is the secondary merchant the payment is for; it must be registered.
type Merchant struct {
	ReferenceMerchantID string `json:"referenceMerchantId"` // <= 64
	MerchantName        string `json:"merchantName"`        // <= 256
	MerchantMCC         string `json:"merchantMCC"`         // 4-digit merchant category code
	Store               Store  `json:"store"`
}

// Store is the shop the terminal stands in.
type Store struct {
	ReferenceStoreID string `json:"referenceStoreId"` // <= 32
	StoreName        string `json:"storeName"`        // <= 256
	StoreMCC         string `json:"storeMCC"`         // spelled storeMCC as in the SDK models
}

// Env describes where the request comes from.
type Env struct {
	StoreTerminalID          string `json:"storeTerminalId,omitempty"`         // required for PaymentCode
	StoreTerminalRequestTime Time   `json:"storeTerminalRequestTime,omitzero"` // required for PaymentCode
	UserAgent                string `json:"userAgent,omitempty"`               // required for EntryCode: the wallet's user agent
	ClientIP                 string `json:"clientIp,omitempty"`                // <= 64
}

// PaymentMethod is CONNECT_WALLET; PaymentMethodID carries the scanned
// customer code in user-presented mode only.
type PaymentMethod struct {
	PaymentMethodType string `json:"paymentMethodType"`
	PaymentMethodID   string `json:"paymentMethodId,omitempty"`
}

// Scenario is paymentFactor.inStorePaymentScenario.
type Scenario string

const (
	ScenarioPaymentCode Scenario = "PaymentCode" // cashier scans the customer's code (user-presented mode)
	ScenarioOrderCode   Scenario = "OrderCode"   // customer scans the QR the terminal shows
	ScenarioEntryCode   Scenario = "EntryCode"   // customer scans a static code and enters the amount on a web page
)

// PaymentFactor selects the in-store scenario.
type PaymentFactor struct {
	InStorePaymentScenario Scenario `json:"inStorePaymentScenario"`
}

// SettlementStrategy picks the settlement currency when several contracts could apply.
type SettlementStrategy struct {
	SettlementCurrency money.Currency `json:"settlementCurrency,omitempty"`
}

// Quote is an exchange-rate quote. QuotePrice and Guaranteed are kept as
// text: replies have carried them as bare JSON numbers and booleans.
type Quote struct {
	QuoteID           string `json:"quoteId,omitempty"`
	QuoteCurrencyPair string `json:"quoteCurrencyPair,omitempty"`
	QuotePrice        Text   `json:"quotePrice,omitempty"`
	QuoteStartTime    Time   `json:"quoteStartTime,omitzero"`
	QuoteExpiryTime   Time   `json:"quoteExpiryTime,omitzero"`
	Guaranteed        Text   `json:"guaranteed,omitempty"`
}

// PSPCustomerInfo names the wallet and the (masked) buyer, fit for receipts.
type PSPCustomerInfo struct {
	PSPName           string `json:"pspName,omitempty"`
	PSPCustomerID     string `json:"pspCustomerId,omitempty"`
	DisplayCustomerID string `json:"displayCustomerId,omitempty"`
}

// OrderCodeForm is the code an OrderCode pay returns for the terminal to show.
type OrderCodeForm struct {
	PaymentMethodType string       `json:"paymentMethodType,omitempty"`
	ExpireTime        Time         `json:"expireTime,omitzero"`
	CodeDetails       []CodeDetail `json:"codeDetails,omitempty"`
	ExtendInfo        string       `json:"extendInfo,omitempty"`
}

// CodeDetail is one rendering of an order code.
type CodeDetail struct {
	CodeValue     string `json:"codeValue"`               // TEXT: the text to encode; *IMAGE: an image URL
	CodeValueType string `json:"codeValueType,omitempty"` // QRCODE or BARCODE
	DisplayType   string `json:"displayType,omitempty"`   // TEXT, SMALLIMAGE, MIDDLEIMAGE, BIGIMAGE, IMAGE
}

// QRText returns the text to render as a QR code locally: the TEXT entry of
// type QRCODE. The terminal never fetches the image URLs.
func (f OrderCodeForm) QRText() (string, bool) {
	for _, d := range f.CodeDetails {
		if d.DisplayType == "TEXT" && d.CodeValueType == "QRCODE" && d.CodeValue != "" {
			return d.CodeValue, true
		}
	}
	return "", false
}

// RedirectActionForm is what an EntryCode pay returns: where to send the wallet.
type RedirectActionForm struct {
	Method      string `json:"method,omitempty"`
	RedirectURL string `json:"redirectUrl,omitempty"`
}

// PaymentDetails are the payment fields shared by the pay reply, the
// inquiryPayment reply and notifyPayment.
type PaymentDetails struct {
	PaymentAmount         *money.Amount    `json:"paymentAmount"`
	PaymentCreateTime     Time             `json:"paymentCreateTime"`
	PaymentTime           Time             `json:"paymentTime"` // when the payment reached its final state
	ActualPaymentAmount   *money.Amount    `json:"actualPaymentAmount"`
	PaymentQuote          *Quote           `json:"paymentQuote"`
	GrossSettlementAmount *money.Amount    `json:"grossSettlementAmount"`
	SettlementQuote       *Quote           `json:"settlementQuote"`
	PSPCustomerInfo       *PSPCustomerInfo `json:"pspCustomerInfo"`
}

// Envelope holds the result object every reply carries. It is embedded in
// each response type, so resp.Result works on all of them.
type Envelope struct {
	Result Result `json:"result"`
}

func (e Envelope) envelope() Envelope { return e }
