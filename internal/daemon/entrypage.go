package daemon

import (
	"fmt"
	"github.com/posd/posd/internal/lang"
	"html"
	"net/http"
	"strings"

	"github.com/posd/posd/money"
)

// textID names one text of the entry page. Every text the page shows is
// in entryTexts below, a key of the message catalog (internal/lang), shown
// in Chinese and English.
type textID string

const (
	txtTitle        textID = "title"
	txtAmount       textID = "amount"
	txtPay          textID = "pay"
	txtConfirm      textID = "confirm"
	txtOpenInAlipay textID = "open-in-alipay"
	txtAskCashier   textID = "ask-cashier"
	txtExpired      textID = "expired"
	txtBadAmount    textID = "bad-amount"
	txtTooSmall     textID = "too-small"
	txtTooLarge     textID = "too-large"
	txtChanged      textID = "changed"
	txtBusy         textID = "busy"
	txtUnavailable  textID = "unavailable"
	txtTooMany      textID = "too-many"
	txtNotFound     textID = "not-found"
	txtPaid         textID = "paid"
	txtRefunded     textID = "refunded"
	txtNotPaid      textID = "not-paid"
	txtChecking     textID = "checking"
	txtProcessing   textID = "processing"
	txtContinue     textID = "continue"
	txtScanAgain    textID = "scan-again"
)

// entryTexts are the page's words, as keys of the message catalog
// (internal/lang): the page shows each in Chinese, then in English.
var entryTexts = map[textID]string{
	txtTitle:        "Pay with Alipay",
	txtAmount:       "Amount",
	txtPay:          "Pay",
	txtConfirm:      "Confirm and pay",
	txtOpenInAlipay: "Please scan the code with the Alipay app to open this page.",
	txtAskCashier:   "Please ask the cashier to enter the amount, then scan again.",
	txtExpired:      "This page has expired. Please scan the code again.",
	txtBadAmount:    "Please enter a valid amount, for example 12.34.",
	txtTooSmall:     "The amount is below the minimum.",
	txtTooLarge:     "The amount is above the maximum.",
	txtChanged:      "The cashier changed the amount. Please scan the code again.",
	txtBusy:         "The till is busy. Please wait or ask the cashier.",
	txtUnavailable:  "Payment is not possible right now; you were not charged. Please ask the cashier.",
	txtTooMany:      "Too many requests. Please try again shortly.",
	txtNotFound:     "Page not found.",
	txtPaid:         "Paid",
	txtRefunded:     "Refunded",
	txtNotPaid:      "Not paid: you were not charged.",
	txtChecking:     "The payment is being checked. Please ask the cashier.",
	txtProcessing:   "Processing, please wait…",
	txtContinue:     "Continue in Alipay",
	txtScanAgain:    "Start again",
}

// The page's two languages.
var entryZH, entryEN = lang.New(lang.SimplifiedChinese), lang.New(lang.English)

// both is a text in the page's two languages, Chinese first.
func both(id textID) [2]string {
	key := entryTexts[id]
	return [2]string{entryZH.T(key), entryEN.T(key)}
}

// words writes a text in both languages.
func words(b *strings.Builder, tag string, id textID) {
	key := entryTexts[id]
	fmt.Fprintf(b, `<%s><span lang="zh-CN">%s</span> <span lang="en">%s</span></%s>`, tag, html.EscapeString(entryZH.T(key)), html.EscapeString(entryEN.T(key)), tag)
}

// pageView is one rendering of the entry or result page.
type pageView struct {
	Form     bool // the amount form
	Token    string
	Preset   money.Amount // preset mode: shown read-only
	Typed    string       // what the customer typed, shown again after a problem
	Notice   textID
	Result   bool // the result page
	Amount   money.Amount
	Refresh  bool   // the result page reloads itself (no script)
	Continue string // the wallet URL, while the payment waits for the buyer
}

