package queue

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/posd/posd/internal/events"
	bolt "go.etcd.io/bbolt"
)

// The events outbox (docs/events.md): every committed change of a payment,
// refund, void, receipt or alert appends an event to bucketEvents in the
// same transaction, keyed by its sequence number. A publisher reads them
// in order and reports what the broker acknowledged; delivered events are
// deleted in the next transaction the store makes anyway, so streaming
// adds no commit per payment. The bucket exists only while events are on.
var (
	bucketEvents   = []byte("events") // big-endian seq → published JSON (events.Event)
	keyEventSource = []byte("eventSource")
)

// event backlog bounds by default.
const (
	DefaultEventBacklog = 10000
	DefaultEventAge     = 7 * 24 * time.Hour
	// deleteDeliveredAt is how many delivered events may wait for the next
	// commit before the store deletes them in one of its own: after a long
	// outage the backlog drains fast and a crash would resend it all.
	deleteDeliveredAt = 1024
)

// EventOptions turn the events outbox on (Options.Events).
type EventOptions struct {
	Source events.Source // merchant, store and terminal ids: each one topic level
	// MaxBacklog is how many undelivered events are kept (default
	// DefaultEventBacklog); MaxAge how old the oldest may be (default
	// DefaultEventAge). Past either, the oldest are deleted (they stay in
	// the export) and an events-dropped alert is appended in their place:
	// payments never wait for the broker.
	MaxBacklog int
	MaxAge     time.Duration
	Now        func() time.Time // default time.Now; ages are measured with it
}

// eventSource is what every event of this file carries, kept in the file
// so free functions writing inside a transaction can stamp events.
type eventSource struct {
	events.Source
	Stream string
}

// OutEvent is a committed event waiting for the broker.
type OutEvent struct {
	Seq     uint64
	Payload []byte // the published JSON, byte for byte the same on every redelivery
}

// EventStats describe the events outbox.
type EventStats struct {
	On       bool
	Stream   string
	LastSeq  uint64    // the newest event appended
	Backlog  int       // events not yet acknowledged by the broker
	Oldest   time.Time // commit time of the oldest of them (zero when none)
	Dropped  uint64    // events deleted undelivered since Open (past the bound)
	Deferred int       // delivered events waiting for the next commit to be deleted
}

// setupEvents makes the events bucket and its stream id when events are
// on, or deletes bucket and backlog when they are off (the choice is the
// operator's: a stream off is not kept for later).
func (s *Store) setupEvents(o *EventOptions) error {
	if s.db.IsReadOnly() {
		return nil
	}
	if o == nil {
		var present bool
		_ = s.view(func(tx *bolt.Tx) error { present = tx.Bucket(bucketEvents) != nil; return nil })
		if !present {
			return nil
		}
		return s.update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketEvents) })
	}
	if err := o.Source.Check(); err != nil {
		return fmt.Errorf("%w: events: %w", ErrInvalid, err)
	}
	ev := *o
	if ev.MaxBacklog <= 0 {
		ev.MaxBacklog = DefaultEventBacklog
	}
	if ev.MaxAge <= 0 {
		ev.MaxAge = DefaultEventAge
	}
	if ev.Now == nil {
		ev.Now = time.Now
	}
	s.ev = &ev
	s.evReady = make(chan struct{}, 1)
	return s.update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketEvents); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		var src eventSource
		if v := meta.Get(keyEventSource); v != nil {
			if err := json.Unmarshal(v, &src); err != nil {
				return fmt.Errorf("%w: %s: event source: %v", ErrCorrupt, s.path, err)
			}
		}
		if src.Stream == "" {
			var b [8]byte
			_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
			src.Stream = hex.EncodeToString(b[:])
		}
		if src.Source == ev.Source {
			if meta.Get(keyEventSource) != nil {
				return nil
			}
		}
		src.Source = ev.Source
		v, err := json.Marshal(src)
		if err != nil {
			return err
		}
		return meta.Put(keyEventSource, v)
	})
}

