package queue

import "time"

// Doors for the external tests (package queue_test) into what the package
// keeps unexported: they write a database as a crash or an older posd left
// it, which no caller of the Engine can.

// NewPaymentForTest is newPayment.
var NewPaymentForTest = newPayment

// CreateForTest stores p as a new record.
func (s *Store) CreateForTest(p Payment) error { return s.create(p) }

// SaveAllForTest stores ps in one transaction.
func (s *Store) SaveAllForTest(ps []Payment) error {
	_, err := s.saveAll(ps, nil)
	return err
}

// PruneForTest is prune.
func (s *Store) PruneForTest(cutoff time.Time) (int, error) { return s.prune(cutoff) }
