package amssim_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// rawRequest is one hand-made AMS request, for the cases the alipay
// client refuses to produce.
type rawRequest struct {
	method, path, clientID, contentType, requestTime string
	body                                             []byte
	key                                              *rsa.PrivateKey // nil: unsigned
	keyVersion                                       int             // 0: 1; -1: no keyVersion in Signature
	extra                                            http.Header     // added after the usual headers
}

type rawReply struct {
	status int
	result alipay.Result
	signed bool // carried a Signature that verifies with the gateway key
	header http.Header
	body   []byte
}

func (e *env) raw(rr rawRequest) rawReply {
	e.t.Helper()
	if rr.method == "" {
		rr.method = http.MethodPost
	}
	if rr.contentType == "" {
		rr.contentType = "application/json; charset=UTF-8"
	}
	if rr.requestTime == "" {
		rr.requestTime = strconv.FormatInt(e.clock.Now().UnixMilli(), 10)
	}
	req, err := http.NewRequest(rr.method, e.srv.URL+rr.path, bytes.NewReader(rr.body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", rr.contentType)
	req.Header.Set("Client-Id", rr.clientID)
	req.Header.Set("Request-Time", rr.requestTime)
	if rr.key != nil {
		v := max(rr.keyVersion, 1)
		signer, err := alipay.NewSigner(rr.key, v)
		if err != nil {
			e.t.Fatal(err)
		}
		sig, err := signer.Sign(rr.method, rr.path, rr.clientID, rr.requestTime, rr.body)
		if err != nil {
			e.t.Fatal(err)
		}
		if rr.keyVersion < 0 {
			parsed, err := alipay.ParseSignatureHeader(sig)
			if err != nil {
				e.t.Fatal(err)
			}
			parsed.KeyVersion = ""
			sig = parsed.String()
		}
		req.Header.Set("Signature", sig)
	}
	for k, vs := range rr.extra {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, data := e.do(req)
	out := rawReply{status: resp.StatusCode, header: resp.Header, body: data}
	var env struct{ Result alipay.Result }
	if err := json.Unmarshal(data, &env); err != nil {
		e.t.Fatalf("reply is not JSON: %s", data)
	}
	out.result = env.Result
	out.signed = alipay.Verify(e.sim.GatewayPublicKey(), http.MethodPost, rr.path, resp.Header.Get("Client-Id"),
		resp.Header.Get("Response-Time"), data, resp.Header.Get("Signature")) == nil
	return out
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	other := gatewayPriv // a key the simulator does not know for this merchant
	good, err := alipay.EncodeInquiryPayment(alipay.InquiryPaymentRequest{PaymentRequestID: "P1"})
	if err != nil {
		t.Fatal(err)
	}
	const inquiry = "/ams/api/v1/payments/inquiryPayment"
	cases := []struct {
		name   string
		req    rawRequest
		status int
		code   string
		signed bool
	}{
		{"good", rawRequest{path: inquiry, clientID: testClientID, body: good, key: merchantKey}, 200, alipay.CodeOrderNotExist, true},
		{"sandbox path", rawRequest{path: "/ams/sandbox/api/v1/payments/inquiryPayment", clientID: testClientID, body: good, key: merchantKey}, 200, alipay.CodeOrderNotExist, true},
		{"ISO Request-Time", rawRequest{path: inquiry, clientID: testClientID, body: good, key: merchantKey, requestTime: "2026-05-29T16:26:40+08:00"}, 200, alipay.CodeOrderNotExist, true},
		{"other key", rawRequest{path: inquiry, clientID: testClientID, body: good, key: other}, 200, alipay.CodeSignatureInvalid, false},
		{"unsigned", rawRequest{path: inquiry, clientID: testClientID, body: good}, 200, alipay.CodeSignatureInvalid, false},
		{"unknown client", rawRequest{path: inquiry, clientID: "SANDBOX_NOBODY", body: good, key: merchantKey}, 200, alipay.CodeClientInvalid, true},
		{"unknown client, registration", rawRequest{path: "/ams/api/v1/merchants/inquiryRegistrationInfo", clientID: "SANDBOX_NOBODY", body: []byte(`{"referenceMerchantId":"M1"}`), key: merchantKey}, 200, alipay.CodeInvalidClient, true},
		{"key version", rawRequest{path: inquiry, clientID: testClientID, body: good, key: merchantKey, keyVersion: 2}, 200, alipay.CodeKeyNotFound, true},
		{"content type", rawRequest{path: inquiry, clientID: testClientID, body: good, key: merchantKey, contentType: "text/plain"}, 200, alipay.CodeMediaTypeNotAcceptable, true},
		{"method", rawRequest{method: http.MethodGet, path: inquiry, clientID: testClientID, key: merchantKey}, 200, alipay.CodeMethodNotSupported, true},
		{"no such API", rawRequest{path: "/ams/api/v1/payments/capture", clientID: testClientID, body: good, key: merchantKey}, 404, alipay.CodeNoInterfaceDef, true},
		{"bad Request-Time", rawRequest{path: inquiry, clientID: testClientID, body: good, key: merchantKey, requestTime: "yesterday"}, 200, alipay.CodeParamIllegal, true},
		{"not JSON", rawRequest{path: inquiry, clientID: testClientID, body: []byte(`{"paymentRequestId":`), key: merchantKey}, 200, alipay.CodeParamIllegal, true},
		{"no id", rawRequest{path: inquiry, clientID: testClientID, body: []byte(`{}`), key: merchantKey}, 200, alipay.CodeParamIllegal, true},
		{"id too long", rawRequest{path: inquiry, clientID: testClientID, body: []byte(`{"paymentRequestId":"` + string(bytes.Repeat([]byte("x"), 65)) + `"}`), key: merchantKey}, 200, alipay.CodeParamIllegal, true},
		{"number", rawRequest{path: inquiry, clientID: testClientID, body: []byte(`{"paymentRequestId":12}`), key: merchantKey}, 200, alipay.CodeParamIllegal, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := e.raw(c.req)
			if got.status != c.status || got.result.ResultCode != c.code || got.signed != c.signed {
				t.Fatalf("HTTP %d %s signed=%v; want %d %s signed=%v: %s", got.status, got.result.ResultCode, got.signed, c.status, c.code, c.signed, got.body)
			}
			if !c.signed && got.header.Get("Signature") != "" {
				t.Fatalf("SIGNATURE_INVALID came with a Signature header")
			}
		})
	}
}

func TestPayValidation(t *testing.T) {
	e := newEnv(t)
	valid, err := alipay.EncodePay(payRequest("V1", usd(1000), alipay.ScenarioPaymentCode, amssim.CodePaid))
	if err != nil {
		t.Fatal(err)
	}
	mutations := map[string]func(m map[string]any){
		"amount as number":  func(m map[string]any) { m["paymentAmount"] = map[string]any{"currency": "USD", "value": 1000} },
		"negative amount":   func(m map[string]any) { m["paymentAmount"] = map[string]any{"currency": "USD", "value": "-5"} },
		"unknown currency":  func(m map[string]any) { m["paymentAmount"] = map[string]any{"currency": "XYZ", "value": "5"} },
		"no order amount":   func(m map[string]any) { delete(m["order"].(map[string]any), "orderAmount") },
		"no productCode":    func(m map[string]any) { delete(m, "productCode") },
		"wrong productCode": func(m map[string]any) { m["productCode"] = "CASHIER_PAYMENT" },
		"no payment code":   func(m map[string]any) { delete(m["paymentMethod"].(map[string]any), "paymentMethodId") },
		"no notify URL":     func(m map[string]any) { delete(m, "paymentNotifyUrl") },
		"boolean":           func(m map[string]any) { m["merchantRegion"] = true },
		"unknown scenario":  func(m map[string]any) { m["paymentFactor"] = map[string]any{"inStorePaymentScenario": "Telepathy"} },
		"description too long": func(m map[string]any) {
			m["order"].(map[string]any)["orderDescription"] = string(bytes.Repeat([]byte("é"), 257))
		},
		"object for a string": func(m map[string]any) { m["paymentRequestId"] = map[string]any{} },
		"expiry in the past":  func(m map[string]any) { m["paymentExpiryTime"] = "2020-01-01T00:00:00+08:00" },
		"expiry not a time":   func(m map[string]any) { m["paymentExpiryTime"] = "soon" },
		"MCC not 4 digits":    func(m map[string]any) { m["order"].(map[string]any)["merchant"].(map[string]any)["merchantMCC"] = "58" },
		"terminal id missing": func(m map[string]any) { delete(m["order"].(map[string]any), "env") },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(valid, &m); err != nil {
				t.Fatal(err)
			}
			mutate(m)
			body, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			got := e.raw(rawRequest{path: "/ams/api/v1/payments/pay", clientID: testClientID, body: body, key: merchantKey})
			if got.result.ResultCode != alipay.CodeParamIllegal || got.result.ResultMessage == "" || !got.signed {
				t.Fatalf("%s signed=%v: %s", got.result.ResultCode, got.signed, got.body)
			}
		})
	}
	if l := e.ledger(); len(l.Payments) != 0 {
		t.Fatalf("refused requests created payments: %+v", l.Payments)
	}
	got := e.raw(rawRequest{path: "/ams/api/v1/payments/pay", clientID: testClientID, body: valid, key: merchantKey})
	if got.result.ResultCode != alipay.CodeSuccess || !got.signed {
		t.Fatalf("valid pay: %s", got.body)
	}
}