// appendEvent adds one event to the transaction's events, if they are on.
func appendEvent(tx *bolt.Tx, e events.Event) error {
	b := appending(tx, bucketEvents)
	if b == nil {
		return nil
	}
	var src eventSource
	if err := json.Unmarshal(tx.Bucket(bucketMeta).Get(keyEventSource), &src); err != nil {
		return fmt.Errorf("%w: event source: %v", ErrCorrupt, err)
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.V, e.Stream, e.Seq, e.ID = events.Version, src.Stream, seq, events.EventID(src.Stream, seq)
	e.Merchant, e.Store, e.Terminal = src.Merchant, src.Store, src.Terminal
	e.At = e.At.UTC()
	data, err := events.Encode(&e)
	if err != nil {
		return err
	}
	return b.Put(jobKey(seq), data)
}

// paymentEvents appends the events of one payment commit: prev is the
// stored record before it (nil for a new payment). A commit that changes
// nothing a consumer sees (a retry counter, the schedule) makes none.
func paymentEvents(tx *bolt.Tx, prev []byte, p *Payment) error {
	if tx.Bucket(bucketEvents) == nil {
		return nil
	}
	now := paymentView(p)
	at := p.UpdatedAt
	if prev == nil {
		return appendEvent(tx, events.Event{Type: events.TypePayment, At: at, Payment: &now})
	}
	old, err := decodePayment(prev)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	before := paymentView(&old)
	refundChanged := false
	for i := range now.Refunds {
		if i < len(before.Refunds) && sameRefund(before.Refunds[i], now.Refunds[i]) {
			continue
		}
		refundChanged = true
		r := now.Refunds[i]
		if err := appendEvent(tx, events.Event{Type: events.TypeRefund, At: at, Payment: &now, Refund: &r}); err != nil {
			return err
		}
	}
	if !refundChanged && !samePayment(before, now) {
		typ := events.TypePayment
		if p.Reversal {
			typ = events.TypeVoid
		}
		if err := appendEvent(tx, events.Event{Type: typ, At: at, Payment: &now}); err != nil {
			return err
		}
	}
	wasAlert, isAlert := old.State == NeedsAttention, p.State == NeedsAttention
	if wasAlert != isAlert {
		text := p.Attention
		if !isAlert {
			text = "settled: " + string(p.State)
		}
		return appendEvent(tx, events.Event{Type: events.TypeAlert, At: at, Alert: &events.Alert{
			Code: events.AlertNeedsAttention, Active: isAlert, Text: text, RequestID: p.RequestID}})
	}
	return nil
}

// jobEvent appends the event of a print job change.
func jobEvent(tx *bolt.Tx, j *PrintJob, status string, at time.Time) error {
	if tx.Bucket(bucketEvents) == nil {
		return nil
	}
	return appendEvent(tx, events.Event{Type: events.TypeReceipt, At: at, Receipt: &events.Receipt{
		Job: j.ID, RequestID: j.RequestID, RefundID: j.RefundID, Kind: string(j.Kind), Copy: j.Copy, Status: status}})
}

// paymentView is what an event shows of a payment: never the request body
// (it holds the customer's payment code) nor the QR text.
func paymentView(p *Payment) events.Payment {
	v := events.Payment{
		RequestID: p.RequestID, PaymentID: p.PaymentID, SaleID: p.SaleID, Scenario: string(p.Scenario),
		State: string(p.State), Final: p.State.IsFinal(), ResultCode: p.ResultCode, Amount: amountView(p.Amount.Currency.String(), p.Amount.Value, p.Amount.Decimal()),
		Void: p.Reversal, Attention: p.Attention, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	for _, r := range p.Refunds {
		if r.State == RefundSucceeded {
			v.Refunded += r.Amount.Value
		}
		v.Refunds = append(v.Refunds, events.Refund{RequestID: r.RequestID, RefundID: r.RefundID, State: string(r.State),
			ResultCode: r.ResultCode, Amount: amountView(r.Amount.Currency.String(), r.Amount.Value, r.Amount.Decimal()),
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()})
	}
	return v
}

func amountView(currency string, minor int64, decimal string) events.Amount {
	return events.Amount{Currency: currency, Minor: minor, Decimal: decimal}
}

// samePayment compares what a consumer sees, times of the change aside.
func samePayment(a, b events.Payment) bool {
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	a.Refunds, b.Refunds = nil, nil
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func sameRefund(a, b events.Refund) bool {
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return a == b
}

// finishEvents runs at the end of every write transaction while events are
// on: it deletes what the broker acknowledged and keeps the backlog within
// its bounds. It returns how many undelivered events it deleted.
func (s *Store) finishEvents(tx *bolt.Tx) (dropped uint64, err error) {
	b := tx.Bucket(bucketEvents)
	if b == nil || s.ev == nil {
		return 0, nil
	}
	acked := s.evAcked.Load()
	var gone [][]byte
	c := b.Cursor()
	k, v := c.First()
	for ; k != nil && beUint64(k) <= acked; k, v = c.Next() {
		gone = append(gone, append([]byte(nil), k...))
	}
	deliveredGone := uint64(len(gone))
	// Undelivered from here: trim the oldest past the bounds.
	last := b.Sequence()
	var firstDropped, lastDropped uint64
	cutoff := s.ev.Now().Add(-s.ev.MaxAge)
	for ; k != nil; k, v = c.Next() {
		seq := beUint64(k)
		over := last-seq+1 >= uint64(s.ev.MaxBacklog) // keep room for the alert
		if !over {
			var at struct {
				At time.Time `json:"at"`
			}
			if json.Unmarshal(v, &at) == nil && !at.At.Before(cutoff) {
				break
			}
		}
		if firstDropped == 0 {
			firstDropped = seq
		}
		lastDropped = seq
		if bytes.Contains(v, []byte(`"code":"`+events.AlertEventsDropped+`"`)) {
			// An earlier drop's alert goes too: the new one covers its range.
			if e, err := events.Decode(v); err == nil && e.Alert != nil && e.Alert.FirstSeq > 0 {
				firstDropped = min(firstDropped, e.Alert.FirstSeq)
			}
		}
		gone = append(gone, append([]byte(nil), k...))
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	if firstDropped == 0 {
		return 0, nil
	}
	dropped = uint64(len(gone)) - deliveredGone
	err = appendEvent(tx, events.Event{Type: events.TypeAlert, At: s.ev.Now(), Alert: &events.Alert{
		Code: events.AlertEventsDropped, Active: true, FirstSeq: firstDropped, LastSeq: lastDropped,
		Text: fmt.Sprintf("events %d to %d were never published (broker unreachable too long); the payments are in the export", firstDropped, lastDropped)}})
	return dropped, err
}

// EventsOn reports whether the store appends events.
func (s *Store) EventsOn() bool { return s.ev != nil }

// EventsReady receives after every commit while events are on (nil
// channel when they are off): a publisher waits on it for new events.
func (s *Store) EventsReady() <-chan struct{} { return s.evReady }

// Events returns up to max committed events with a sequence number above
// after, oldest first.
func (s *Store) Events(after uint64, max int) ([]OutEvent, error) {
	var out []OutEvent
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(jobKey(after + 1)); k != nil && len(out) < max; k, v = c.Next() {
			out = append(out, OutEvent{Seq: beUint64(k), Payload: append([]byte(nil), v...)})
		}
		return nil
	})
	return out, err
}

// EventsDelivered records that the broker acknowledged every event up to
// seq. They are deleted in the next commit; when deleteDeliveredAt of them
// are waiting, at once in a commit of their own.
func (s *Store) eventsDelivered(seq uint64) error {
	for {
		old := s.evAcked.Load()
		if seq <= old || s.evAcked.CompareAndSwap(old, seq) {
			break
		}
	}
	st, err := s.EventStats()
	if err != nil || st.Deferred < deleteDeliveredAt {
		return err
	}
	return s.deleteDelivered()
}

// DeleteDelivered deletes the delivered events now (at a clean stop), in
// one commit, if there are any.
func (s *Store) deleteDelivered() error {
	st, err := s.EventStats()
	if err != nil || st.Deferred == 0 {
		return err
	}
	return s.update(func(*bolt.Tx) error { return nil })
}

// EventStats returns the state of the events outbox.
func (s *Store) EventStats() (EventStats, error) {
	st := EventStats{On: s.ev != nil, Dropped: s.evDropped.Load()}
	if !st.On {
		return st, nil
	}
	acked := s.evAcked.Load()
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		if b == nil {
			return nil
		}
		var src eventSource
		_ = json.Unmarshal(tx.Bucket(bucketMeta).Get(keyEventSource), &src)
		st.Stream, st.LastSeq = src.Stream, b.Sequence()
		c := b.Cursor()
		k, v := c.First()
		if k == nil {
			return nil
		}
		first := beUint64(k)
		if acked >= first {
			st.Deferred = int(min(acked, st.LastSeq) - first + 1)
			k, v = c.Seek(jobKey(acked + 1))
		}
		if k == nil {
			return nil
		}
		st.Backlog = int(st.LastSeq - beUint64(k) + 1)
		var at struct {
			At time.Time `json:"at"`
		}
		if json.Unmarshal(v, &at) == nil {
			st.Oldest = at.At
		}
		return nil
	})
	return st, err
}
