package alipay

// InquiryPaymentRequest asks for a payment's status
// (https://docs.antom.com/ac/ams/paymentri). Give PaymentRequestID (known
// even after a timed-out pay) or PaymentID; if both, PaymentID wins.
type InquiryPaymentRequest struct {
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
	PaymentID        string `json:"paymentId,omitempty"`
}

// InquiryPaymentResponse reports a payment's status. Result says whether
// the inquiry worked; PaymentStatus says how the payment stands.
type InquiryPaymentResponse struct {
	Envelope
	PaymentStatus        string `json:"paymentStatus"` // SUCCESS, FAIL, PROCESSING, CANCELLED
	PaymentResultCode    string `json:"paymentResultCode"`
	PaymentResultMessage string `json:"paymentResultMessage"`
	PaymentRequestID     string `json:"paymentRequestId"`
	PaymentID            string `json:"paymentId"`
	PaymentDetails
	AuthExpiryTime Time `json:"authExpiryTime"`
}

// EncodeInquiryPayment validates and serialises an inquiryPayment request.
func EncodeInquiryPayment(req InquiryPaymentRequest) ([]byte, error) {
	return encodePaymentLookup(req, req.PaymentRequestID, req.PaymentID)
}

// encodePaymentLookup encodes a request that names a payment by either id.
func encodePaymentLookup(req any, paymentRequestID, paymentID string) ([]byte, error) {
	var c check
	c.oneOf("paymentRequestId/paymentId", paymentRequestID, paymentID)
	c.text("paymentRequestId", paymentRequestID, 64)
	c.text("paymentId", paymentID, 64)
	if c.err != nil {
		return nil, c.err
	}
	return encodeBody(req)
}

// DecodeInquiryPaymentResponse parses a verified inquiryPayment reply.
func DecodeInquiryPaymentResponse(body []byte) (*InquiryPaymentResponse, error) {
	return decodeReply[InquiryPaymentResponse](body)
}

// CancelRequest closes (or, if paid, reverses) a whole payment
// (https://docs.antom.com/ac/ams/paymentc). Give PaymentRequestID or
// PaymentID; if both, PaymentID wins. Repeat it unchanged after U or no reply.
type CancelRequest struct {
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
	PaymentID        string `json:"paymentId,omitempty"`
}

// CancelResponse is the reply to cancel; CancelTime is set on success.
type CancelResponse struct {
	Envelope
	PaymentID        string `json:"paymentId"`
	PaymentRequestID string `json:"paymentRequestId"`
	CancelTime       Time   `json:"cancelTime"`
}

// EncodeCancel validates and serialises a cancel request.
func EncodeCancel(req CancelRequest) ([]byte, error) {
	return encodePaymentLookup(req, req.PaymentRequestID, req.PaymentID)
}

// DecodeCancelResponse parses a verified cancel reply.
func DecodeCancelResponse(body []byte) (*CancelResponse, error) {
	return decodeReply[CancelResponse](body)
}
