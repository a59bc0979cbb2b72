package queue

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecodePayment: a stored record either decodes to a valid payment that
// re-encodes to the same meaning, or is refused with ErrBadRecord; it never
// panics.
func FuzzDecodePayment(f *testing.F) {
	p := newTestPayment(f, "P1", OrderCode)
	good, _ := encodePayment(&p)
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodePayment(data)
		if err != nil {
			return
		}
		again, err := encodePayment(&p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := decodePayment(again)
		if err != nil {
			t.Fatalf("re-encoded record refused: %v", err)
		}
		if q.RequestID != p.RequestID || q.State != p.State || q.Amount != p.Amount || string(q.Body) != string(p.Body) {
			t.Fatalf("round trip changed the record: %+v vs %+v", p, q)
		}
	})
}

// FuzzOpen: whatever bytes the database file holds, Open returns a store
// or an error; it never crashes the process (bbolt alone would SIGBUS on a
// truncated file).
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.db")
	s, err := Open(path, Options{})
	if err != nil {
		f.Fatal(err)
	}
	s.create(storedPayment(f, "P1", "S1"))
	s.Close()
	seed, _ := os.ReadFile(path)
	f.Add(seed[:3*4096])
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "posd.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			s, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
			if err != nil {
				return
			}
			defer s.Close()
			if _, err := s.Live(); err != nil {
				return
			}
			s.ForEach(func(Payment) error { return nil })
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Open or a read hangs on this file")
		}
	})
}
