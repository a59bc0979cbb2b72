package alipay

import "github.com/posd/posd/money"

// RefundRequest returns all or part of a successful payment
// (https://docs.antom.com/ac/ams/refund). RefundRequestID is the
// idempotency key: derive it from the payment (e.g. "<paymentRequestId>-R1")
// and reuse it on every retry.
type RefundRequest struct {
	RefundRequestID   string       `json:"refundRequestId"`             // <= 64
	PaymentID         string       `json:"paymentId"`                   // the platform id of the successful payment
	ReferenceRefundID string       `json:"referenceRefundId,omitempty"` // merchant's own id, <= 64
	RefundAmount      money.Amount `json:"refundAmount"`                // same currency as the payment
	RefundReason      string       `json:"refundReason,omitempty"`      // <= 256
}

// RefundResponse is the reply to refund.
type RefundResponse struct {
	Envelope
	RefundRequestID       string        `json:"refundRequestId"`
	RefundID              string        `json:"refundId"`
	PaymentID             string        `json:"paymentId"`
	RefundAmount          *money.Amount `json:"refundAmount"`
	RefundTime            Time          `json:"refundTime"`
	GrossSettlementAmount *money.Amount `json:"grossSettlementAmount"`
	SettlementQuote       *Quote        `json:"settlementQuote"`
}

// EncodeRefund validates and serialises a refund request.
func EncodeRefund(req RefundRequest) ([]byte, error) {
	var c check
	c.required("refundRequestId", req.RefundRequestID, 64)
	c.required("paymentId", req.PaymentID, 64)
	c.text("referenceRefundId", req.ReferenceRefundID, 64)
	c.amount("refundAmount", req.RefundAmount)
	c.text("refundReason", req.RefundReason, 256)
	if c.err != nil {
		return nil, c.err
	}
	return encodeBody(req)
}

// DecodeRefundResponse parses a verified refund reply.
func DecodeRefundResponse(body []byte) (*RefundResponse, error) {
	return decodeReply[RefundResponse](body)
}

// InquiryRefundRequest asks for a refund's status
// (https://docs.antom.com/ac/ams/ir). Give RefundRequestID or RefundID; if
// both, RefundID wins.
type InquiryRefundRequest struct {
	RefundRequestID string `json:"refundRequestId,omitempty"`
	RefundID        string `json:"refundId,omitempty"`
}

// InquiryRefundResponse reports a refund's status at Antom.
type InquiryRefundResponse struct {
	Envelope
	RefundID              string        `json:"refundId"`
	RefundRequestID       string        `json:"refundRequestId"`
	RefundAmount          *money.Amount `json:"refundAmount"`
	RefundStatus          string        `json:"refundStatus"` // SUCCESS, PROCESSING, FAIL
	RefundTime            Time          `json:"refundTime"`
	GrossSettlementAmount *money.Amount `json:"grossSettlementAmount"`
	SettlementQuote       *Quote        `json:"settlementQuote"`
}

// EncodeInquiryRefund validates and serialises an inquiryRefund request.
func EncodeInquiryRefund(req InquiryRefundRequest) ([]byte, error) {
	var c check
	c.oneOf("refundRequestId/refundId", req.RefundRequestID, req.RefundID)
	c.text("refundRequestId", req.RefundRequestID, 64)
	c.text("refundId", req.RefundID, 64)
	if c.err != nil {
		return nil, c.err
	}
	return encodeBody(req)
}

// DecodeInquiryRefundResponse parses a verified inquiryRefund reply.
func DecodeInquiryRefundResponse(body []byte) (*InquiryRefundResponse, error) {
	return decodeReply[InquiryRefundResponse](body)
}
