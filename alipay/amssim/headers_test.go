package amssim_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// Headers as the official SDKs send them, and the optional skew limit.
func TestHeadersAsTheSDKsSendThem(t *testing.T) {
	loadKeys(t)
	e := newEnv(t, func(c *amssim.Config) {
		c.Merchants = []amssim.MerchantKey{
			{ClientID: testClientID, KeyVersion: 1, PublicKey: &gatewayPriv.PublicKey}, // an older key
			{ClientID: testClientID, KeyVersion: 2, PublicKey: &merchantKey.PublicKey},
			{ClientID: testClientID, KeyVersion: 3, PublicKey: &gatewayPriv.PublicKey}, // newest, not ours
		}
	})
	const path = alipay.PrefixSandbox + "/v1/payments/inquiryPayment"
	body := []byte(`{"paymentRequestId":"P1"}`)
	cases := []struct {
		name string
		rr   rawRequest
		code string
	}{
		{"two Content-Type headers (Go SDK)", rawRequest{keyVersion: 2,
			extra: http.Header{"Content-Type": {"application/json; charset=UTF-8"}}}, alipay.CodeOrderNotExist},
		{"first Content-Type decides", rawRequest{keyVersion: 2, contentType: "text/plain",
			extra: http.Header{"Content-Type": {"application/json"}}}, alipay.CodeMediaTypeNotAcceptable},
		{"Key-Version header without keyVersion in Signature", rawRequest{keyVersion: -1,
			extra: http.Header{"Key-Version": {"2"}}}, alipay.CodeOrderNotExist},
		{"keyVersion in Signature wins over Key-Version", rawRequest{keyVersion: 2,
			extra: http.Header{"Key-Version": {"3"}}}, alipay.CodeOrderNotExist},
		{"no version at all: the newest key", rawRequest{keyVersion: -1}, alipay.CodeSignatureInvalid},
		{"unknown Key-Version", rawRequest{keyVersion: -1, extra: http.Header{"Key-Version": {"9"}}}, alipay.CodeKeyNotFound},
		{"empty Agent-Token (Go SDK)", rawRequest{keyVersion: 2, extra: http.Header{"Agent-Token": {""}}}, alipay.CodeOrderNotExist},
		{"an Agent-Token amssim does not know", rawRequest{keyVersion: 2, extra: http.Header{"Agent-Token": {"isv-token"}}}, alipay.CodeAccessDenied},
		{"Request-Time a day off: no limit by default", rawRequest{keyVersion: 2,
			requestTime: strconv.FormatInt(e.clock.Now().Add(-24*time.Hour).UnixMilli(), 10)}, alipay.CodeOrderNotExist},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.rr.path, c.rr.clientID, c.rr.body, c.rr.key = path, testClientID, body, merchantKey
			got := e.raw(c.rr)
			if got.result.ResultCode != c.code {
				t.Fatalf("%s, want %s: %s", got.result.ResultCode, c.code, got.body)
			}
		})
	}
}

func TestMaxSkew(t *testing.T) {
	e := newEnv(t, func(c *amssim.Config) { c.MaxSkew = 5 * time.Minute })
	const path = alipay.PrefixSandbox + "/v1/payments/inquiryPayment"
	for _, c := range []struct {
		off  time.Duration
		code string
	}{
		{0, alipay.CodeOrderNotExist},
		{-5 * time.Minute, alipay.CodeOrderNotExist},
		{5*time.Minute + time.Second, alipay.CodeParamIllegal},
		{-6 * time.Minute, alipay.CodeParamIllegal},
	} {
		rt := e.clock.Now().Add(c.off).Format("2006-01-02T15:04:05-07:00")
		got := e.raw(rawRequest{path: path, clientID: testClientID, body: []byte(`{"paymentRequestId":"P1"}`), key: merchantKey, requestTime: rt})
		if got.result.ResultCode != c.code || !got.signed {
			t.Errorf("Request-Time %v off: %s, want %s: %s", c.off, got.result.ResultCode, c.code, got.body)
		}
	}
}

// Which prefix a client id may use (reference §2.2): the docs by default,
// the SDKs' rule on request.
func TestSandboxPaths(t *testing.T) {
	loadKeys(t)
	const prod = "5YPROD01234ABCD"
	body := []byte(`{"paymentRequestId":"P1"}`)
	for _, c := range []struct {
		rule         amssim.PathRule
		clientID     string
		prefix, code string
	}{
		{"", testClientID, alipay.PrefixProduction, alipay.CodeOrderNotExist}, // in-store sandbox shares /ams/api
		{"", testClientID, alipay.PrefixSandbox, alipay.CodeOrderNotExist},
		{"", prod, alipay.PrefixProduction, alipay.CodeOrderNotExist},
		{"", prod, alipay.PrefixSandbox, alipay.CodeClientInvalid},
		{amssim.PathsSDK, testClientID, alipay.PrefixProduction, alipay.CodeClientInvalid},
		{amssim.PathsSDK, testClientID, alipay.PrefixSandbox, alipay.CodeOrderNotExist},
		{amssim.PathsSDK, prod, alipay.PrefixSandbox, alipay.CodeClientInvalid},
		{amssim.PathsAny, prod, alipay.PrefixSandbox, alipay.CodeOrderNotExist},
	} {
		e := newEnv(t, func(cfg *amssim.Config) {
			cfg.Paths = c.rule
			cfg.Merchants = append(cfg.Merchants, amssim.MerchantKey{ClientID: prod, PublicKey: &merchantKey.PublicKey})
		})
		got := e.raw(rawRequest{path: c.prefix + "/v1/payments/inquiryPayment", clientID: c.clientID, body: body, key: merchantKey})
		if got.result.ResultCode != c.code || !got.signed {
			t.Errorf("paths %q, %s on %s: %s, want %s", c.rule, c.clientID, c.prefix, got.result.ResultCode, c.code)
		}
	}
	if _, err := amssim.New(amssim.Config{Merchants: []amssim.MerchantKey{{ClientID: prod, PublicKey: &merchantKey.PublicKey}}, Paths: "both"}); err == nil {
		t.Error("accepted an unknown path rule")
	}
}
