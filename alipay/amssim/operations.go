package amssim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"time"

	"github.com/posd/posd/alipay"
)

// operation is a decoded, authenticated AMS request ready to run against
// the book. count and run are called with sim.mu held.
type operation struct {
	ids   string        // ids named by the request, for the log line
	count func(b *book) // records the call (even if a fault drops it)
	exec  func(time.Time) (alipay.Result, any, bool)
	res   alipay.Result
	reply any
	hang  bool   // a sandbox timeout amount: never answer
	fault *Fault // the fault hitting this request, set before run
}

func (op *operation) run(now time.Time) { op.res, op.reply, op.hang = op.exec(now) }

func countPay(c *Calls)            { c.Pay++ }
func countInquiryPayment(c *Calls) { c.InquiryPayment++ }
func countCancel(c *Calls)         { c.Cancel++ }
func countRefund(c *Calls)         { c.Refund++ }
func countInquiryRefund(c *Calls)  { c.InquiryRefund++ }

// decode builds the operation for api from a verified body.
func (sim *Simulator) decode(api alipay.API, clientID string, body []byte, requestBase string) (*operation, error) {
	b := func() *book { return sim.b }
	switch api {
	case alipay.APIPay:
		preq, err := decodePay(body, sim.s.Now())
		if err != nil {
			return nil, err
		}
		req := preq.PayRequest
		base := requestBase
		if sim.s.base != nil {
			base = sim.s.base.Scheme + "://" + sim.s.base.Host
		}
		in := payInput{
			ClientID: clientID, Req: req, BaseURL: base,
			Expiry: sim.s.scaled(sim.s.PaymentExpiry), Delay: sim.s.scaled(sim.s.PasswordDelay),
			Token: sim.token, Body: body, SettlementCurrency: preq.settlementCurrency,
		}
		if sim.s.RequireRegistration {
			in.Registered = func(id string) bool {
				r := sim.b.registrationOf(clientID, id)
				return r != nil && r.Status == RegistrationCompleted
			}
		}
		return &operation{
			ids:   "paymentRequestId=" + req.PaymentRequestID,
			count: func(b *book) { b.count(clientID, req.PaymentRequestID, "", countPay) },
			exec: func(now time.Time) (alipay.Result, any, bool) {
				res, p := b().pay(in, now)
				reply := payReplyOf(res, p, req.PaymentRequestID)
				if p != nil && sim.s.SandboxAmounts {
					switch p.Amount.Value {
					case sandboxPayUnknown:
						res = result(alipay.StatusUnknown, alipay.CodeUnknownException, "sandbox amount 9901")
						reply = payReply{Result: res, PaymentRequestID: req.PaymentRequestID}
					case sandboxPayTimeout:
						return res, reply, true
					}
				}
				return res, reply, false
			},
		}, nil
	case alipay.APIInquiryPayment:
		rid, pid, err := decodeLookup(body)
		if err != nil {
			return nil, err
		}
		req := alipay.InquiryPaymentRequest{PaymentRequestID: rid, PaymentID: pid}
		return &operation{
			ids:   lookupIDs(req.PaymentRequestID, req.PaymentID),
			count: func(b *book) { b.count(clientID, req.PaymentRequestID, req.PaymentID, countInquiryPayment) },
			exec: func(now time.Time) (alipay.Result, any, bool) {
				res, p := b().inquire(clientID, req.PaymentRequestID, req.PaymentID, now)
				if p != nil && sim.s.SandboxAmounts {
					switch p.Amount.Value {
					case sandboxInquiryUnknown:
						res = result(alipay.StatusUnknown, alipay.CodeUnknownException, "sandbox amount 9903")
						return res, resultOnly{res}, false
					case sandboxInquiryTimeout:
						return res, nil, true
					}
				}
				return res, inquiryReplyOf(res, p), false
			},
		}, nil
	case alipay.APICancel:
		rid, pid, err := decodeLookup(body)
		if err != nil {
			return nil, err
		}
		req := alipay.CancelRequest{PaymentRequestID: rid, PaymentID: pid}
		return &operation{
			ids:   lookupIDs(req.PaymentRequestID, req.PaymentID),
			count: func(b *book) { b.count(clientID, req.PaymentRequestID, req.PaymentID, countCancel) },
			exec: func(now time.Time) (alipay.Result, any, bool) {
				res, p := b().cancel(clientID, req.PaymentRequestID, req.PaymentID, sim.s.CancelWindow, now)
				reply := cancelReply{Result: res, PaymentRequestID: req.PaymentRequestID, PaymentID: req.PaymentID}
				if p != nil {
					reply.PaymentRequestID, reply.PaymentID = p.PaymentRequestID, p.PaymentID
					if res.ResultStatus == alipay.StatusSuccess {
						reply.CancelTime = alipay.NewTime(p.CancelledAt)
					}
				}
				return res, reply, false
			},
		}, nil
	case alipay.APIRefund:
		req, err := decodeRefund(body)
		if err != nil {
			return nil, err
		}
		op := &operation{
			ids: "refundRequestId=" + req.RefundRequestID + " paymentId=" + req.PaymentID,
			count: func(b *book) {
				b.count(clientID, "", req.PaymentID, countRefund)
				b.countRefund(clientID, req.RefundRequestID, "", func(c *RefundCalls) { c.Refund++ })
			},
		}
		op.exec = func(now time.Time) (alipay.Result, any, bool) {
			in := refundInput{ClientID: clientID, Req: req, Window: sim.s.RefundWindow, Delay: sim.s.scaled(sim.s.RefundDelay)}
			if op.fault != nil && op.fault.Kind == FaultRefundProcessing {
				in.Delay = time.Duration(op.fault.DelayMs) * time.Millisecond
				if in.Delay == 0 {
					in.Delay = cmp.Or(in.Delay, sim.s.scaled(sim.s.RefundDelay), sim.s.scaled(DefaultRefundProcessing))
				}
			}
			res, r := b().refund(in, now)
			return res, refundReplyOf(res, r, req), false
		}
		return op, nil
	case alipay.APIInquiryRefund:
		req, err := decodeInquiryRefund(body)
		if err != nil {
			return nil, err
		}
		return &operation{
			ids: fmt.Sprintf("refundRequestId=%s refundId=%s", req.RefundRequestID, req.RefundID),
			count: func(b *book) {
				b.countRefund(clientID, req.RefundRequestID, req.RefundID, func(c *RefundCalls) { c.InquiryRefund++ })
				if r := b.findRefund(clientID, req.RefundRequestID, req.RefundID); r != nil {
					b.count(clientID, "", r.PaymentID, countInquiryRefund)
				}
			},
			exec: func(now time.Time) (alipay.Result, any, bool) {
				r := b().findRefund(clientID, req.RefundRequestID, req.RefundID)
				if r != nil {
					advanceRefund(r, now)
				}
				reply := inquiryRefundReplyOf(r)
				return reply.Result, reply, false
			},
		}, nil
	}
	return sim.decodeRegistration(api, clientID, body)
}