func TestKeyVersions(t *testing.T) {
	loadKeys(t)
	old := gatewayPriv // stands for the merchant's previous key
	e := newEnv(t, func(c *amssim.Config) {
		c.Merchants = []amssim.MerchantKey{
			{ClientID: testClientID, KeyVersion: 1, PublicKey: &old.PublicKey},
			{ClientID: testClientID, KeyVersion: 2, PublicKey: &merchantKey.PublicKey},
		}
	})
	body := []byte(`{"paymentRequestId":"P1"}`)
	const path = "/ams/api/v1/payments/inquiryPayment"
	// keyVersion=1 selects the old key: the current one does not verify against it.
	if got := e.raw(rawRequest{path: path, clientID: testClientID, body: body, key: merchantKey, keyVersion: 1}); got.result.ResultCode != alipay.CodeSignatureInvalid {
		t.Fatalf("v1 header, v2 key: %s", got.body)
	}
	if got := e.raw(rawRequest{path: path, clientID: testClientID, body: body, key: merchantKey, keyVersion: 2}); got.result.ResultCode != alipay.CodeOrderNotExist {
		t.Fatalf("v2: %s", got.body)
	}
	// Without keyVersion the newest key applies.
	requestTime := strconv.FormatInt(e.clock.Now().UnixMilli(), 10)
	signer, err := alipay.NewSigner(merchantKey, 2)
	if err != nil {
		t.Fatal(err)
	}
	header, err := signer.Sign(http.MethodPost, path, testClientID, requestTime, body)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := alipay.ParseSignatureHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	parsed.KeyVersion = ""
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Client-Id", testClientID)
	req.Header.Set("Request-Time", requestTime)
	req.Header.Set("Signature", parsed.String())
	_, data := e.do(req)
	if !bytes.Contains(data, []byte(alipay.CodeOrderNotExist)) {
		t.Fatalf("no keyVersion: %s", data)
	}
}
