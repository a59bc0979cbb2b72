package alipay

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/money"
)

func usd(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }

// examplePay is a valid user-presented pay, as in reference §8.2.
func examplePay() PayRequest {
	return PayRequest{
		PaymentRequestID: "T01-20240529-000001",
		Order: Order{
			OrderDescription: "Coffee x2",
			Merchant: Merchant{
				ReferenceMerchantID: "M0001", MerchantName: "Demo Cafe", MerchantMCC: "5814",
				Store: Store{ReferenceStoreID: "S01", StoreName: "Demo Cafe Main St", StoreMCC: "5814"},
			},
			Env: Env{StoreTerminalID: "T01", StoreTerminalRequestTime: NewTime(time.Date(2024, 5, 29, 16, 26, 40, 0, time.FixedZone("", 8*3600)))},
		},
		PaymentAmount:    usd(1000),
		PaymentMethod:    PaymentMethod{PaymentMethodID: "281234567890123456"},
		PaymentFactor:    PaymentFactor{InStorePaymentScenario: ScenarioPaymentCode},
		PaymentNotifyURL: "https://pos.example.com/alipay/notify",
	}
}

func TestEncodePayScenarios(t *testing.T) {
	body, err := EncodePay(examplePay())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"productCode":"IN_STORE_PAYMENT","paymentRequestId":"T01-20240529-000001",` +
		`"order":{"orderDescription":"Coffee x2","orderAmount":{"currency":"USD","value":"1000"},` +
		`"merchant":{"referenceMerchantId":"M0001","merchantName":"Demo Cafe","merchantMCC":"5814",` +
		`"store":{"referenceStoreId":"S01","storeName":"Demo Cafe Main St","storeMCC":"5814"}},` +
		`"env":{"storeTerminalId":"T01","storeTerminalRequestTime":"2024-05-29T16:26:40+08:00"}},` +
		`"paymentAmount":{"currency":"USD","value":"1000"},` +
		`"paymentMethod":{"paymentMethodType":"CONNECT_WALLET","paymentMethodId":"281234567890123456"},` +
		`"paymentFactor":{"inStorePaymentScenario":"PaymentCode"},` +
		`"paymentNotifyUrl":"https://pos.example.com/alipay/notify"}`
	if string(body) != want {
		t.Fatalf("UPM body\n got %s\nwant %s", body, want)
	}

	oc := examplePay()
	oc.PaymentMethod.PaymentMethodID = ""
	oc.PaymentFactor.InStorePaymentScenario = ScenarioOrderCode
	oc.Order.Env = Env{}
	oc.PaymentExpiryTime = NewTime(time.Date(2024, 5, 29, 8, 30, 0, 0, time.UTC))
	body, err = EncodePay(oc)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"paymentFactor":{"inStorePaymentScenario":"OrderCode"}`, `"paymentExpiryTime":"2024-05-29T08:30:00+00:00"`,
		`"paymentMethod":{"paymentMethodType":"CONNECT_WALLET"}`} {
		if !strings.Contains(string(body), s) {
			t.Errorf("OC body lacks %s: %s", s, body)
		}
	}
	if strings.Contains(string(body), `"env"`) {
		t.Errorf("OC body sends an empty env: %s", body)
	}

	ec := oc
	ec.PaymentFactor.InStorePaymentScenario = ScenarioEntryCode
	ec.Order.Env.UserAgent = "AlipayClient/10.5 <&>"
	ec.PaymentRedirectURL = "https://pos.example.com/paid"
	body, err = EncodePay(ec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"userAgent":"AlipayClient/10.5 <&>"`) || !strings.Contains(string(body), `"paymentRedirectUrl":"https://pos.example.com/paid"`) {
		t.Errorf("EC body: %s", body)
	}
}

func TestEncodePayRejects(t *testing.T) {
	tests := []struct {
		field  string
		modify func(*PayRequest)
	}{
		{"paymentRequestId", func(r *PayRequest) { r.PaymentRequestID = "" }},
		{"paymentRequestId", func(r *PayRequest) { r.PaymentRequestID = strings.Repeat("x", 65) }},
		{"paymentRequestId", func(r *PayRequest) { r.PaymentRequestID = "a\x00b" }},
		{"paymentRequestId", func(r *PayRequest) { r.PaymentRequestID = "\xff" }},
		{"productCode", func(r *PayRequest) { r.ProductCode = "ONLINE" }},
		{"paymentAmount", func(r *PayRequest) { r.PaymentAmount = money.Amount{} }},
		{"paymentAmount", func(r *PayRequest) { r.PaymentAmount = usd(0) }},
		{"paymentAmount", func(r *PayRequest) { r.PaymentAmount = usd(-5) }},
		{"paymentAmount", func(r *PayRequest) { r.PaymentAmount = money.Amount{Currency: "XYZ", Value: 5} }},
		{"order.orderAmount", func(r *PayRequest) { r.Order.OrderAmount = money.Amount{Currency: "EUR", Value: 1000} }},
		{"order.orderAmount", func(r *PayRequest) { r.Order.OrderAmount = usd(999) }},
		{"order.orderDescription", func(r *PayRequest) { r.Order.OrderDescription = "" }},
		{"order.orderDescription", func(r *PayRequest) { r.Order.OrderDescription = strings.Repeat("咖", 257) }},
		{"order.merchant.referenceMerchantId", func(r *PayRequest) { r.Order.Merchant.ReferenceMerchantID = "" }},
		{"order.merchant.merchantName", func(r *PayRequest) { r.Order.Merchant.MerchantName = "" }},
		{"order.merchant.merchantMCC", func(r *PayRequest) { r.Order.Merchant.MerchantMCC = "581" }},
		{"order.merchant.store.referenceStoreId", func(r *PayRequest) { r.Order.Merchant.Store.ReferenceStoreID = strings.Repeat("s", 33) }},
		{"order.merchant.store.storeName", func(r *PayRequest) { r.Order.Merchant.Store.StoreName = "" }},
		{"order.merchant.store.storeMCC", func(r *PayRequest) { r.Order.Merchant.Store.StoreMCC = "58a4" }},
		{"paymentMethod.paymentMethodType", func(r *PayRequest) { r.PaymentMethod.PaymentMethodType = "CARD" }},
		{"paymentMethod.paymentMethodId", func(r *PayRequest) { r.PaymentMethod.PaymentMethodID = "" }},
		{"order.env.storeTerminalId", func(r *PayRequest) { r.Order.Env.StoreTerminalID = "" }},
		{"order.env.storeTerminalRequestTime", func(r *PayRequest) { r.Order.Env.StoreTerminalRequestTime = Time{} }},
		{"paymentFactor.inStorePaymentScenario", func(r *PayRequest) { r.PaymentFactor.InStorePaymentScenario = "paymentcode" }},
		{"paymentNotifyUrl", func(r *PayRequest) { r.PaymentNotifyURL = "" }},
		{"paymentNotifyUrl", func(r *PayRequest) { r.PaymentNotifyURL = "ftp://x/notify" }},
		{"paymentNotifyUrl", func(r *PayRequest) { r.PaymentNotifyURL = "/alipay/notify" }},
		{"paymentNotifyUrl", func(r *PayRequest) { r.PaymentNotifyURL = "https://pos.example.com/notify?t=1" }},
		{"paymentRedirectUrl", func(r *PayRequest) { r.PaymentRedirectURL = "https://pos.example.com/paid" }},
		{"settlementStrategy.settlementCurrency", func(r *PayRequest) { r.SettlementStrategy.SettlementCurrency = "usd" }},
		{"paymentMethod.paymentMethodId", func(r *PayRequest) {
			r.PaymentFactor.InStorePaymentScenario = ScenarioOrderCode
		}},
		{"order.env.userAgent", func(r *PayRequest) {
			r.PaymentFactor.InStorePaymentScenario = ScenarioEntryCode
			r.PaymentMethod.PaymentMethodID = ""
			r.PaymentRedirectURL = "https://pos.example.com/paid"
		}},
		{"paymentRedirectUrl", func(r *PayRequest) {
			r.PaymentFactor.InStorePaymentScenario = ScenarioEntryCode
			r.PaymentMethod.PaymentMethodID = ""
			r.Order.Env.UserAgent = "wallet"
		}},
	}
	for _, tt := range tests {
		req := examplePay()
		tt.modify(&req)
		body, err := EncodePay(req)
		if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tt.field+":") {
			t.Errorf("%s: EncodePay = %s, %v; want ErrInvalidRequest naming the field", tt.field, body, err)
		}
	}
}

func TestEncodeOtherRequests(t *testing.T) {
	valid := []struct {
		name string
		enc  func() ([]byte, error)
		want string
	}{
		{"inquiry", func() ([]byte, error) { return EncodeInquiryPayment(InquiryPaymentRequest{PaymentRequestID: "P1"}) }, `{"paymentRequestId":"P1"}`},
		{"cancel", func() ([]byte, error) { return EncodeCancel(CancelRequest{PaymentRequestID: "P1"}) }, `{"paymentRequestId":"P1"}`},
		{"refund", func() ([]byte, error) {
			return EncodeRefund(RefundRequest{RefundRequestID: "P1-R1", PaymentID: "X1", RefundAmount: usd(500), RefundReason: "returned"})
		}, `{"refundRequestId":"P1-R1","paymentId":"X1","refundAmount":{"currency":"USD","value":"500"},"refundReason":"returned"}`},
		{"inquiryRefund", func() ([]byte, error) { return EncodeInquiryRefund(InquiryRefundRequest{RefundID: "RF1"}) }, `{"refundId":"RF1"}`},
		{"registration", func() ([]byte, error) {
			return EncodeRegistration(RegistrationRequest{RegistrationRequestID: "REG1", MerchantInfo: MerchantRegistrationInfo{ReferenceMerchantID: "M1", MerchantMCC: "5814"},
				ProductCodes: []string{ProductInStore}, StoreInfo: []byte(`{"referenceStoreId":"S01"}`)})
		}, `{"registrationRequestId":"REG1","merchantInfo":{"referenceMerchantId":"M1","merchantMCC":"5814"},"productCodes":["IN_STORE_PAYMENT"],"storeInfo":{"referenceStoreId":"S01"}}`},
		{"inquiryRegistrationStatus", func() ([]byte, error) {
			return EncodeInquiryRegistrationStatus(InquiryRegistrationStatusRequest{ReferenceMerchantID: "M1", ReferenceStoreID: "S01"})
		}, `{"referenceMerchantId":"M1","referenceStoreId":"S01"}`},
		{"inquiryRegistrationInfo", func() ([]byte, error) {
			return EncodeInquiryRegistrationInfo(InquiryRegistrationInfoRequest{ReferenceMerchantID: "M1"})
		}, `{"referenceMerchantId":"M1"}`},
	}
	for _, tt := range valid {
		body, err := tt.enc()
		if err != nil || string(body) != tt.want {
			t.Errorf("%s: %s, %v; want %s", tt.name, body, err, tt.want)
		}
	}
	invalid := map[string]func() ([]byte, error){
		"inquiry without id": func() ([]byte, error) { return EncodeInquiryPayment(InquiryPaymentRequest{}) },
		"cancel id too long": func() ([]byte, error) { return EncodeCancel(CancelRequest{PaymentID: strings.Repeat("9", 65)}) },
		"refund zero": func() ([]byte, error) {
			return EncodeRefund(RefundRequest{RefundRequestID: "R", PaymentID: "X", RefundAmount: usd(0)})
		},
		"refund without payment":   func() ([]byte, error) { return EncodeRefund(RefundRequest{RefundRequestID: "R", RefundAmount: usd(1)}) },
		"inquiryRefund without id": func() ([]byte, error) { return EncodeInquiryRefund(InquiryRefundRequest{}) },
		"registration no store": func() ([]byte, error) {
			return EncodeRegistration(RegistrationRequest{RegistrationRequestID: "R", MerchantInfo: MerchantRegistrationInfo{ReferenceMerchantID: "M"}, ProductCodes: []string{ProductInStore}})
		},
		"registration store not object": func() ([]byte, error) {
			return EncodeRegistration(RegistrationRequest{RegistrationRequestID: "R", MerchantInfo: MerchantRegistrationInfo{ReferenceMerchantID: "M"}, ProductCodes: []string{ProductInStore}, StoreInfo: []byte(`[1]`)})
		},
		"registration no products": func() ([]byte, error) {
			return EncodeRegistration(RegistrationRequest{RegistrationRequestID: "R", MerchantInfo: MerchantRegistrationInfo{ReferenceMerchantID: "M"}})
		},
		"registration status no ids": func() ([]byte, error) {
			return EncodeInquiryRegistrationStatus(InquiryRegistrationStatusRequest{ReferenceStoreID: "S"})
		},
		"registration info no merchant": func() ([]byte, error) { return EncodeInquiryRegistrationInfo(InquiryRegistrationInfoRequest{}) },
	}
	for name, enc := range invalid {
		if body, err := enc(); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %s, %v", name, body, err)
		}
	}
}

func TestDecodeReplies(t *testing.T) {
	// A UPM success shaped like ams-java-sdk's upcp_s.json mock, with the bare
	// JSON number and boolean that mock carries inside paymentQuote.
	body := []byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"Success"},
		"paymentId":"2019061911401080010018882020035xxxx","paymentRequestId":"P1","paymentTime":"2019-06-19T13:20:36.253+08:00",
		"paymentAmount":{"currency":"MOP","value":"100"},"actualPaymentAmount":{"currency":"CNY","value":88},
		"paymentQuote":{"quoteId":"Q1","quotePrice":0.88156063,"guaranteed":false,"quoteExpiryTime":"garbage"},
		"pspCustomerInfo":{"pspName":"ALIPAYCN","displayCustomerId":"138****0000"},"someFutureField":{"x":[1,2]}}`)
	r, err := DecodePayResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	if r.Result.ResultCode != CodeSuccess || r.PaymentID == "" || *r.PaymentAmount != (money.Amount{Currency: "MOP", Value: 100}) || *r.ActualPaymentAmount != (money.Amount{Currency: "CNY", Value: 88}) {
		t.Errorf("decoded %+v", r)
	}
	if r.PaymentQuote.QuotePrice != "0.88156063" || r.PaymentQuote.Guaranteed != "false" || r.PaymentQuote.QuoteExpiryTime.Raw != "garbage" {
		t.Errorf("quote %+v", r.PaymentQuote)
	}
	if !r.PaymentTime.Equal(time.Date(2019, 6, 19, 5, 20, 36, 253e6, time.UTC)) || r.PSPCustomerInfo.PSPName != "ALIPAYCN" {
		t.Errorf("paymentTime %v", r.PaymentTime)
	}

	oc, err := DecodePayResponse([]byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"orderCodeForm":{"expireTime":"2024-05-29T16:29:40+08:00",
		"codeDetails":[{"codeValue":"https://img/x.png","codeValueType":"QRCODE","displayType":"BIGIMAGE"},
		{"codeValue":"https://qr.alipay.com/bax01","codeValueType":"QRCODE","displayType":"TEXT"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if text, ok := oc.OrderCodeForm.QRText(); !ok || text != "https://qr.alipay.com/bax01" {
		t.Errorf("QRText = %q, %v", text, ok)
	}
	if _, ok := (OrderCodeForm{}).QRText(); ok {
		t.Error("QRText of an empty form")
	}

	inq, err := DecodeInquiryPaymentResponse([]byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentStatus":"PROCESSING","paymentResultCode":"UNKNOWN_EXCEPTION"}`))
	if err != nil || inq.PaymentStatus != PaymentStatusProcessing || inq.PaymentResultCode != CodeUnknownException {
		t.Errorf("inquiry %+v, %v", inq, err)
	}
	for _, bad := range []string{``, `null`, `[]`, `{}`, `{"result":{}}`, `{"result":{"resultStatus":"X"}}`, `{"result":"S"}`,
		`{"result":{"resultStatus":"S"},"paymentAmount":{"currency":"USD","value":"1.5"}}`, `{"result":{"resultStatus":"S"},"paymentQuote":{"quotePrice":{}}}`} {
		if _, err := DecodePayResponse([]byte(bad)); !errors.Is(err, ErrUndecodable) {
			t.Errorf("DecodePayResponse(%s) = %v", bad, err)
		}
	}
	decoders := map[string]func([]byte) error{
		"cancel":        func(b []byte) error { _, err := DecodeCancelResponse(b); return err },
		"refund":        func(b []byte) error { _, err := DecodeRefundResponse(b); return err },
		"inquiryRefund": func(b []byte) error { _, err := DecodeInquiryRefundResponse(b); return err },
		"registration":  func(b []byte) error { _, err := DecodeRegistrationResponse(b); return err },
		"regStatus":     func(b []byte) error { _, err := DecodeInquiryRegistrationStatusResponse(b); return err },
		"regInfo":       func(b []byte) error { _, err := DecodeInquiryRegistrationInfoResponse(b); return err },
	}
	for name, dec := range decoders {
		if err := dec([]byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if err := dec([]byte(`{"result":{"resultCode":"SUCCESS"}}`)); !errors.Is(err, ErrUndecodable) {
			t.Errorf("%s without status: %v", name, err)
		}
	}
}

func TestTimeJSON(t *testing.T) {
	var zero Time
	if _, err := zero.MarshalJSON(); err == nil {
		t.Error("zero time marshalled")
	}
	for in, want := range map[string]time.Time{
		`"2019-11-27T12:01:01+08:00"`:   time.Date(2019, 11, 27, 4, 1, 1, 0, time.UTC),
		`"2019-11-27T04:01:01Z"`:        time.Date(2019, 11, 27, 4, 1, 1, 0, time.UTC),
		`"2019-11-27T12:01:01.5+08:00"`: time.Date(2019, 11, 27, 4, 1, 1, 5e8, time.UTC),
		`null`:                          {},
		`""`:                            {},
	} {
		var tm Time
		if err := tm.UnmarshalJSON([]byte(in)); err != nil || !tm.Time.Equal(want) || tm.Raw != "" {
			t.Errorf("Unmarshal(%s) = %+v, %v", in, tm, err)
		}
	}
	var odd Time
	if err := odd.UnmarshalJSON([]byte(`1717000000123`)); err != nil || odd.Raw != "1717000000123" || !odd.Time.IsZero() {
		t.Errorf("number time = %+v, %v", odd, err)
	}
}
