package report

import (
	"fmt"
	"sort"
	"time"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
)

// Bucket is where one export row counts.
type Bucket int

// Buckets. A payment row is in exactly one of Paid, Declined, Cancelled,
// Voided and Unresolved; a refund row in Refunded, Unresolved or None.
const (
	None       Bucket = iota // a refund that failed: no money moved
	Paid                     // money taken: SUCCEEDED, REFUNDING, PARTIALLY_REFUNDED, REFUNDED
	Declined                 // FAILED
	Cancelled                // CANCELLED before any money was taken
	Voided                   // CANCELLED after the money was taken (a void)
	Refunded                 // a refund that SUCCEEDED
	Unresolved               // no verified outcome yet
)

// Classify says where row counts. It reads only the row's type, state and
// voided columns, so anyone can recount an export the same way.
func Classify(r queue.ExportRow) Bucket {
	if r.Type == "refund" {
		switch queue.RefundState(r.State) {
		case queue.RefundSucceeded:
			return Refunded
		case queue.RefundFailed:
			return None
		}
		return Unresolved
	}
	switch queue.State(r.State) {
	case queue.Succeeded, queue.Refunding, queue.PartiallyRefunded, queue.Refunded:
		return Paid
	case queue.Failed:
		return Declined
	case queue.Cancelled:
		if r.Voided {
			return Voided
		}
		return Cancelled
	}
	return Unresolved
}

type sums struct{ paid, declined, cancelled, voided, refunded total }

type total struct {
	n   int
	sum money.Amount
}

func (t *total) add(a money.Amount) error {
	s, err := t.sum.Add(a)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	t.n, t.sum = t.n+1, s
	return nil
}

// Build sums rows (queue.Engine.ExportRows of [from, to)) into a report.
// day is "" for a window that is not one day; z is the day's Z number.
func Build(day string, from, to time.Time, rows []queue.ExportRow, z uint64) (posapi.Report, error) {
	rep := posapi.Report{Day: day, Z: z, Currencies: []posapi.ReportCurrency{}}
	if day == "" {
		rep.From, rep.To = from, to
	}
	by := map[money.Currency]*sums{}
	for _, r := range rows {
		b := Classify(r)
		if b == Unresolved {
			rep.Unresolved++
			continue
		}
		c := r.Amount.Currency
		s := by[c]
		if s == nil {
			z := total{sum: money.Amount{Currency: c}}
			s = &sums{z, z, z, z, z}
			by[c] = s
		}
		var t *total
		switch b {
		case Paid:
			t = &s.paid
		case Declined:
			t = &s.declined
		case Cancelled:
			t = &s.cancelled
		case Voided:
			t = &s.voided
		case Refunded:
			t = &s.refunded
		default:
			continue
		}
		if err := t.add(r.Amount); err != nil {
			return posapi.Report{}, err
		}
	}
	codes := make([]string, 0, len(by))
	for c := range by {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	for _, code := range codes {
		s := by[money.Currency(code)]
		view := func(t total) posapi.ReportTotal { return posapi.ReportTotal{Count: t.n, Amount: t.sum.Decimal()} }
		// Both sums are within MaxValue, so the difference cannot overflow.
		net := money.Amount{Currency: money.Currency(code), Value: s.paid.sum.Value - s.refunded.sum.Value}
		rep.Currencies = append(rep.Currencies, posapi.ReportCurrency{
			Currency: code, Paid: view(s.paid), Declined: view(s.declined), Cancelled: view(s.cancelled),
			Voided: view(s.voided), Refunded: view(s.refunded), Net: net.Decimal(),
		})
	}
	return rep, nil
}