const entryStyle = `body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f5f5;color:#222}` +
	`main{max-width:28rem;margin:0 auto;padding:1.5rem}h1{font-size:1.3rem;margin:.2rem 0}.store{color:#666;margin:0 0 1.5rem}` +
	`h2{font-size:1.4rem}label{display:block;margin-bottom:.5rem}span[lang=en]{display:block;font-size:.85em;color:#555}` +
	`input[name=amount]{width:100%;box-sizing:border-box;font-size:2rem;padding:.5rem;border:1px solid #bbb;border-radius:.4rem}` +
	`button,a.btn{display:block;width:100%;margin-top:1rem;padding:.9rem;font-size:1.2rem;border:0;border-radius:.4rem;background:#1677ff;color:#fff;text-align:center;text-decoration:none}` +
	`.notice{background:#fff3cd;padding:.8rem;border-radius:.4rem}.amount{font-size:2rem;font-weight:600}`

// render writes the page; every value goes through html.EscapeString.
func (h *entryHandler) render(v pageView) string {
	e := html.EscapeString
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`)
	if v.Refresh {
		b.WriteString(`<meta http-equiv="refresh" content="3">`)
	}
	t := both(txtTitle)
	fmt.Fprintf(&b, `<title>%s %s</title><style>%s</style></head><body><main>`, e(t[0]), e(t[1]), entryStyle)
	fmt.Fprintf(&b, `<h1 id="merchant">%s</h1>`, e(h.cfg.Merchant))
	if h.cfg.Store != "" && h.cfg.Store != h.cfg.Merchant {
		fmt.Fprintf(&b, `<p class="store" id="store">%s</p>`, e(h.cfg.Store))
	}
	if v.Notice != "" {
		if v.Result {
			words(&b, "h2", v.Notice)
		} else {
			b.WriteString(`<div class="notice" id="notice">`)
			words(&b, "p", v.Notice)
			b.WriteString(`</div>`)
		}
	}
	if v.Result && v.Amount.Value > 0 {
		fmt.Fprintf(&b, `<p class="amount" id="amount">%s</p>`, e(v.Amount.String()))
	}
	if v.Continue != "" {
		t := both(txtContinue)
		fmt.Fprintf(&b, `<a class="btn" id="continue" href="%s">%s %s</a>`, e(v.Continue), e(t[0]), e(t[1]))
	}
	if v.Form {
		fmt.Fprintf(&b, `<form method="post" action="%s" autocomplete="off">`, e(h.cfg.Path))
		fmt.Fprintf(&b, `<input type="hidden" name="token" value="%s">`, e(v.Token))
		t := both(txtAmount)
		fmt.Fprintf(&b, `<label for="amount"><span lang="zh-CN">%s</span> <span lang="en">%s</span> (%s)</label>`, e(t[0]), e(t[1]), e(string(h.cfg.Currency)))
		if v.Preset.Value > 0 {
			fmt.Fprintf(&b, `<input id="amount" name="amount" value="%s" readonly>`, e(v.Preset.Decimal()))
			t = both(txtConfirm)
		} else {
			fmt.Fprintf(&b, `<input id="amount" name="amount" inputmode="decimal" required maxlength="20" value="%s" autofocus>`, e(v.Typed))
			t = both(txtPay)
		}
		fmt.Fprintf(&b, `<button type="submit" id="pay">%s %s</button></form>`, e(t[0]), e(t[1]))
	}
	if !v.Form && !v.Result && v.Notice != txtOpenInAlipay && v.Notice != txtNotFound {
		t := both(txtScanAgain)
		fmt.Fprintf(&b, `<a class="btn" href="%s">%s %s</a>`, e(h.cfg.Path), e(t[0]), e(t[1]))
	}
	b.WriteString(`</main></body></html>`)
	return b.String()
}

func (h *entryHandler) page(w http.ResponseWriter, r *http.Request, code int, v pageView) {
	body := h.render(v)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}
