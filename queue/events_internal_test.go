package queue

import (
	"errors"
	"testing"

	"github.com/posd/posd/internal/events"
	bolt "go.etcd.io/bbolt"
)

// A change and its event share one transaction: when the transaction
// fails after both were written, neither is in the file.
func TestEventRollsBackWithItsChange(t *testing.T) {
	s := openTestStore(t, "")
	if err := s.setupEvents(&EventOptions{Source: events.Source{Merchant: "M", Store: "S", Terminal: "T"}}); err != nil {
		t.Fatal(err)
	}
	p := storedPayment(t, "P1", "S1")
	boom := errors.New("power lost")
	err := s.update(func(tx *bolt.Tx) error {
		if err := putPayment(tx, &p); err != nil {
			return err
		}
		n := 0
		_ = tx.Bucket(bucketEvents).ForEach(func(_, _ []byte) error { n++; return nil })
		if n != 1 {
			t.Errorf("%d events inside the transaction, want 1", n)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	if _, err := s.Get("P1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("payment after rollback: %v", err)
	}
	if evs, _ := s.Events(0, 10); len(evs) != 0 {
		t.Errorf("%d events after rollback", len(evs))
	}
	if err := s.create(p); err != nil {
		t.Fatal(err)
	}
	if evs, _ := s.Events(0, 10); len(evs) != 1 || evs[0].Seq != 1 {
		t.Errorf("events after the commit: %+v", evs)
	}
}
