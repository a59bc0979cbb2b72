package amssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// errParam is a request the gateway answers with PARAM_ILLEGAL; its text
// becomes the resultMessage.
type errParam struct{ msg string }

func (e *errParam) Error() string { return e.msg }

func paramf(format string, args ...any) error { return &errParam{msg: fmt.Sprintf(format, args...)} }

// maxDepth bounds nesting; AMS bodies are a few levels deep.
const maxDepth = 16

// parseBody reads a body as one UTF-8 JSON object (https://docs.antom.com/ac/ams/me.md).
// Numbers are kept as text, never floats.
func parseBody(body []byte) (tree, error) {
	if !utf8.Valid(body) {
		return nil, paramf("body is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, paramf("body is not valid JSON")
	}
	if dec.More() {
		return nil, paramf("data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, paramf("body is not a JSON object")
	}
	if depth(v, 0) > maxDepth {
		return nil, paramf("body nested too deeply")
	}
	return tree(m), nil
}

func depth(v any, d int) int {
	if d > maxDepth {
		return d
	}
	deepest := d
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			deepest = max(deepest, depth(e, d+1))
		}
	case []any:
		for _, e := range t {
			deepest = max(deepest, depth(e, d+1))
		}
	}
	return deepest
}

// The requests are built from the checked tree by exact field name, not
// with json.Unmarshal, whose case-insensitive matching would let
// "PaymentRequestId" stand in for a field the rules saw absent.

// text reads a string field the rules already checked.
func (t tree) text(path string) string {
	v, _ := t.lookup(path)
	s, _ := v.(string)
	return s
}

// money reads an Amount the rules already checked.
func (t tree) money(path string) money.Amount {
	v, _ := strconv.ParseInt(t.text(path+".value"), 10, 64)
	return money.Amount{Currency: money.Currency(t.text(path + ".currency")), Value: v}
}

// at reads a Datetime the rules already checked.
func (t tree) at(path string) alipay.Time {
	s := t.text(path)
	if s == "" {
		return alipay.Time{}
	}
	v, _ := time.Parse(time.RFC3339Nano, s)
	return alipay.NewTime(v)
}

// plainURL is a URL field as it will be used: URL-decoded when it came encoded.
func (t tree) plainURL(path string) string {
	s, err := decodedURL(t.text(path))
	if err != nil {
		return "" // the rules refused it already
	}
	return s
}

// payRequest is a checked pay request: the alipay fields the book acts on,
// and what the ledger shows besides.
type payRequest struct {
	alipay.PayRequest
	settlementCurrency string
}

// decodePay reads and checks a pay request.
func decodePay(body []byte, now time.Time) (payRequest, error) {
	t, err := parseBody(body)
	if err != nil {
		return payRequest{}, err
	}
	if err := payRules(t, now); err != nil {
		return payRequest{}, err
	}
	storeMCC := t.text("order.merchant.store.storeMCC")
	if storeMCC == "" {
		storeMCC = t.text("order.merchant.store.storeMcc")
	}
	req := alipay.PayRequest{
		ProductCode:      t.text("productCode"),
		PaymentRequestID: t.text("paymentRequestId"),
		Order: alipay.Order{
			ReferenceOrderID: t.text("order.referenceOrderId"),
			OrderDescription: t.text("order.orderDescription"),
			OrderAmount:      t.money("order.orderAmount"),
			Merchant: alipay.Merchant{
				ReferenceMerchantID: t.text("order.merchant.referenceMerchantId"),
				MerchantName:        t.text("order.merchant.merchantName"),
				MerchantMCC:         t.text("order.merchant.merchantMCC"),
				Store: alipay.Store{
					ReferenceStoreID: t.text("order.merchant.store.referenceStoreId"),
					StoreName:        t.text("order.merchant.store.storeName"),
					StoreMCC:         storeMCC,
				},
			},
			Env: alipay.Env{
				StoreTerminalID:          t.text("order.env.storeTerminalId"),
				StoreTerminalRequestTime: t.at("order.env.storeTerminalRequestTime"),
				UserAgent:                t.text("order.env.userAgent"),
				ClientIP:                 t.text("order.env.clientIp"),
			},
		},
		PaymentAmount: t.money("paymentAmount"),
		PaymentMethod: alipay.PaymentMethod{
			PaymentMethodType: t.text("paymentMethod.paymentMethodType"),
			PaymentMethodID:   t.text("paymentMethod.paymentMethodId"),
		},
		PaymentFactor:      alipay.PaymentFactor{InStorePaymentScenario: alipay.Scenario(t.text("paymentFactor.inStorePaymentScenario"))},
		PaymentExpiryTime:  t.at("paymentExpiryTime"),
		PaymentNotifyURL:   t.plainURL("paymentNotifyUrl"),
		PaymentRedirectURL: t.plainURL("paymentRedirectUrl"),
		MerchantRegion:     t.text("merchantRegion"),
	}
	return payRequest{PayRequest: req, settlementCurrency: t.text("settlementStrategy.settlementCurrency")}, nil
}

