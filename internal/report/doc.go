// Package report sums the outbox's reconciliation rows into the
// end-of-day report (posctl report): per currency, the count and total of
// sales paid, declined, cancelled and voided, of refunds, and the net.
// It is pure: the rows are exactly what posctl export lists for the same
// window, so the two agree to the minor unit by construction.
package report
