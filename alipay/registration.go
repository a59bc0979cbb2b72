package alipay

import (
	"bytes"
	"encoding/json"
)

// RegistrationRequest registers a secondary merchant and its store
// (https://docs.antom.com/ac/ams/registration). The referenceMerchantId and
// referenceStoreId used in pay must be registered first. Registration
// completes asynchronously: watch notifyRegistrationStatus or inquire.
type RegistrationRequest struct {
	RegistrationRequestID string                   `json:"registrationRequestId"`           // idempotency key, <= 64
	RegistrationNotifyURL string                   `json:"registrationNotifyURL,omitempty"` // note the upper-case URL
	PassThroughInfo       string                   `json:"passThroughInfo,omitempty"`       // echoed back, <= 2048
	MerchantInfo          MerchantRegistrationInfo `json:"merchantInfo"`
	ProductCodes          []string                 `json:"productCodes"` // ["IN_STORE_PAYMENT"]
	// StoreInfo is required with IN_STORE_PAYMENT. Its fields are not
	// published (reference §12, item 14), so it is passed through as a JSON
	// object the integrator writes, e.g.
	// {"referenceStoreId":"S01","storeName":"Main St","storeMCC":"5814"}.
	StoreInfo json.RawMessage `json:"storeInfo,omitempty"`
}

// MerchantRegistrationInfo describes the merchant being registered.
type MerchantRegistrationInfo struct {
	ReferenceMerchantID string              `json:"referenceMerchantId"` // <= 64
	MerchantDisplayName string              `json:"merchantDisplayName,omitempty"`
	MerchantMCC         string              `json:"merchantMCC,omitempty"`
	Logo                *Logo               `json:"logo,omitempty"`
	Websites            []WebSite           `json:"websites,omitempty"`
	MerchantAddress     *Address            `json:"merchantAddress,omitempty"`
	RegistrationDetail  *RegistrationDetail `json:"registrationDetail,omitempty"`
}

// Logo of the merchant.
type Logo struct {
	LogoName string `json:"logoName,omitempty"`
	LogoURL  string `json:"logoUrl,omitempty"`
}

// WebSite of the merchant.
type WebSite struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
	Desc string `json:"desc,omitempty"`
}

// Address is a postal address; the platform checks it is resolvable.
type Address struct {
	Region   string `json:"region,omitempty"` // ISO 3166 alpha-2
	State    string `json:"state,omitempty"`
	City     string `json:"city,omitempty"`
	Address1 string `json:"address1,omitempty"`
	Address2 string `json:"address2,omitempty"`
	ZipCode  string `json:"zipCode,omitempty"`
	Label    string `json:"label,omitempty"`
}

// RegistrationDetail is the merchant's legal registration.
type RegistrationDetail struct {
	LegalName                 string        `json:"legalName,omitempty"`
	Attachments               []Attachment  `json:"attachments,omitempty"`
	ContactInfo               []ContactInfo `json:"contactInfo,omitempty"`
	RegistrationType          string        `json:"registrationType,omitempty"`
	RegistrationNo            string        `json:"registrationNo,omitempty"`
	RegistrationAddress       *Address      `json:"registrationAddress,omitempty"`
	BusinessType              string        `json:"businessType,omitempty"`
	RegistrationEffectiveDate Time          `json:"registrationEffectiveDate,omitzero"`
	RegistrationExpireDate    Time          `json:"registrationExpireDate,omitzero"`
}

// Attachment is a document supporting the registration.
type Attachment struct {
	AttachmentType string `json:"attachmentType,omitempty"`
	File           string `json:"file,omitempty"`
	AttachmentName string `json:"attachmentName,omitempty"`
	FileKey        string `json:"fileKey,omitempty"`
}

// ContactInfo is one way to reach the merchant.
type ContactInfo struct {
	ContactNo   string `json:"contactNo,omitempty"`
	ContactType string `json:"contactType,omitempty"`
}

// RegistrationResponse is the reply to registration.
type RegistrationResponse struct {
	Envelope
	PassThroughInfo string `json:"passThroughInfo"`
}

