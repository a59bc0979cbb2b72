package queue

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// AMS is the Gateway of a real (or simulated) AMS endpoint, through the
// alipay client. It trusts only verified replies: anything the client could
// not verify is Unsure (or NotSent when no byte left).
type AMS struct {
	client *alipay.Client
}

// NewAMS returns the Gateway for an alipay client.
func NewAMS(c *alipay.Client) *AMS { return &AMS{client: c} }

var _ Gateway = (*AMS)(nil)

// call sends body and reads the verified reply into v (when v is non-nil).
// The outcome is about the call itself: the reply's resultStatus.
func (g *AMS) call(ctx context.Context, api alipay.API, body []byte, v any) (Outcome, alipay.Reply) {
	r, _ := g.client.Call(ctx, api, body)
	if !r.Verified {
		if r.Outcome == alipay.OutcomeNotSent {
			return NotSent, r
		}
		// A signed reply about another request (or none): its code may
		// raise an alert, nothing more (Reply.Claim).
		r.Result = r.Claim
		return Unsure, r
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil { // the client decoded it once already
			return Unsure, r
		}
	}
	switch r.Result.ResultStatus {
	case alipay.StatusSuccess:
		return Success, r
	case alipay.StatusFailure:
		return Failure, r
	case alipay.StatusUnknown:
		return InProcess, r
	}
	return Unsure, r
}

// Pay implements Gateway (https://docs.antom.com/ac/ams/upm,
// https://docs.antom.com/ac/ams/oc).
func (g *AMS) Pay(ctx context.Context, body []byte) PayReply {
	var resp alipay.PayResponse
	o, r := g.call(ctx, alipay.APIPay, body, &resp)
	if !wellFormed(r.Result.ResultCode, resp.PaymentID) {
		return PayReply{Outcome: Unsure}
	}
	out := PayReply{Outcome: o, Code: r.Result.ResultCode, RequestID: resp.PaymentRequestID, PaymentID: resp.PaymentID,
		Buyer: buyerOf(resp.PSPCustomerInfo)}
	if resp.OrderCodeForm != nil {
		if qr, ok := resp.OrderCodeForm.QRText(); ok {
			out.QR = qr
		}
		out.QRExpires = resp.OrderCodeForm.ExpireTime.Time
	}
	if f := resp.RedirectActionForm; f != nil && resp.OrderCodeForm == nil && webURL(f.RedirectURL) {
		out.QR = f.RedirectURL
	}
	return out
}

// buyerOf keeps the wallet name (pspName) and the customer id the gateway
// shows (displayCustomerId, else pspCustomerId, which the receipt masks)
// for the receipt: at most 32 printable characters each, or nothing
// (https://docs.antom.com/ac/ams/upm, pspCustomerInfo).
func buyerOf(info *alipay.PSPCustomerInfo) Buyer {
	if info == nil {
		return Buyer{}
	}
	clean := func(s string) string {
		if len(s) > 32 {
			return ""
		}
		for _, r := range s {
			if r < 0x20 || r == 0x7F || r == utf8.RuneError || (r >= 0x80 && r < 0xA0) || r >= 0x2000 && r < 0x2070 {
				return ""
			}
		}
		return s
	}
	id := clean(info.DisplayCustomerID)
	if id == "" {
		id = clean(info.PSPCustomerID)
	}
	return Buyer{Wallet: clean(info.PSPName), CustomerID: id}
}

