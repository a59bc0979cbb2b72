package amssim_test

import (
	"encoding/json"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

func registrationRequest(id, merchant string) alipay.RegistrationRequest {
	return alipay.RegistrationRequest{
		RegistrationRequestID: id,
		MerchantInfo:          alipay.MerchantRegistrationInfo{ReferenceMerchantID: merchant, MerchantDisplayName: "Demo Cafe", MerchantMCC: "5814"},
		ProductCodes:          []string{alipay.ProductInStore},
		StoreInfo:             json.RawMessage(`{"referenceStoreId":"S01","storeName":"Main St","storeMCC":"5814"}`),
	}
}

func TestRegistration(t *testing.T) {
	e, rc := notifyEnv(t, 0, func(c *amssim.Config) { c.RequireRegistration = true })
	ctx := t.Context()
	_, r := e.pay("P1", usd(100), amssim.CodePaid)
	expect(t, r, alipay.OutcomeFailure, alipay.CodeMerchantNotRegistered)

	req := registrationRequest("REG1", "M0001")
	req.RegistrationNotifyURL = rc.srv.URL + "/alipay/notify"
	_, r, _ = e.client.Registration(ctx, req)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r, _ = e.client.Registration(ctx, req) // idempotent
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	changed := req
	changed.MerchantInfo.MerchantDisplayName = "Other Cafe"
	_, r, _ = e.client.Registration(ctx, changed)
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRepeatReqInconsistent)
	_, r, _ = e.client.Registration(ctx, registrationRequest("REG2", "M0001"))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRepeatRegistration)

	st, r, _ := e.client.InquiryRegistrationStatus(ctx, alipay.InquiryRegistrationStatusRequest{RegistrationRequestID: "REG1"})
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if st.RegistrationResult.RegistrationStatus != amssim.RegistrationProcessing {
		t.Fatalf("status %+v", st.RegistrationResult)
	}
	_, r, _ = e.client.InquiryRegistrationStatus(ctx, alipay.InquiryRegistrationStatusRequest{RegistrationRequestID: "REG1", ReferenceMerchantID: "M0002"})
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRepeatReqInconsistent)
	_, r, _ = e.client.InquiryRegistrationStatus(ctx, alipay.InquiryRegistrationStatusRequest{ReferenceMerchantID: "M0002"})
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRecordNotFound)
	_, r = e.pay("P1", usd(100), amssim.CodePaid) // not complete yet
	expect(t, r, alipay.OutcomeFailure, alipay.CodeMerchantNotRegistered)

	e.clock.Advance(amssim.DefaultRegistrationDelay)
	if n := e.sim.DeliverDue(ctx); n != 1 {
		t.Fatalf("%d notifications", n)
	}
	n := <-rc.seen
	if n.Kind != alipay.NotificationRegistration || n.Registration.RegistrationRequestID != "REG1" ||
		n.Registration.RegistrationResult.RegistrationStatus != amssim.RegistrationCompleted {
		t.Fatalf("notification %+v", n.Registration)
	}
	st, _, _ = e.client.InquiryRegistrationStatus(ctx, alipay.InquiryRegistrationStatusRequest{ReferenceMerchantID: "M0001"})
	if st.RegistrationResult.RegistrationStatus != amssim.RegistrationCompleted || len(st.PSPRegistrationResultList) != 1 {
		t.Fatalf("status %+v", st)
	}
	info, r, _ := e.client.InquiryRegistrationInfo(ctx, alipay.InquiryRegistrationInfoRequest{ReferenceMerchantID: "M0001"})
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if info.MerchantInfo.MerchantDisplayName != "Demo Cafe" || string(info.StoreInfo) != string(req.StoreInfo) {
		t.Fatalf("info %+v %s", info.MerchantInfo, info.StoreInfo)
	}
	_, r, _ = e.client.InquiryRegistrationInfo(ctx, alipay.InquiryRegistrationInfoRequest{ReferenceMerchantID: "M9"})
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRecordNotFound)
	_, r = e.pay("P1", usd(100), amssim.CodePaid)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
}
