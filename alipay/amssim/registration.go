package amssim

import (
	"encoding/json"
	"time"

	"github.com/posd/posd/alipay"
)

// Registration statuses (https://docs.antom.com/ac/ams/irs). Only
// COMPLETED and APPROVED are confirmed literals; PROCESSING and PENDING
// stand for the unpublished in-between states.
const (
	RegistrationProcessing = "PROCESSING"
	RegistrationCompleted  = "COMPLETED"
	pspApproved            = "APPROVED"
	pspPending             = "PENDING"
	pspName                = "ALIPAY_CN"
)

// Registration is one merchant registration as the gateway knows it.
type Registration struct {
	ClientID              string    `json:"clientId"`
	RegistrationRequestID string    `json:"registrationRequestId"`
	ReferenceMerchantID   string    `json:"referenceMerchantId"`
	ReferenceStoreID      string    `json:"referenceStoreId,omitempty"`
	Status                string    `json:"status"` // PROCESSING, COMPLETED
	CreatedAt             time.Time `json:"createdAt"`
	CompleteAt            time.Time `json:"completeAt"`
	Notification          *Delivery `json:"notification,omitempty"`
}

type registration struct {
	Registration
	Request    json.RawMessage `json:"request"` // canonical encoding, compared on repeats
	NotifyURL  string          `json:"registrationNotifyURL,omitempty"`
	NotifyBody json.RawMessage `json:"notifyBody,omitempty"`
}

// register accepts a registration; it completes after delay
// (https://docs.antom.com/ac/ams/registration).
func (b *book) register(clientID string, req alipay.RegistrationRequest, delay time.Duration, now time.Time) alipay.Result {
	canonical, err := json.Marshal(req)
	if err != nil {
		return fail(alipay.CodeParamIllegal, "request cannot be encoded")
	}
	k := key(clientID, req.RegistrationRequestID)
	if r := b.Registrations[k]; r != nil {
		if string(r.Request) != string(canonical) {
			return fail(alipay.CodeRepeatReqInconsistent, "registrationRequestId reused with different data")
		}
		return resultSuccess
	}
	if b.registrationOf(clientID, req.MerchantInfo.ReferenceMerchantID) != nil {
		return fail(alipay.CodeRepeatRegistration, "merchant already registered")
	}
	var store struct {
		ReferenceStoreID string `json:"referenceStoreId"`
	}
	_ = json.Unmarshal(req.StoreInfo, &store) // optional: the storeInfo fields are unpublished
	b.Registrations[k] = &registration{
		Registration: Registration{
			ClientID:              clientID,
			RegistrationRequestID: req.RegistrationRequestID,
			ReferenceMerchantID:   req.MerchantInfo.ReferenceMerchantID,
			ReferenceStoreID:      store.ReferenceStoreID,
			Status:                RegistrationProcessing,
			CreatedAt:             now,
			CompleteAt:            now.Add(delay),
		},
		Request:   canonical,
		NotifyURL: req.RegistrationNotifyURL,
	}
	return resultSuccess
}

// registrationOf finds the registration of a merchant.
func (b *book) registrationOf(clientID, referenceMerchantID string) *registration {
	for _, r := range b.Registrations {
		if r.ClientID == clientID && r.ReferenceMerchantID == referenceMerchantID {
			return r
		}
	}
	return nil
}

func (b *book) advanceRegistration(r *registration, now time.Time) bool {
	if r.Status != RegistrationProcessing || now.Before(r.CompleteAt) {
		return false
	}
	r.Status = RegistrationCompleted
	if r.NotifyURL != "" {
		r.NotifyBody = registrationNotification(r)
		r.Notification = &Delivery{URL: r.NotifyURL, ClientID: r.ClientID, NextAt: r.CompleteAt}
	}
	return true
}

// registrationResults is the overall and per-wallet result of a registration.
func registrationResults(r *registration) (alipay.RegistrationResult, []alipay.PSPRegistrationResult) {
	psp := pspPending
	if r.Status == RegistrationCompleted {
		psp = pspApproved
	}
	return alipay.RegistrationResult{RegistrationStatus: r.Status},
		[]alipay.PSPRegistrationResult{{PSPName: pspName, RegistrationResult: alipay.RegistrationResult{RegistrationStatus: psp}}}
}