// EncodeRegistration validates and serialises a registration request.
func EncodeRegistration(req RegistrationRequest) ([]byte, error) {
	var c check
	c.required("registrationRequestId", req.RegistrationRequestID, 64)
	c.url("registrationNotifyURL", req.RegistrationNotifyURL, false)
	c.text("passThroughInfo", req.PassThroughInfo, 2048)
	c.required("merchantInfo.referenceMerchantId", req.MerchantInfo.ReferenceMerchantID, 64)
	if m := req.MerchantInfo.MerchantMCC; m != "" {
		c.mcc("merchantInfo.merchantMCC", m)
	}
	if len(req.ProductCodes) == 0 {
		c.fail("productCodes", "required")
	}
	inStore := false
	for _, p := range req.ProductCodes {
		c.required("productCodes[]", p, 64)
		inStore = inStore || p == ProductInStore
	}
	store := bytes.TrimSpace(req.StoreInfo)
	switch {
	case len(store) == 0 && inStore:
		c.fail("storeInfo", "required with %s", ProductInStore)
	case len(store) > 0 && (store[0] != '{' || !json.Valid(store)):
		c.fail("storeInfo", "must be a JSON object")
	}
	if c.err != nil {
		return nil, c.err
	}
	return encodeBody(req)
}

// DecodeRegistrationResponse parses a verified registration reply.
func DecodeRegistrationResponse(body []byte) (*RegistrationResponse, error) {
	return decodeReply[RegistrationResponse](body)
}

// InquiryRegistrationStatusRequest asks how a registration stands
// (https://docs.antom.com/ac/ams/irs). All fields are optional; give the
// merchant and store ids, and the request id for one registration.
type InquiryRegistrationStatusRequest struct {
	ReferenceMerchantID   string `json:"referenceMerchantId,omitempty"`   // <= 64
	RegistrationRequestID string `json:"registrationRequestId,omitempty"` // <= 64
	ReferenceStoreID      string `json:"referenceStoreId,omitempty"`      // <= 32
}

// RegistrationResult is the outcome of a registration, overall or per wallet.
type RegistrationResult struct {
	RegistrationStatus string `json:"registrationStatus"` // e.g. COMPLETED, APPROVED
	RejectReasons      Text   `json:"rejectReasons,omitempty"`
}

// PSPRegistrationResult is the registration outcome for one wallet.
type PSPRegistrationResult struct {
	PSPName            string             `json:"pspName"`
	RegistrationResult RegistrationResult `json:"registrationResult"`
}

// InquiryRegistrationStatusResponse is the reply to inquiryRegistrationStatus.
type InquiryRegistrationStatusResponse struct {
	Envelope
	RegistrationResult        *RegistrationResult     `json:"registrationResult"`
	PSPRegistrationResultList []PSPRegistrationResult `json:"pspRegistrationResultList"`
}

// EncodeInquiryRegistrationStatus validates and serialises the request.
func EncodeInquiryRegistrationStatus(req InquiryRegistrationStatusRequest) ([]byte, error) {
	var c check
	if req.ReferenceMerchantID == "" && req.RegistrationRequestID == "" {
		c.fail("referenceMerchantId/registrationRequestId", "one of them is required")
	}
	c.text("referenceMerchantId", req.ReferenceMerchantID, 64)
	c.text("registrationRequestId", req.RegistrationRequestID, 64)
	c.text("referenceStoreId", req.ReferenceStoreID, 32)
	if c.err != nil {
		return nil, c.err
	}
	return encodeBody(req)
}

// DecodeInquiryRegistrationStatusResponse parses a verified reply.
func DecodeInquiryRegistrationStatusResponse(body []byte) (*InquiryRegistrationStatusResponse, error) {
	return decodeReply[InquiryRegistrationStatusResponse](body)
}

// InquiryRegistrationInfoRequest asks for a registered merchant's data
// (https://docs.antom.com/ac/ams/iri).
type InquiryRegistrationInfoRequest struct {
	ReferenceMerchantID string `json:"referenceMerchantId"`        // required, <= 64
	ReferenceStoreID    string `json:"referenceStoreId,omitempty"` // <= 32
}

// InquiryRegistrationInfoResponse is the reply to inquiryRegistrationInfo.
type InquiryRegistrationInfoResponse struct {
	Envelope
	MerchantInfo *MerchantRegistrationInfo `json:"merchantInfo"`
	ProductCodes []string                  `json:"productCodes"`
	StoreInfo    json.RawMessage           `json:"storeInfo"`
}

// EncodeInquiryRegistrationInfo validates and serialises the request.
func EncodeInquiryRegistrationInfo(req InquiryRegistrationInfoRequest) ([]byte, error) {
	var c check
	c.required("referenceMerchantId", req.ReferenceMerchantID, 64)
	c.text("referenceStoreId", req.ReferenceStoreID, 32)
	if c.err != nil {
		return nil, c.err
	}
	return encodeBody(req)
}

// DecodeInquiryRegistrationInfoResponse parses a verified reply.
func DecodeInquiryRegistrationInfoResponse(body []byte) (*InquiryRegistrationInfoResponse, error) {
	return decodeReply[InquiryRegistrationInfoResponse](body)
}