// decodeLookup reads inquiryPayment and cancel requests.
func decodeLookup(body []byte) (requestID, paymentID string, err error) {
	t, err := parseBody(body)
	if err != nil {
		return "", "", err
	}
	if err := paymentLookupRules(t); err != nil {
		return "", "", err
	}
	return t.text("paymentRequestId"), t.text("paymentId"), nil
}

func decodeRefund(body []byte) (alipay.RefundRequest, error) {
	t, err := parseBody(body)
	if err != nil {
		return alipay.RefundRequest{}, err
	}
	if err := refundRules(t); err != nil {
		return alipay.RefundRequest{}, err
	}
	return alipay.RefundRequest{
		RefundRequestID:   t.text("refundRequestId"),
		PaymentID:         t.text("paymentId"),
		ReferenceRefundID: t.text("referenceRefundId"),
		RefundAmount:      t.money("refundAmount"),
		RefundReason:      t.text("refundReason"),
	}, nil
}

func decodeInquiryRefund(body []byte) (alipay.InquiryRefundRequest, error) {
	t, err := parseBody(body)
	if err != nil {
		return alipay.InquiryRefundRequest{}, err
	}
	if err := inquiryRefundRules(t); err != nil {
		return alipay.InquiryRefundRequest{}, err
	}
	return alipay.InquiryRefundRequest{RefundRequestID: t.text("refundRequestId"), RefundID: t.text("refundId")}, nil
}

func decodeRegistrationStatus(body []byte) (alipay.InquiryRegistrationStatusRequest, error) {
	t, err := parseBody(body)
	if err != nil {
		return alipay.InquiryRegistrationStatusRequest{}, err
	}
	if err := registrationStatusRules(t); err != nil {
		return alipay.InquiryRegistrationStatusRequest{}, err
	}
	return alipay.InquiryRegistrationStatusRequest{ReferenceMerchantID: t.text("referenceMerchantId"),
		RegistrationRequestID: t.text("registrationRequestId"), ReferenceStoreID: t.text("referenceStoreId")}, nil
}

func decodeRegistrationInfo(body []byte) (alipay.InquiryRegistrationInfoRequest, error) {
	t, err := parseBody(body)
	if err != nil {
		return alipay.InquiryRegistrationInfoRequest{}, err
	}
	if err := registrationInfoRules(t); err != nil {
		return alipay.InquiryRegistrationInfoRequest{}, err
	}
	return alipay.InquiryRegistrationInfoRequest{ReferenceMerchantID: t.text("referenceMerchantId"), ReferenceStoreID: t.text("referenceStoreId")}, nil
}

// decodeRegistration checks a registration and decodes the whole merchant
// description (kept and echoed by inquiryRegistrationInfo).
func decodeRegistration(body []byte) (alipay.RegistrationRequest, error) {
	var req alipay.RegistrationRequest
	t, err := parseBody(body)
	if err != nil {
		return req, err
	}
	if err := registrationRules(t); err != nil {
		return req, err
	}
	if err := json.Unmarshal(body, &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return req, paramf("%s has the wrong type", truncate(typeErr.Field, 80))
		}
		return req, paramf("%s", truncate(strings.TrimPrefix(err.Error(), "alipay: "), 120))
	}
	// The identifying fields come from the checked tree, by exact name.
	req.RegistrationRequestID = t.text("registrationRequestId")
	req.RegistrationNotifyURL = t.plainURL("registrationNotifyURL")
	req.MerchantInfo.ReferenceMerchantID = t.text("merchantInfo.referenceMerchantId")
	return req, nil
}
