package amssim

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/posd/posd/money"
)

// The gateway's own field rules, written from the API pages, not from the
// alipay client: a rule the client gets wrong must not pass here too. Each
// rule names its page. A request is a decoded JSON tree (tree); rules read
// it by dotted path and report the first problem as PARAM_ILLEGAL with the
// field named. Fields the rules do not know are ignored, whatever their
// JSON type, as the gateway ignores unknown fields.
//
// Every API page opens with the same note: "Set the data type of each
// field (except array) as String" (e.g. https://docs.antom.com/ac/ams/upm).
// So a documented String field must be a JSON string; the few fields the
// pages type as Boolean or Integer (paymentFactor.isAuthorization,
// env.timeZoneOffset) are also accepted as bare JSON values, because the
// official SDKs send them that way (global-open-sdk-go model
// PaymentFactor.IsAuthorization is a bool, Env.TimeZoneOffset an int).

// tree is a request body decoded with UseNumber: map[string]any, []any,
// string, json.Number, bool or nil.
type tree map[string]any

// lookup walks a dotted path; a JSON null counts as absent.
func (t tree) lookup(path string) (any, bool) {
	var cur any = map[string]any(t)
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok || cur == nil {
			return nil, false
		}
	}
	return cur, true
}

// rules collects the first problem found in one request.
type rules struct {
	t   tree
	err error
}

func (r *rules) fail(path, format string, args ...any) {
	if r.err == nil {
		r.err = paramf("%s: "+format, append([]any{path}, args...)...)
	}
}

// str reads a String field. An empty string counts as absent: the pages
// ask to omit unused fields (https://docs.antom.com/ac/ams/me.md).
func (r *rules) str(path string, required bool, maxChars int) string {
	v, ok := r.t.lookup(path)
	if !ok {
		if required {
			r.fail(path, "required")
		}
		return ""
	}
	s, isString := v.(string)
	switch {
	case !isString:
		r.fail(path, "must be a JSON string (the API types it String)")
	case s == "" && required:
		r.fail(path, "required")
	case maxChars > 0 && utf8.RuneCountInString(s) > maxChars:
		r.fail(path, "%d characters, at most %d allowed", utf8.RuneCountInString(s), maxChars)
	}
	return s
}

// object checks a field that must be a JSON object when present.
func (r *rules) object(path string, required bool) bool {
	v, ok := r.t.lookup(path)
	if !ok {
		if required {
			r.fail(path, "required")
		}
		return false
	}
	if _, isObject := v.(map[string]any); !isObject {
		r.fail(path, "must be a JSON object")
		return false
	}
	return true
}

// requestID is an idempotency key: at most 64 characters, and no special
// characters (https://docs.antom.com/ac/ams/ir says so of refundRequestId;
// amssim holds every merchant request id to it).
func (r *rules) requestID(path string, required bool) string {
	s := r.str(path, required, 64)
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			r.fail(path, "special character %q: only letters, digits, '_' and '-'", c)
			break
		}
	}
	return s
}

// enum checks a String field against its documented values.
func (r *rules) enum(path string, required bool, values ...string) string {
	s := r.str(path, required, 0)
	if s == "" {
		return s
	}
	for _, v := range values {
		if s == v {
			return s
		}
	}
	r.fail(path, "must be one of %s, got %q", strings.Join(values, ", "), truncate(s, 32))
	return s
}

// mcc is a 4-digit merchant category code (https://docs.antom.com/ac/ams/registration).
func (r *rules) mcc(path string, required bool) {
	s := r.str(path, required, 0)
	if s != "" && (len(s) != 4 || strings.Trim(s, "0123456789") != "") {
		r.fail(path, "merchant category code must be 4 digits, got %q", truncate(s, 16))
	}
}

// currency is an ISO 4217 alphabetic code, String(3) (https://docs.antom.com/ac/ref/cc).
// Whether a well-formed code is an active ISO 4217 currency is looked up
// in the ISO table the alipay package keeps: data, not a rule of the
// client's (it is the one thing amssim shares with it).
func (r *rules) currency(path string, required bool) string {
	s := r.str(path, required, 0)
	switch {
	case s == "":
	case len(s) != 3 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		r.fail(path, "must be a 3-letter upper-case ISO 4217 code, got %q", truncate(s, 8))
	case !money.Currency(s).Valid():
		r.fail(path, "%q is not an ISO 4217 currency", s)
	}
	return s
}

// amount is the Amount object (https://docs.antom.com/ac/ref/cc): both
// fields required; value a String(16) positive integer in the currency's
// smallest unit; IDR values end in "00".
func (r *rules) amount(path string, required bool) {
	if !r.object(path, required) {
		return
	}
	cur := r.currency(path+".currency", true)
	v := r.str(path+".value", true, 16)
	switch {
	case v == "":
	case strings.Trim(v, "0123456789") != "":
		r.fail(path+".value", "must be a positive integer in minor units, got %q", truncate(v, 20))
	case strings.TrimLeft(v, "0") == "":
		r.fail(path+".value", "must be positive")
	case v[0] == '0':
		r.fail(path+".value", "leading zero in %q", truncate(v, 20))
	case cur == "IDR" && !strings.HasSuffix(v, "00"):
		r.fail(path+".value", "IDR amounts must end in 00, got %q", truncate(v, 20))
	}
}