// InquirePayment implements Gateway (https://docs.antom.com/ac/ams/paymentri).
func (g *AMS) InquirePayment(ctx context.Context, paymentRequestID string) InquiryReply {
	body, err := alipay.EncodeInquiryPayment(alipay.InquiryPaymentRequest{PaymentRequestID: paymentRequestID})
	if err != nil {
		return InquiryReply{Outcome: NotSent, Code: CodeLocalInvalid}
	}
	var resp alipay.InquiryPaymentResponse
	o, r := g.call(ctx, alipay.APIInquiryPayment, body, &resp)
	if !wellFormed(r.Result.ResultCode, resp.PaymentID) || !wellFormed(resp.PaymentResultCode) {
		return InquiryReply{Outcome: Unsure}
	}
	out := InquiryReply{Outcome: o, Code: r.Result.ResultCode, Status: PaymentStatus(r.Status),
		RequestID: resp.PaymentRequestID, Amount: resp.PaymentAmount, PaymentID: resp.PaymentID,
		Buyer: buyerOf(resp.PSPCustomerInfo)}
	if o == Success && resp.PaymentResultCode != "" {
		out.Code = resp.PaymentResultCode // why it failed, for the record
	}
	return out
}

// Cancel implements Gateway (https://docs.antom.com/ac/ams/paymentc).
func (g *AMS) Cancel(ctx context.Context, paymentRequestID string) CancelReply {
	body, err := alipay.EncodeCancel(alipay.CancelRequest{PaymentRequestID: paymentRequestID})
	if err != nil {
		return CancelReply{Outcome: NotSent, Code: CodeLocalInvalid}
	}
	var resp alipay.CancelResponse
	o, r := g.call(ctx, alipay.APICancel, body, &resp)
	if !wellFormed(r.Result.ResultCode) {
		return CancelReply{Outcome: Unsure}
	}
	return CancelReply{Outcome: o, Code: r.Result.ResultCode, RequestID: resp.PaymentRequestID}
}

// Refund implements Gateway (https://docs.antom.com/ac/ams/refund). A
// payment whose paymentId the outbox never learnt is looked up first.
func (g *AMS) Refund(ctx context.Context, rc RefundCall) RefundReply {
	if rc.PaymentID == "" {
		inq := g.InquirePayment(ctx, rc.PaymentRequestID)
		if inq.PaymentID == "" {
			return RefundReply{Outcome: inq.Outcome}
		}
		rc.PaymentID = inq.PaymentID
	}
	body, err := alipay.EncodeRefund(alipay.RefundRequest{
		RefundRequestID: rc.RefundRequestID, PaymentID: rc.PaymentID,
		RefundAmount: rc.Amount, RefundReason: rc.Reason,
	})
	if err != nil {
		return RefundReply{Outcome: NotSent, Code: CodeLocalInvalid}
	}
	var resp alipay.RefundResponse
	o, r := g.call(ctx, alipay.APIRefund, body, &resp)
	if !wellFormed(r.Result.ResultCode, resp.RefundID) {
		return RefundReply{Outcome: Unsure}
	}
	return RefundReply{Outcome: o, Code: r.Result.ResultCode, RefundRequestID: resp.RefundRequestID,
		Amount: resp.RefundAmount, RefundID: resp.RefundID}
}

// InquireRefund implements Gateway (https://docs.antom.com/ac/ams/ir).
func (g *AMS) InquireRefund(ctx context.Context, refundRequestID string) RefundReply {
	body, err := alipay.EncodeInquiryRefund(alipay.InquiryRefundRequest{RefundRequestID: refundRequestID})
	if err != nil {
		return RefundReply{Outcome: NotSent, Code: CodeLocalInvalid}
	}
	var resp alipay.InquiryRefundResponse
	o, r := g.call(ctx, alipay.APIInquiryRefund, body, &resp)
	if !wellFormed(r.Result.ResultCode, resp.RefundID) {
		return RefundReply{Outcome: Unsure}
	}
	return RefundReply{Outcome: o, Code: r.Result.ResultCode, RefundRequestID: resp.RefundRequestID,
		Amount: resp.RefundAmount, RefundID: resp.RefundID, Status: PaymentStatus(r.Status)}
}

// maxGatewayID is the length AMS gives paymentId, refundId and resultCode
// (https://docs.antom.com/ac/ams/paymentri: String, max 64).
const maxGatewayID = 64

