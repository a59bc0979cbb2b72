package amssim

import (
	"encoding/json"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// Reply bodies. They hold the same fields as the alipay response types but
// omit what is unset, as the gateway does; the nested objects are alipay's.

type payReply struct {
	Result             alipay.Result              `json:"result"`
	PaymentRequestID   string                     `json:"paymentRequestId,omitempty"`
	PaymentID          string                     `json:"paymentId,omitempty"`
	PaymentAmount      *money.Amount              `json:"paymentAmount,omitempty"`
	PaymentCreateTime  alipay.Time                `json:"paymentCreateTime,omitzero"`
	PaymentTime        alipay.Time                `json:"paymentTime,omitzero"`
	PSPCustomerInfo    *alipay.PSPCustomerInfo    `json:"pspCustomerInfo,omitempty"`
	OrderCodeForm      *alipay.OrderCodeForm      `json:"orderCodeForm,omitempty"`
	RedirectActionForm *alipay.RedirectActionForm `json:"redirectActionForm,omitempty"`
}

type inquiryPaymentReply struct {
	Result               alipay.Result           `json:"result"`
	PaymentStatus        string                  `json:"paymentStatus,omitempty"`
	PaymentResultCode    string                  `json:"paymentResultCode,omitempty"`
	PaymentResultMessage string                  `json:"paymentResultMessage,omitempty"`
	PaymentRequestID     string                  `json:"paymentRequestId,omitempty"`
	PaymentID            string                  `json:"paymentId,omitempty"`
	PaymentAmount        *money.Amount           `json:"paymentAmount,omitempty"`
	PaymentCreateTime    alipay.Time             `json:"paymentCreateTime,omitzero"`
	PaymentTime          alipay.Time             `json:"paymentTime,omitzero"`
	PSPCustomerInfo      *alipay.PSPCustomerInfo `json:"pspCustomerInfo,omitempty"`
}

type cancelReply struct {
	Result           alipay.Result `json:"result"`
	PaymentID        string        `json:"paymentId,omitempty"`
	PaymentRequestID string        `json:"paymentRequestId,omitempty"`
	CancelTime       alipay.Time   `json:"cancelTime,omitzero"`
}

type refundReply struct {
	Result          alipay.Result `json:"result"`
	RefundRequestID string        `json:"refundRequestId,omitempty"`
	RefundID        string        `json:"refundId,omitempty"`
	PaymentID       string        `json:"paymentId,omitempty"`
	RefundAmount    *money.Amount `json:"refundAmount,omitempty"`
	RefundTime      alipay.Time   `json:"refundTime,omitzero"`
}

type inquiryRefundReply struct {
	Result          alipay.Result `json:"result"`
	RefundID        string        `json:"refundId,omitempty"`
	RefundRequestID string        `json:"refundRequestId,omitempty"`
	RefundAmount    *money.Amount `json:"refundAmount,omitempty"`
	RefundStatus    string        `json:"refundStatus,omitempty"`
	RefundTime      alipay.Time   `json:"refundTime,omitzero"`
}

type registrationReply struct {
	Result          alipay.Result `json:"result"`
	PassThroughInfo string        `json:"passThroughInfo,omitempty"`
}

type registrationStatusReply struct {
	Result                    alipay.Result                  `json:"result"`
	RegistrationResult        *alipay.RegistrationResult     `json:"registrationResult,omitempty"`
	PSPRegistrationResultList []alipay.PSPRegistrationResult `json:"pspRegistrationResultList,omitempty"`
}

type registrationInfoReply struct {
	Result       alipay.Result                    `json:"result"`
	MerchantInfo *alipay.MerchantRegistrationInfo `json:"merchantInfo,omitempty"`
	ProductCodes []string                         `json:"productCodes,omitempty"`
	StoreInfo    json.RawMessage                  `json:"storeInfo,omitempty"`
}

// resultOnly is the reply to a request refused before any API logic.
type resultOnly struct {
	Result alipay.Result `json:"result"`
}

// payReplyOf describes a payment in a pay reply.
func payReplyOf(res alipay.Result, p *payment, requestID string) payReply {
	r := payReply{Result: res, PaymentRequestID: requestID}
	if p == nil {
		return r
	}
	amount := p.Amount
	r.PaymentID, r.PaymentAmount, r.PaymentCreateTime = p.PaymentID, &amount, alipay.NewTime(p.CreatedAt)
	if res.ResultStatus == alipay.StatusFailure {
		return r
	}
	switch p.Scenario {
	case alipay.ScenarioOrderCode:
		r.OrderCodeForm = &alipay.OrderCodeForm{
			PaymentMethodType: alipay.PaymentMethodConnectWallet,
			ExpireTime:        alipay.NewTime(p.ExpiresAt),
			CodeDetails:       []alipay.CodeDetail{{CodeValue: p.CodeValue, CodeValueType: "QRCODE", DisplayType: "TEXT"}},
		}
	case alipay.ScenarioEntryCode:
		r.RedirectActionForm = &alipay.RedirectActionForm{Method: "SCAN", RedirectURL: p.CodeValue}
	default:
		if p.Status == StatusSuccess && res.ResultStatus == alipay.StatusSuccess {
			r.PaymentTime, r.PSPCustomerInfo = alipay.NewTime(p.FinishedAt), customerInfo()
		}
	}
	return r
}

// inquiryReplyOf describes a payment in an inquiryPayment reply.
func inquiryReplyOf(res alipay.Result, p *payment) inquiryPaymentReply {
	r := inquiryPaymentReply{Result: res}
	if p == nil {
		return r
	}
	amount := p.Amount
	r.PaymentStatus, r.PaymentResultCode = p.Status, p.ResultCode
	r.PaymentResultMessage = statusMessage(p)
	r.PaymentRequestID, r.PaymentID, r.PaymentAmount = p.PaymentRequestID, p.PaymentID, &amount
	r.PaymentCreateTime = alipay.NewTime(p.CreatedAt)
	if !p.FinishedAt.IsZero() {
		r.PaymentTime = alipay.NewTime(p.FinishedAt)
	}
	if p.Status == StatusSuccess {
		r.PSPCustomerInfo = customerInfo()
	}
	return r
}

func statusMessage(p *payment) string {
	switch {
	case p.Status == StatusSuccess:
		return "success"
	case p.Status == StatusProcessing && !p.ScannedAt.IsZero():
		return "customer opened the code, not yet confirmed"
	case p.Status == StatusProcessing:
		return "waiting for the customer"
	case p.Reversed:
		return "paid, then cancelled: reversed in full"
	case p.Closed:
		return "expired unpaid"
	case p.Status == StatusCancelled:
		return "cancelled"
	}
	return "payment failed"
}

func refundReplyOf(res alipay.Result, r *Refund, req alipay.RefundRequest) refundReply {
	out := refundReply{Result: res, RefundRequestID: req.RefundRequestID, PaymentID: req.PaymentID}
	if r == nil || res.ResultStatus == alipay.StatusFailure {
		return out
	}
	if r.Status != alipay.RefundStatusSuccess {
		out.RefundID = r.RefundID // accepted: its id is known, its time is not
		return out
	}
	amount := r.Amount
	out.RefundID, out.RefundAmount, out.RefundTime = r.RefundID, &amount, alipay.NewTime(r.RefundTime)
	return out
}

func inquiryRefundReplyOf(r *Refund) inquiryRefundReply {
	if r == nil {
		return inquiryRefundReply{Result: resultNotExist}
	}
	amount := r.Amount
	reply := inquiryRefundReply{
		Result: resultSuccess, RefundID: r.RefundID, RefundRequestID: r.RefundRequestID,
		RefundAmount: &amount, RefundStatus: r.Status,
	}
	if !r.RefundTime.IsZero() {
		reply.RefundTime = alipay.NewTime(r.RefundTime)
	}
	return reply
}