// when is a Datetime: ISO 8601 with an offset, e.g.
// "2019-11-27T12:01:01+08:00" (https://docs.antom.com/ac/ams/upm).
func (r *rules) when(path string, required bool) time.Time {
	s := r.str(path, required, 64)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.fail(path, "must be ISO 8601 with an offset, like 2019-11-27T12:01:01+08:00, got %q", truncate(s, 40))
	}
	return t
}

// link is a URL field of at most 2048 characters. It must be an absolute
// http(s) URL; the message-encoding page asks for URL data to be
// URL-encoded (https://docs.antom.com/ac/ams/me.md) while every SDK sends
// it plain, so both forms are accepted. A query string is allowed: no page
// forbids it. It returns the URL as it will be used.
func (r *rules) link(path string, required bool) string {
	s := r.str(path, required, 2048)
	if s == "" {
		return s
	}
	plain, err := decodedURL(s)
	if err != nil {
		r.fail(path, "bad URL encoding")
		return ""
	}
	u, err := url.Parse(plain)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.fail(path, "must be an absolute http(s) URL")
		return ""
	}
	return plain
}

// decodedURL undoes the URL-encoding of a URL sent encoded; a plain one
// is returned as it is.
func decodedURL(s string) (string, error) {
	if lower := strings.ToLower(s); strings.HasPrefix(lower, "https%3a") || strings.HasPrefix(lower, "http%3a") {
		return url.QueryUnescape(s)
	}
	return s, nil
}

// boolean is a field the pages type Boolean: "true"/"false", or the bare
// JSON boolean the SDKs send.
func (r *rules) boolean(path string) {
	v, ok := r.t.lookup(path)
	if !ok {
		return
	}
	switch b := v.(type) {
	case bool:
	case string:
		if b != "true" && b != "false" {
			r.fail(path, "must be true or false, got %q", truncate(b, 16))
		}
	default:
		r.fail(path, "must be a Boolean")
	}
}

// integer is a field the pages type Integer: a decimal string, or the bare
// JSON number the SDKs send.
func (r *rules) integer(path string) {
	v, ok := r.t.lookup(path)
	if !ok {
		return
	}
	var s string
	switch n := v.(type) {
	case json.Number:
		s = n.String()
	case string:
		s = n
	default:
		r.fail(path, "must be an Integer")
		return
	}
	if d := strings.TrimPrefix(s, "-"); d == "" || strings.Trim(d, "0123456789") != "" || len(d) > 18 {
		r.fail(path, "must be an Integer, got %q", truncate(s, 20))
	}
}

// oneOf requires at least one of two fields.
func (r *rules) oneOf(a, b string) {
	_, hasA := r.t.lookup(a)
	_, hasB := r.t.lookup(b)
	if !hasA && !hasB {
		r.fail(a+"/"+b, "one of them is required")
	}
}

// maxOrderCodeExpiry bounds paymentExpiryTime for Order Code: the Order
// Code pay page allows less than 30 minutes (https://docs.antom.com/ac/ams/oc).
const maxOrderCodeExpiry = 30 * time.Minute

