package queue_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/internal/events"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

var till = events.Source{Merchant: "M0001", Store: "S01", Terminal: "T1"}

func eventsOn(h *harness, o queue.EventOptions) {
	if o.Source == (events.Source{}) {
		o.Source = till
	}
	h.opts.Events = &o
}

// outEvents decodes every event still in the outbox, checking the
// sequence numbers are contiguous from first.
func outEvents(t testing.TB, s *queue.Store) []events.Event {
	t.Helper()
	out, err := s.Events(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var evs []events.Event
	for i, o := range out {
		e, err := events.Decode(o.Payload)
		if err != nil {
			t.Fatalf("event %d: %v\n%s", o.Seq, err, o.Payload)
		}
		if e.Seq != o.Seq || (i > 0 && o.Seq != out[i-1].Seq+1) {
			t.Fatalf("event %d stored under %d after %v", e.Seq, o.Seq, out[max(i-1, 0)].Seq)
		}
		evs = append(evs, e)
	}
	return evs
}

func describe(evs []events.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%s", e.Type)
		switch {
		case e.Refund != nil:
			fmt.Fprintf(&b, ":%s", e.Refund.State)
		case e.Payment != nil:
			fmt.Fprintf(&b, ":%s", e.Payment.State)
		case e.Receipt != nil:
			fmt.Fprintf(&b, ":%s:%s", e.Receipt.Kind, e.Receipt.Status)
		case e.Alert != nil:
			fmt.Fprintf(&b, ":%s:%v", e.Alert.Code, e.Alert.Active)
		}
		b.WriteString(" ")
	}
	return strings.TrimSpace(b.String())
}

func TestEventsFollowEveryCommittedChange(t *testing.T) {
	h := newHarness(t)
	eventsOn(h, queue.EventOptions{})
	h.start()
	code := queuetest.CodePaid + "00000000000001"
	h.pay(payReq("P1", "S1", queue.PaymentCode, code, 1234))
	rc := h.waitFor(queue.ChangeReceiptReady, "P1")
	if err := h.eng.MarkAttempted(rc.PrintJob); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.MarkPrinted(rc.PrintJob); err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.Refund("P1", money.Amount{Currency: "USD", Value: 234}, "returned"); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeRefunded, "P1")
	evs := outEvents(t, h.store)
	want := "payment:SENT payment:SUCCEEDED receipt:sale:queued receipt:sale:attempted receipt:sale:printed " +
		"refund:PENDING refund:SUCCEEDED receipt:refund:queued"
	if got := describe(evs); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	for _, e := range evs {
		if e.Merchant != "M0001" || e.Store != "S01" || e.Terminal != "T1" || e.ID != events.EventID(e.Stream, e.Seq) || e.Stream == "" {
			t.Errorf("event %d: source %s/%s/%s id %q", e.Seq, e.Merchant, e.Store, e.Terminal, e.ID)
		}
	}
	last := evs[len(evs)-2]
	if p := last.Payment; p.State != "PARTIALLY_REFUNDED" || p.Amount != (events.Amount{Currency: "USD", Minor: 1234, Decimal: "12.34"}) ||
		p.Refunded != 234 || p.PaymentID == "" || last.Refund.RequestID != "P1-R1" || last.Refund.Amount.Minor != 234 {
		t.Errorf("refund event %+v / %+v", p, last.Refund)
	}
	raw, _ := h.store.Events(0, 100)
	for _, o := range raw {
		if strings.Contains(string(o.Payload), code) || strings.Contains(string(o.Payload), "paymentMethodId") {
			t.Fatalf("event %d carries the customer's payment code: %s", o.Seq, o.Payload)
		}
	}
}

func TestEventsVoidAndAttentionAlerts(t *testing.T) {
	h := newHarness(t)
	eventsOn(h, queue.EventOptions{})
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, "P1")
	if err := h.eng.Void("P1"); err != nil {
		t.Fatal(err)
	}
	h.waitFor(queue.ChangeCancelled, "P1")
	// A payment whose cancel keeps failing needs attention, then settles.
	failing := faultFirst(h.gw, queuetest.CallCancel, 5, queuetest.Drop)
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 500))
	h.waitFor(queue.ChangeNeedsAttention, "P2")
	h.waitFor(queue.ChangeCancelled, "P2")
	if failing.Load() < 6 {
		t.Fatalf("%d cancels", failing.Load())
	}
	got := describe(outEvents(t, h.store))
	for _, want := range []string{"void:CANCELLING void:CANCELLED receipt:void:queued",
		"payment:NEEDS_ATTENTION alert:needs-attention:true", "payment:CANCELLED alert:needs-attention:false"} {
		if !strings.Contains(got, want) {
			t.Errorf("events %s\nlack %s", got, want)
		}
	}
}

func TestEventsMatchTheStoredState(t *testing.T) {
	h := newHarness(t)
	eventsOn(h, queue.EventOptions{})
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeReceiptReady, "P1")
	h.stop()
	h.start() // a restart adds nothing a consumer sees
	p, _ := h.store.Get("P1")
	evs := outEvents(t, h.store)
	if e := evs[len(evs)-2]; e.Payment == nil || e.Payment.State != string(p.State) || len(evs) != 3 {
		t.Errorf("events %s, stored %s", describe(evs), p.State)
	}
}