func lookupIDs(requestID, paymentID string) string {
	return fmt.Sprintf("paymentRequestId=%s paymentId=%s", requestID, paymentID)
}

// decodeRegistration builds the merchant registration operations.
func (sim *Simulator) decodeRegistration(api alipay.API, clientID string, body []byte) (*operation, error) {
	noCount := func(*book) {}
	switch api {
	case alipay.APIRegistration:
		req, err := decodeRegistration(body)
		if err != nil {
			return nil, err
		}
		return &operation{
			ids:   "registrationRequestId=" + req.RegistrationRequestID,
			count: noCount,
			exec: func(now time.Time) (alipay.Result, any, bool) {
				res := sim.b.register(clientID, req, sim.s.scaled(sim.s.RegistrationDelay), now)
				return res, registrationReply{Result: res, PassThroughInfo: req.PassThroughInfo}, false
			},
		}, nil
	case alipay.APIInquiryRegistrationStatus:
		req, err := decodeRegistrationStatus(body)
		if err != nil {
			return nil, err
		}
		return &operation{
			ids:   "referenceMerchantId=" + req.ReferenceMerchantID,
			count: noCount,
			exec: func(now time.Time) (alipay.Result, any, bool) {
				r := sim.b.Registrations[key(clientID, req.RegistrationRequestID)]
				if req.RegistrationRequestID == "" {
					r = sim.b.registrationOf(clientID, req.ReferenceMerchantID)
				}
				switch {
				case r == nil:
					res := fail(alipay.CodeRecordNotFound, "no registration for those ids")
					return res, resultOnly{res}, false
				case req.ReferenceMerchantID != "" && r.ReferenceMerchantID != req.ReferenceMerchantID:
					// https://docs.antom.com/ac/ams_zh-cn/irs: change the registrationRequestId and retry.
					res := fail(alipay.CodeRepeatReqInconsistent, "registrationRequestId belongs to another merchant")
					return res, resultOnly{res}, false
				}
				sim.b.advanceRegistration(r, now)
				overall, psp := registrationResults(r)
				return resultSuccess, registrationStatusReply{Result: resultSuccess, RegistrationResult: &overall, PSPRegistrationResultList: psp}, false
			},
		}, nil
	case alipay.APIInquiryRegistrationInfo:
		req, err := decodeRegistrationInfo(body)
		if err != nil {
			return nil, err
		}
		return &operation{
			ids:   "referenceMerchantId=" + req.ReferenceMerchantID,
			count: noCount,
			exec: func(now time.Time) (alipay.Result, any, bool) {
				r := sim.b.registrationOf(clientID, req.ReferenceMerchantID)
				var orig alipay.RegistrationRequest
				if r == nil || json.Unmarshal(r.Request, &orig) != nil {
					res := fail(alipay.CodeRecordNotFound, "merchant not registered")
					return res, resultOnly{res}, false
				}
				sim.b.advanceRegistration(r, now)
				return resultSuccess, registrationInfoReply{Result: resultSuccess, MerchantInfo: &orig.MerchantInfo,
					ProductCodes: orig.ProductCodes, StoreInfo: orig.StoreInfo}, false
			},
		}, nil
	}
	return nil, paramf("no such API")
}

// token makes a wallet token: 16 hex digits from the seeded generator.
// The caller holds sim.mu.
func (sim *Simulator) token() string { return fmt.Sprintf("%016x", sim.rng.Uint64()) }