// wellFormed reports whether the ids and result codes of a verified reply
// may be stored: they reach receipts, the customer display, the till and
// the CSV export. AMS uses letters, digits and a few separators; anything
// else (a formula, a control character, a line of text) makes the reply
// unusable, so the call counts as unsure and is inquired again. Empty is
// allowed: many replies carry no id.
func wellFormed(ids ...string) bool {
	for _, id := range ids {
		if len(id) > maxGatewayID {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-' || c == '.' || c == ':') {
				return false
			}
		}
	}
	return true
}

// maxRedirectURL bounds a stored redirectUrl: it reaches a Location header.
const maxRedirectURL = 2048

// webURL reports whether s may be sent to a wallet as a Location: an
// absolute http(s) URL with a host, no control characters, of sane length.
// A signed reply carrying anything else is answered like one without a
// code (resolved by inquiry).
func webURL(s string) bool {
	if s == "" || len(s) > maxRedirectURL {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// Shop is who takes the money, as every in-store pay names it.
type Shop struct {
	MerchantID   string // order.merchant.referenceMerchantId
	MerchantName string
	MCC          string // merchant and store category code
	StoreID      string // order.merchant.store.referenceStoreId
	StoreName    string // empty: the merchant's name
	TerminalID   string // order.env.storeTerminalId
	OrderTitle   string // order.orderDescription
	NotifyURL    string // paymentNotifyUrl
}

// InStorePay is one attempt to take money at the till.
type InStorePay struct {
	RequestID    string // paymentRequestId, also the sale's referenceOrderId
	Scenario     Scenario
	Amount       money.Amount
	CustomerCode string // the buyer's code, PaymentCode only
	UserAgent    string // the wallet's User-Agent exactly as received, EntryCode only
	RedirectURL  string // paymentRedirectUrl (posd's result page), EntryCode only
	At           time.Time
	ExpiresAt    time.Time // paymentExpiryTime, whole seconds
}

// EncodePay builds the pay request once, beside the other AMS requests
// the outbox sends, and returns what Engine.Pay commits: the body it
// sends byte for byte on every retry (https://docs.antom.com/ac/ams/oc,
// https://docs.antom.com/ac/ams/upm).
func EncodePay(shop Shop, p InStorePay) (PaymentRequest, error) {
	body, err := alipay.EncodePay(alipay.PayRequest{
		PaymentRequestID: p.RequestID,
		Order: alipay.Order{
			ReferenceOrderID: p.RequestID,
			OrderDescription: shop.OrderTitle,
			Merchant: alipay.Merchant{
				ReferenceMerchantID: shop.MerchantID, MerchantName: shop.MerchantName, MerchantMCC: shop.MCC,
				Store: alipay.Store{ReferenceStoreID: shop.StoreID, StoreName: cmp.Or(shop.StoreName, shop.MerchantName), StoreMCC: shop.MCC},
			},
			Env: alipay.Env{StoreTerminalID: shop.TerminalID, StoreTerminalRequestTime: alipay.NewTime(p.At), UserAgent: p.UserAgent},
		},
		PaymentAmount:      p.Amount,
		PaymentMethod:      alipay.PaymentMethod{PaymentMethodType: alipay.PaymentMethodConnectWallet, PaymentMethodID: p.CustomerCode},
		PaymentFactor:      alipay.PaymentFactor{InStorePaymentScenario: alipay.Scenario(p.Scenario)},
		PaymentExpiryTime:  alipay.NewTime(p.ExpiresAt),
		PaymentNotifyURL:   shop.NotifyURL,
		PaymentRedirectURL: p.RedirectURL,
	})
	if err != nil {
		return PaymentRequest{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return PaymentRequest{RequestID: p.RequestID, SaleID: p.RequestID, Scenario: p.Scenario, Amount: p.Amount,
		Body: body, ExpiresAt: p.ExpiresAt}, nil
}
