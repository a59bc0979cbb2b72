package amssim

import (
	"cmp"
	"slices"
)

// sortedPayments lists payments in creation order (kept, not sorted).
func (b *book) sortedPayments() []*payment { return b.order }

func (b *book) sortedRegistrations() []*registration {
	out := make([]*registration, 0, len(b.Registrations))
	for _, r := range b.Registrations {
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y *registration) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.RegistrationRequestID, y.RegistrationRequestID))
	})
	return out
}

// ledger copies the state out, in creation order.
func (b *book) ledger() Ledger {
	l := Ledger{Payments: []Payment{}, Refunds: []Refund{}, Registrations: []Registration{}}
	for _, p := range b.sortedPayments() {
		l.Payments = append(l.Payments, p.snapshot())
	}
	for _, r := range b.Refunds {
		l.Refunds = append(l.Refunds, *r)
	}
	slices.SortFunc(l.Refunds, func(x, y Refund) int { return cmp.Compare(x.RefundID, y.RefundID) })
	for _, r := range b.sortedRegistrations() {
		c := r.Registration
		if r.Notification != nil {
			d := *r.Notification
			c.Notification = &d
		}
		l.Registrations = append(l.Registrations, c)
	}
	return l
}

// snapshot copies a payment out of the book, its delivery state included,
// so that it can be read without the lock.
func (p *payment) snapshot() Payment {
	c := p.Payment
	if p.Notification != nil {
		d := *p.Notification
		c.Notification = &d
	}
	return c
}
