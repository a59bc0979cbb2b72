package queue

import "github.com/posd/posd/alipay"

// stopAfter is how many answers in a row must carry a stop code that
// cannot stop the till on its own: one claimed by a reply that could not
// be trusted (unsigned, or about another request), or a signature code,
// which one corrupted request can also earn.
const stopAfter = 3

// stopWatch decides from the gateway's answers when posd must stop taking
// new payments: a merchant or configuration code in alipay's action table
// (alipay.ActionStop). It is pure; the engine keeps one.
type stopWatch struct {
	run  int    // stop codes in a row that count only when repeated
	code string // the last of them
}

// observe takes one answer and reports whether to stop, with the code.
func (w *stopWatch) observe(ev event) (bool, string) {
	o, code := answerOf(ev)
	if code == "" || o == NotSent {
		return false, ""
	}
	status := alipay.StatusFailure
	switch o {
	case Success:
		status = alipay.StatusSuccess
	case InProcess:
		status = alipay.StatusUnknown
	}
	if alipay.LookupCode(apiOf(ev.Kind), code, status).Action != alipay.ActionStop {
		if o != Unsure {
			w.run, w.code = 0, "" // a trusted answer that is not a stop code
		}
		return false, ""
	}
	if o == Failure && code != alipay.CodeSignatureInvalid && code != alipay.CodeInvalidSignature {
		return true, code
	}
	w.run, w.code = w.run+1, code
	return w.run >= stopAfter, code
}

// answerOf is the outcome and code an answer event carries.
func answerOf(ev event) (Outcome, string) {
	switch ev.Kind {
	case evPayAnswer:
		return ev.Pay.Outcome, ev.Pay.Code
	case evInquiryAnswer:
		return ev.Inquiry.Outcome, ev.Inquiry.Code
	case evCancelAnswer:
		return ev.Cancel.Outcome, ev.Cancel.Code
	case evRefundAnswer, evRefundInquiryAnswer:
		return ev.Refund.Outcome, ev.Refund.Code
	}
	return Unsure, ""
}

// apiOf is the AMS API an answer event comes from.
func apiOf(k eventKind) alipay.API {
	switch k {
	case evInquiryAnswer:
		return alipay.APIInquiryPayment
	case evCancelAnswer:
		return alipay.APICancel
	case evRefundAnswer:
		return alipay.APIRefund
	case evRefundInquiryAnswer:
		return alipay.APIInquiryRefund
	}
	return alipay.APIPay
}
