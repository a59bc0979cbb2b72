package alipay

import "github.com/posd/posd/money"

// PayRequest is the body of pay for all three in-store scenarios
// (https://docs.antom.com/ac/ams/upm, https://docs.antom.com/ac/ams/oc,
// https://docs.antom.com/ac/ams/ec). EncodePay fills ProductCode,
// PaymentMethod.PaymentMethodType and Order.OrderAmount when left empty.
type PayRequest struct {
	ProductCode        string             `json:"productCode"`
	PaymentRequestID   string             `json:"paymentRequestId"` // idempotency key, <= 64
	Order              Order              `json:"order"`
	PaymentAmount      money.Amount       `json:"paymentAmount"`
	PaymentMethod      PaymentMethod      `json:"paymentMethod"`
	PaymentFactor      PaymentFactor      `json:"paymentFactor"`
	PaymentExpiryTime  Time               `json:"paymentExpiryTime,omitzero"`
	PaymentNotifyURL   string             `json:"paymentNotifyUrl,omitempty"`
	PaymentRedirectURL string             `json:"paymentRedirectUrl,omitempty"` // EntryCode only
	SettlementStrategy SettlementStrategy `json:"settlementStrategy,omitzero"`
	MerchantRegion     string             `json:"merchantRegion,omitempty"`
}

// PayResponse is the reply to pay; which fields appear depends on the scenario.
type PayResponse struct {
	Envelope
	PaymentRequestID string `json:"paymentRequestId"`
	PaymentID        string `json:"paymentId"`
	PaymentDetails
	OrderCodeForm      *OrderCodeForm      `json:"orderCodeForm"`      // OrderCode only
	RedirectActionForm *RedirectActionForm `json:"redirectActionForm"` // EntryCode only
}

// EncodePay validates req and serialises it once. The returned bytes are
// what gets signed, persisted and (re)sent.
func EncodePay(req PayRequest) ([]byte, error) {
	if req.ProductCode == "" {
		req.ProductCode = ProductInStore
	}
	if req.PaymentMethod.PaymentMethodType == "" {
		req.PaymentMethod.PaymentMethodType = PaymentMethodConnectWallet
	}
	if req.Order.OrderAmount == (money.Amount{}) {
		req.Order.OrderAmount = req.PaymentAmount
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	return encodeBody(req)
}

func (req *PayRequest) validate() error {
	var c check
	if req.ProductCode != ProductInStore {
		c.fail("productCode", "must be %s", ProductInStore)
	}
	c.required("paymentRequestId", req.PaymentRequestID, 64)
	c.amount("paymentAmount", req.PaymentAmount)
	if req.Order.OrderAmount != req.PaymentAmount {
		c.fail("order.orderAmount", "must equal paymentAmount (%s), got %s", req.PaymentAmount, req.Order.OrderAmount)
	}
	o := &req.Order
	c.text("order.referenceOrderId", o.ReferenceOrderID, 64)
	c.required("order.orderDescription", o.OrderDescription, 256)
	c.required("order.merchant.referenceMerchantId", o.Merchant.ReferenceMerchantID, 64)
	c.required("order.merchant.merchantName", o.Merchant.MerchantName, 256)
	c.mcc("order.merchant.merchantMCC", o.Merchant.MerchantMCC)
	c.required("order.merchant.store.referenceStoreId", o.Merchant.Store.ReferenceStoreID, 32)
	c.required("order.merchant.store.storeName", o.Merchant.Store.StoreName, 256)
	c.mcc("order.merchant.store.storeMCC", o.Merchant.Store.StoreMCC)
	c.text("order.env.storeTerminalId", o.Env.StoreTerminalID, 64)
	c.text("order.env.userAgent", o.Env.UserAgent, 1024)
	c.text("order.env.clientIp", o.Env.ClientIP, 64)
	if req.PaymentMethod.PaymentMethodType != PaymentMethodConnectWallet {
		c.fail("paymentMethod.paymentMethodType", "must be %s", PaymentMethodConnectWallet)
	}
	switch req.PaymentFactor.InStorePaymentScenario {
	case ScenarioPaymentCode:
		c.required("paymentMethod.paymentMethodId", req.PaymentMethod.PaymentMethodID, 128)
		c.required("order.env.storeTerminalId", o.Env.StoreTerminalID, 64)
		if o.Env.StoreTerminalRequestTime.Time.IsZero() {
			c.fail("order.env.storeTerminalRequestTime", "required for PaymentCode")
		}
		c.absent("paymentRedirectUrl", req.PaymentRedirectURL, "for PaymentCode")
	case ScenarioOrderCode:
		c.absent("paymentMethod.paymentMethodId", req.PaymentMethod.PaymentMethodID, "for OrderCode (the buyer scans the terminal)")
		c.absent("paymentRedirectUrl", req.PaymentRedirectURL, "for OrderCode")
	case ScenarioEntryCode:
		c.absent("paymentMethod.paymentMethodId", req.PaymentMethod.PaymentMethodID, "for EntryCode")
		c.required("order.env.userAgent", o.Env.UserAgent, 1024)
		c.url("paymentRedirectUrl", req.PaymentRedirectURL, true)
	default:
		c.fail("paymentFactor.inStorePaymentScenario", "must be PaymentCode, OrderCode or EntryCode, got %q",
			truncate(string(req.PaymentFactor.InStorePaymentScenario), 32))
	}
	if req.PaymentExpiryTime.Raw != "" {
		c.fail("paymentExpiryTime", "not a time")
	}
	c.url("paymentNotifyUrl", req.PaymentNotifyURL, true)
	if s := req.SettlementStrategy.SettlementCurrency; s != "" && !s.Valid() {
		c.fail("settlementStrategy.settlementCurrency", "unknown currency %q", truncate(string(s), 8))
	}
	c.text("merchantRegion", req.MerchantRegion, 64)
	return c.err
}

// DecodePayResponse parses a verified pay reply.
func DecodePayResponse(body []byte) (*PayResponse, error) { return decodeReply[PayResponse](body) }