// payRules checks a pay request for all three in-store scenarios
// (https://docs.antom.com/ac/ams/upm, https://docs.antom.com/ac/ams/oc,
// https://docs.antom.com/ac/ams/ec; entry-code sample in
// https://global.alipay.com/docs/ac/ams/ec). The children of order are
// marked required as the official SDK validators require them; the pages
// mark order REQUIRED.
func payRules(t tree, now time.Time) error {
	r := &rules{t: t}
	r.enum("productCode", true, "IN_STORE_PAYMENT")
	r.requestID("paymentRequestId", true)
	r.amount("paymentAmount", true)
	if r.object("order", true) {
		r.str("order.referenceOrderId", false, 64)
		r.str("order.orderDescription", true, 256)
		r.amount("order.orderAmount", true)
		if r.object("order.merchant", true) {
			r.str("order.merchant.referenceMerchantId", true, 64)
			r.str("order.merchant.merchantName", true, 256)
			r.mcc("order.merchant.merchantMCC", true)
			if r.object("order.merchant.store", true) {
				r.str("order.merchant.store.referenceStoreId", true, 32)
				r.str("order.merchant.store.storeName", true, 256)
				// The SDK models spell it storeMCC, the entry-code guide's
				// sample storeMcc: either is taken.
				if _, ok := t.lookup("order.merchant.store.storeMcc"); ok {
					r.mcc("order.merchant.store.storeMcc", true)
				} else {
					r.mcc("order.merchant.store.storeMCC", true)
				}
			}
		}
		r.object("order.env", false)
		r.str("order.env.clientIp", false, 64)
		r.integer("order.env.timeZoneOffset")
	}
	if r.object("paymentMethod", true) {
		r.enum("paymentMethod.paymentMethodType", true, "CONNECT_WALLET")
	}
	var scenario string
	if r.object("paymentFactor", true) {
		scenario = r.enum("paymentFactor.inStorePaymentScenario", true, "PaymentCode", "OrderCode", "EntryCode")
		r.boolean("paymentFactor.isAuthorization")
	}
	switch scenario {
	case "PaymentCode":
		r.str("paymentMethod.paymentMethodId", true, 0)
		r.str("order.env.storeTerminalId", true, 64)
		r.when("order.env.storeTerminalRequestTime", true)
	case "EntryCode":
		r.str("order.env.userAgent", true, 0)
		r.link("paymentRedirectUrl", true)
	}
	if scenario != "PaymentCode" {
		r.str("order.env.storeTerminalId", false, 64)
		r.when("order.env.storeTerminalRequestTime", false)
	}
	if expiry := r.when("paymentExpiryTime", false); !expiry.IsZero() && r.err == nil {
		switch {
		case !expiry.After(now):
			r.fail("paymentExpiryTime", "not in the future")
		case scenario == "OrderCode" && expiry.Sub(now) >= maxOrderCodeExpiry:
			r.fail("paymentExpiryTime", "must be less than 30 minutes away for OrderCode, got %v", expiry.Sub(now).Round(time.Second))
		}
	}
	r.link("paymentNotifyUrl", true)
	r.link("paymentRedirectUrl", false)
	if r.object("settlementStrategy", false) {
		r.currency("settlementStrategy.settlementCurrency", false)
	}
	// merchantRegion: a 2-letter ISO 3166 code (https://docs.antom.com/ac/ams/oc).
	if s := r.str("merchantRegion", false, 2); s != "" && (len(s) != 2 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		r.fail("merchantRegion", "must be a 2-letter ISO 3166 code, got %q", s)
	}
	return r.err
}

// paymentLookupRules checks inquiryPayment and cancel: paymentRequestId or
// paymentId, each at most 64 (https://docs.antom.com/ac/ams/paymentri,
// https://docs.antom.com/ac/ams/paymentc).
func paymentLookupRules(t tree) error {
	r := &rules{t: t}
	r.oneOf("paymentRequestId", "paymentId")
	r.str("paymentRequestId", false, 64)
	r.str("paymentId", false, 64)
	return r.err
}

// refundRules checks refund (https://docs.antom.com/ac/ams/refund).
func refundRules(t tree) error {
	r := &rules{t: t}
	r.requestID("refundRequestId", true)
	r.str("paymentId", true, 64)
	r.str("referenceRefundId", false, 64)
	r.amount("refundAmount", true)
	r.str("refundReason", false, 256)
	return r.err
}

// inquiryRefundRules checks inquiryRefund (https://docs.antom.com/ac/ams/ir).
func inquiryRefundRules(t tree) error {
	r := &rules{t: t}
	r.oneOf("refundRequestId", "refundId")
	r.requestID("refundRequestId", false)
	r.str("refundId", false, 64)
	return r.err
}

// registrationRules checks registration (https://docs.antom.com/ac/ams/registration):
// storeInfo is required when productCodes holds IN_STORE_PAYMENT; product
// codes outside the documented values are PARAM_ILLEGAL.
func registrationRules(t tree) error {
	r := &rules{t: t}
	r.str("registrationRequestId", true, 64)
	r.link("registrationNotifyURL", false)
	r.str("passThroughInfo", false, 2048)
	if r.object("merchantInfo", true) {
		r.str("merchantInfo.referenceMerchantId", true, 64)
		r.mcc("merchantInfo.merchantMCC", false)
	}
	inStore := false
	switch codes := t["productCodes"].(type) {
	case nil:
		r.fail("productCodes", "required")
	case []any:
		if len(codes) == 0 {
			r.fail("productCodes", "required")
		}
		for _, c := range codes {
			s, _ := c.(string)
			switch s {
			case "IN_STORE_PAYMENT":
				inStore = true
			case "CASHIER_PAYMENT", "AGREEMENT_PAYMENT":
			default:
				r.fail("productCodes[]", "unknown product code %q", truncate(s, 32))
			}
		}
	default:
		r.fail("productCodes", "must be an array")
	}
	if r.object("storeInfo", inStore) {
		r.str("storeInfo.referenceStoreId", false, 32)
	}
	return r.err
}

// registrationStatusRules checks inquiryRegistrationStatus: every field
// optional (https://docs.antom.com/ac/ams/irs).
func registrationStatusRules(t tree) error {
	r := &rules{t: t}
	r.str("referenceMerchantId", false, 64)
	r.str("registrationRequestId", false, 64)
	r.str("referenceStoreId", false, 32)
	return r.err
}

// registrationInfoRules checks inquiryRegistrationInfo (https://docs.antom.com/ac/ams/iri).
func registrationInfoRules(t tree) error {
	r := &rules{t: t}
	r.str("referenceMerchantId", true, 64)
	r.str("referenceStoreId", false, 32)
	return r.err
}
