package powercut

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/queue"
)

// Slip is one slip the guest's printer cut: paper, which a power cut does
// not take back.
type Slip struct {
	Cut  int    `json:"cut"`
	Text string `json:"text"`
}

// ParseSlip reads a "paper| " console line.
func ParseSlip(line string) (Slip, bool) {
	rest, ok := strings.CutPrefix(line, "paper| ")
	if !ok {
		return Slip{}, false
	}
	var s Slip
	return s, json.Unmarshal([]byte(rest), &s) == nil
}

// kind is the slip's title: RECEIPT, REFUND or VOID (printer.Layout).
func (s Slip) kind() string {
	for _, l := range strings.Split(s.Text, "\n") {
		switch t := strings.TrimSpace(l); t {
		case "RECEIPT", "REFUND", "VOID":
			return t
		}
	}
	return ""
}

func (s Slip) copy() bool { return strings.Contains(s.Text, "** COPY **") }

// Agreement compares a settled outbox (a bbolt file copied off the disk)
// with the gateway's ledger and the paper: no paid payment unknown to posd,
// none paid at the gateway that posd calls unpaid or the reverse, no sale
// paid twice, no payment sent twice with different bytes, no refund twice
// or unknown, every paid payment with exactly one original receipt (or a
// COPY when the original was cut short), nothing stuck. Without a printer
// (noPrinter) the paper and print queue are not checked, only that a paid
// payment has exactly one sale receipt job.
func Agreement(dbPath string, ledger amssim.Ledger, paper []Slip, mismatches []string, noPrinter bool) ([]string, error) {
	s, err := queue.Open(dbPath, queue.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := map[string]queue.Payment{}
	if err := s.ForEach(func(p queue.Payment) error { out[p.RequestID] = p; return nil }); err != nil {
		return nil, err
	}
	var bad []string
	add := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	add2 := func(list []string) { bad = append(bad, list...) }
	add2(mismatches)
	paid := func(st queue.State) bool { return st.Paid() || st == queue.Refunded }

	gw := map[string]amssim.Payment{}
	for _, e := range ledger.Payments {
		gw[e.PaymentRequestID] = e
		p, ok := out[e.PaymentRequestID]
		switch {
		case e.Status == amssim.StatusProcessing:
			add("%s still PROCESSING at the gateway (outbox: %s)", e.PaymentRequestID, p.State)
		case !ok:
			add("%s is %s at the gateway and unknown to posd", e.PaymentRequestID, e.Status)
		case e.Status == amssim.StatusSuccess && !e.Reversed && !paid(p.State):
			add("%s paid at the gateway, posd has %s", e.PaymentRequestID, p.State)
		case e.Reversed && p.State != queue.Cancelled:
			add("%s reversed at the gateway, posd has %s", e.PaymentRequestID, p.State)
		}
	}
	gwRefunds := map[string][]amssim.Refund{}
	for _, r := range ledger.Refunds {
		gwRefunds[r.PaymentRequestID] = append(gwRefunds[r.PaymentRequestID], r)
	}
	paidPerSale := map[string]int{}
	unprinted, err := s.Unprinted()
	if err != nil {
		return nil, err
	}
	for _, j := range unprinted {
		if noPrinter {
			break
		}
		add("print job %d of %s (%s) never printed", j.ID, j.RequestID, j.Kind)
	}
	ids := make([]string, 0, len(out))
	for id := range out {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := out[id]
		e, atGateway := gw[id]
		if p.Live() || !p.State.IsFinal() {
			add("%s not settled in the outbox: %s (next %s)", id, p.State, p.Next)
		}
		if paid(p.State) {
			if !atGateway || e.Status != amssim.StatusSuccess || e.Reversed {
				add("posd holds %s as %s, the gateway as %q reversed=%v", id, p.State, e.Status, e.Reversed)
			}
			paidPerSale[p.SaleID]++
		}
		// Refunds: each one at the gateway is a succeeded refund in the
		// outbox with the same amount, and the reverse.
		succeeded := map[string]queue.Refund{}
		for _, r := range p.Refunds {
			if r.State == queue.RefundSucceeded {
				succeeded[r.RequestID] = r
			}
		}
		var sum int64
		for _, r := range gwRefunds[id] {
			sum += r.Amount.Value
			if q, ok := succeeded[r.RefundRequestID]; !ok || q.Amount != r.Amount {
				add("refund %s of %s at the gateway (%s) is not a succeeded refund in the outbox", r.RefundRequestID, id, r.Amount)
			}
			delete(succeeded, r.RefundRequestID)
		}
		for rid := range succeeded {
			add("refund %s of %s succeeded in the outbox, unknown to the gateway", rid, id)
		}
		if atGateway && sum > e.Amount.Value {
			add("%s refunded %d of %d at the gateway", id, sum, e.Amount.Value)
		}
		// Receipts: one original sale slip on paper for a paid payment
		// (or only COPYs, when the original was cut short by a cut).
		originals, copies := 0, 0
		for _, sl := range paper {
			if sl.kind() == "RECEIPT" && strings.Contains(sl.Text, id) {
				if sl.copy() {
					copies++
				} else {
					originals++
				}
			}
		}
		switch {
		case noPrinter:
		case paid(p.State) && originals > 1:
			add("%s has %d original receipts on paper", id, originals)
		case paid(p.State) && originals+copies == 0:
			add("%s is paid and no receipt came out", id)
		case !paid(p.State) && p.State != queue.Cancelled && originals+copies > 0:
			add("%s is %s and got a sale receipt", id, p.State)
		}
		jobs, err := s.Jobs(id)
		if err != nil {
			return nil, err
		}
		sale := 0
		for _, j := range jobs {
			if j.Kind == queue.SaleReceipt && !j.Copy {
				sale++
			}
		}
		if (paid(p.State) && sale != 1) || (!paid(p.State) && p.State != queue.Cancelled && sale > 0) {
			add("%s (%s) has %d sale print jobs", id, p.State, sale)
		}
	}
	for sale, n := range paidPerSale {
		if n > 1 {
			add("sale %s paid %d times", sale, n)
		}
	}
	return bad, nil
}