func TestEventsDeliveredAreDeletedWithTheNextCommit(t *testing.T) {
	h := newHarness(t)
	eventsOn(h, queue.EventOptions{})
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeReceiptReady, "P1")
	evs := outEvents(t, h.store)
	commits := h.store.Commits()
	if err := h.eng.EventsDelivered(evs[len(evs)-1].Seq); err != nil {
		t.Fatal(err)
	}
	st, _ := h.eng.EventStats()
	if h.store.Commits() != commits || st.Backlog != 0 || st.Deferred != len(evs) {
		t.Fatalf("after delivery: %d commits (was %d), stats %+v", h.store.Commits(), commits, st)
	}
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodePaid+"00000000000002", 1000))
	h.waitFor(queue.ChangeReceiptReady, "P2")
	left := outEvents(t, h.store)
	if left[0].Seq != evs[len(evs)-1].Seq+1 || left[0].Payment.RequestID != "P2" {
		t.Fatalf("first event left %d %+v, want the next payment's first", left[0].Seq, left[0].Payment)
	}
	if err := h.eng.EventsDelivered(left[len(left)-1].Seq); err != nil {
		t.Fatal(err)
	}
	commits = h.store.Commits()
	if err := h.eng.DeleteDeliveredEvents(); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.DeleteDeliveredEvents(); err != nil {
		t.Fatal(err)
	}
	if n := len(outEvents(t, h.store)); n != 0 || h.store.Commits() != commits+1 {
		t.Errorf("%d events left, %d commits for two flushes", n, h.store.Commits()-commits)
	}
}

func TestEventsBacklogIsBounded(t *testing.T) {
	h := newHarness(t)
	eventsOn(h, queue.EventOptions{MaxBacklog: 10})
	h.start()
	for i := range 4 {
		id := fmt.Sprintf("P%d", i)
		h.pay(payReq(id, "S"+id, queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
		h.waitFor(queue.ChangeReceiptReady, id)
	}
	evs := outEvents(t, h.store)
	st, _ := h.eng.EventStats()
	if len(evs) > 10 || st.Backlog != len(evs) || st.Dropped == 0 {
		t.Fatalf("%d events kept, stats %+v", len(evs), st)
	}
	// Every event is either kept or named by an events-dropped alert.
	covered := map[uint64]bool{}
	for _, e := range evs {
		covered[e.Seq] = true
		if e.Alert != nil && e.Alert.Code == events.AlertEventsDropped {
			for s := e.Alert.FirstSeq; s <= e.Alert.LastSeq; s++ {
				covered[s] = true
			}
		}
	}
	for s := uint64(1); s <= st.LastSeq; s++ {
		if !covered[s] {
			t.Fatalf("event %d neither kept nor reported dropped: %s", s, describe(evs))
		}
	}
	if uint64(len(covered)) != st.LastSeq || evs[len(evs)-1].Seq != st.LastSeq {
		t.Fatalf("covered %d of %d", len(covered), st.LastSeq)
	}
	// Payments were never held up: all four are paid.
	for i := range 4 {
		if p, _ := h.store.Get(fmt.Sprintf("P%d", i)); p.State != queue.Succeeded {
			t.Errorf("P%d %s", i, p.State)
		}
	}
}

func TestEventsOlderThanMaxAgeAreDropped(t *testing.T) {
	h := newHarness(t)
	eventsOn(h, queue.EventOptions{MaxAge: time.Hour, Now: h.clock.Now})
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeReceiptReady, "P1")
	h.clock.Advance(2 * time.Hour)
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodePaid+"00000000000002", 1000))
	h.waitFor(queue.ChangeReceiptReady, "P2")
	for _, e := range outEvents(t, h.store) {
		if e.Payment != nil && e.Payment.RequestID == "P1" {
			t.Errorf("event %d of P1 kept past its age", e.Seq)
		}
	}
}

func TestEventsOffWritesNoneAndDropsTheBacklog(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeReceiptReady, "P1")
	if evs, _ := h.store.Events(0, 10); len(evs) != 0 || h.eng.EventsReady() != nil {
		t.Fatalf("events off: %d events", len(evs))
	}
	h.stop()
	eventsOn(h, queue.EventOptions{})
	h.start()
	stream := outEventsStream(t, h)
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodePaid+"00000000000002", 1000))
	h.waitFor(queue.ChangeReceiptReady, "P2")
	if n := len(outEvents(t, h.store)); n == 0 {
		t.Fatal("events on: none")
	}
	h.stop()
	// The stream id survives a restart: consumers keep deduplicating.
	h.start()
	if s := outEventsStream(t, h); s != stream {
		t.Errorf("stream %q after restart, was %q", s, stream)
	}
	h.stop()
	h.opts.Events = nil
	h.start()
	h.stop()
	h.opts.Events = &queue.EventOptions{Source: till}
	h.start()
	if n := len(outEvents(t, h.store)); n != 0 {
		t.Errorf("turning events off kept %d", n)
	}
}

func outEventsStream(t *testing.T, h *harness) string {
	st, err := h.eng.EventStats()
	if err != nil || !st.On || st.Stream == "" {
		t.Fatalf("stats %+v %v", st, err)
	}
	return st.Stream
}

func TestEventsRefuseATopicUnsafeSource(t *testing.T) {
	h := newHarness(t)
	eventsOn(h, queue.EventOptions{Source: events.Source{Merchant: "M1", Store: "S/1", Terminal: "T1"}})
	_, err := queue.Open(h.path, h.opts)
	if !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("store id with a slash: %v", err)
	}
}
