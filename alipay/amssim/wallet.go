package amssim

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
)

// The wallet page: what the customer's phone shows after scanning the
// code. Plain HTML with inline style, no scripts or external assets, so it
// works on any phone on the LAN and in the demo's browser.
//
// It is written out by hand, every value through html.EscapeString,
// rather than with html/template: posd links this package for -demo, and
// html/template alone would add about 1.8 MB to its ARM binary for two
// small pages.
const walletHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alipay (simulated) - %s</title>
<style>
body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#111}
.card{border:1px solid #ccc;border-radius:12px;padding:1.25rem}
.amount{font-size:2.2rem;font-weight:700;margin:.5rem 0}
.status{font-size:1.2rem;font-weight:600;padding:.6rem;border-radius:8px;background:#eef}
button{font-size:1.2rem;padding:.9rem;border-radius:8px;border:0;width:100%%;margin-top:.75rem}
.pay{background:#1677ff;color:#fff}.decline{background:#eee;color:#111}
small{color:#666}
</style></head><body>
<p><small>amssim wallet - a simulation, no real money moves</small></p>
<div class="card">
<div>Pay to <strong id="merchant">%s</strong></div>
<div id="description">%s</div>
<div class="amount" id="amount">%s</div>
`

const walletButtons = `<form method="post"><input type="hidden" name="action" value="pay"><button class="pay" id="pay" type="submit">Pay</button></form>
<form method="post"><input type="hidden" name="action" value="decline"><button class="decline" id="decline" type="submit">Decline</button></form>
`

// render writes the page; every text goes through html.EscapeString.
func (v walletView) render(w io.Writer) error {
	e := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, walletHead, e(v.Merchant), e(v.Merchant), e(v.Description), e(v.Amount))
	if v.Open {
		b.WriteString(walletButtons)
	} else {
		fmt.Fprintf(&b, "<div class=\"status\" id=\"status\">%s</div>\n", e(v.Status))
	}
	if v.Message != "" {
		fmt.Fprintf(&b, "<p id=\"message\">%s</p>\n", e(v.Message))
	}
	fmt.Fprintf(&b, "</div>\n<p><small>Payment %s</small></p>\n</body></html>\n", e(v.PaymentID))
	_, err := io.WriteString(w, b.String())
	return err
}

type walletView struct {
	Merchant, Description, Amount, Status, Message, PaymentID string
	Open                                                      bool
}

func (sim *Simulator) serveWallet(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if r.Method == http.MethodPost {
		// ParseForm, not PostFormValue: the wallet's form is urlencoded,
		// and PostFormValue would link the multipart parser into posd.
		r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		action := r.PostForm.Get("action")
		if action != ActionPay && action != ActionDecline {
			http.Error(w, "action must be pay or decline", http.StatusBadRequest)
			return
		}
		_, err := sim.Customer(token, action)
		if errors.Is(err, ErrNoSuchCode) {
			http.NotFound(w, r)
			return
		}
		// Post/redirect/get: a reload does not pay twice.
		http.Redirect(w, r, walletPath+token, http.StatusSeeOther)
		return
	}
	sim.mu.Lock()
	var view walletView
	p := sim.b.Payments[sim.b.byToken[token]]
	if p != nil {
		sim.b.advance(p, sim.s.Now())
		view = walletView{
			Merchant: p.MerchantName, Description: p.OrderDescription, Amount: p.Amount.String(),
			Status: walletStatus(p), PaymentID: p.PaymentID, Open: p.Status == StatusProcessing,
		}
	}
	sim.mu.Unlock()
	if p == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = view.render(w)
}

func walletStatus(p *payment) string {
	switch {
	case p.Status == StatusSuccess:
		return "Paid"
	case p.Reversed:
		return "Paid, then cancelled by the merchant: refunded"
	case p.Closed:
		return "Expired"
	case p.Status == StatusCancelled:
		return "Cancelled by the merchant"
	case p.Status == StatusFail:
		return "Declined"
	}
	return "Waiting"
}

const indexHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>amssim</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}</style></head><body>
<h1>amssim</h1>
<p>Payments waiting for a customer:</p>
<ul>`

const indexFoot = `</ul>
<p><a href="/sim/ledger">ledger</a> · <a href="/sim/faults">faults</a> · <a href="/sim/gateway-pubkey">gateway public key</a></p>
</body></html>
`

func (sim *Simulator) serveIndex(w http.ResponseWriter, _ *http.Request) {
	type row struct{ Link, Merchant, Amount, ID string }
	var rows []row
	sim.mu.Lock()
	now := sim.s.Now()
	for _, p := range sim.b.sortedPayments() {
		sim.b.advance(p, now)
		if p.Token != "" && p.Status == StatusProcessing {
			rows = append(rows, row{walletPath + p.Token, p.MerchantName, p.Amount.String(), p.PaymentRequestID})
		}
	}
	sim.mu.Unlock()
	e := html.EscapeString
	var b strings.Builder
	b.WriteString(indexHead)
	for _, r := range rows {
		// Tokens are hex and the path is ours, but every value is escaped all the same.
		fmt.Fprintf(&b, `<li><a href="%s">%s - %s</a> (%s)</li>`, e(r.Link), e(r.Merchant), e(r.Amount), e(r.ID))
	}
	if len(rows) == 0 {
		b.WriteString("<li>none</li>")
	}
	b.WriteString(indexFoot)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}
