package printer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/printer/virtual"
)

// memoryStore is the outbox as the spooler sees it, kept in memory; the
// bbolt outbox lives in package queue.
type memoryStore struct {
	mu        sync.Mutex
	jobs      []Job
	printed   map[string]int
	attempted map[string]int
	changed   chan struct{}
}

func newMemoryStore(jobs ...Job) *memoryStore {
	return &memoryStore{jobs: jobs, printed: map[string]int{}, attempted: map[string]int{}, changed: make(chan struct{})}
}

func (m *memoryStore) Pending(ctx context.Context) ([]Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Job
	for _, j := range m.jobs {
		if m.printed[j.ID] == 0 {
			j.Attempted = m.attempted[j.ID] > 0
			out = append(out, j)
		}
	}
	return out, nil
}

func (m *memoryStore) MarkAttempted(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attempted[id]++
	return nil
}

func (m *memoryStore) MarkPrinted(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.printed[id]++
	close(m.changed)
	m.changed = make(chan struct{})
	return nil
}

func (m *memoryStore) waitPrinted(ctx context.Context, n int) error {
	for {
		m.mu.Lock()
		count, ch := len(m.printed), m.changed
		m.mu.Unlock()
		if count >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func jobs(n int) []Job {
	var out []Job
	for i := range n {
		r := sampleWithItems()
		r.PaymentRequestID = "REQ-" + string(rune('A'+i))
		out = append(out, Job{ID: r.PaymentRequestID, Receipt: r})
	}
	return out
}

func TestSpoolerPaperOutMidQueue(t *testing.T) {
	r := newRig(t, Paper58, nil, nil)
	store := newMemoryStore(jobs(3)...)
	sp := NewSpooler(store, r.drv, 20*time.Millisecond, testLogger(t))
	r.dev.PaperEndAfterCut(1)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- sp.Run(ctx) }()

	if err := r.dev.Wait(ctx, func(s virtual.State) bool { return s.Cuts == 1 && !s.Printing && s.StatusRequests >= 12 }); err != nil {
		t.Fatal(err)
	}
	if c := r.dev.State().Cuts; c != 1 {
		t.Fatalf("cuts with the roll empty = %d", c)
	}
	r.dev.SetPaperEnd(false) // a new roll
	sp.Wake()
	if err := store.waitPrinted(ctx, 3); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-runDone
	for id, n := range store.printed {
		if n != 1 {
			t.Errorf("job %s marked printed %d times", id, n)
		}
	}
	tr := r.dev.Transcript()
	if got := strings.Count(tr, "--- cut ---"); got != 3 {
		t.Errorf("%d slips on paper, want 3", got)
	}
	if strings.Contains(tr, "COPY") {
		t.Errorf("a slip was printed as a copy although none was interrupted:\n%s", tr)
	}
	for _, j := range jobs(3) {
		if strings.Count(tr, j.ID) != 1 {
			t.Errorf("job %s appears %d times", j.ID, strings.Count(tr, j.ID))
		}
	}
}

func TestSpoolerHoldsWhileOfflineThenPrintsInOrder(t *testing.T) {
	r := newRig(t, Paper80, nil, nil)
	r.dev.SetOffline(true)
	store := newMemoryStore(jobs(2)...)
	var events []SpoolEvent
	sp := NewSpooler(store, r.drv, time.Hour, testLogger(t))
	sp.Observe = func(e SpoolEvent) { events = append(events, e) }
	ctx := testCtx(t)
	n, err := sp.PrintPending(ctx)
	if n != 0 || !errors.Is(err, ErrNotReady) {
		t.Fatalf("offline: printed %d, err %v", n, err)
	}
	if len(store.attempted) != 0 {
		t.Error("a held job was marked attempted")
	}
	r.dev.SetOffline(false)
	if n, err := sp.PrintPending(ctx); n != 2 || err != nil {
		t.Fatalf("online: printed %d, err %v", n, err)
	}
	tr := r.dev.Transcript()
	if a, b := strings.Index(tr, "REQ-A"), strings.Index(tr, "REQ-B"); a < 0 || b < a {
		t.Errorf("slips out of order:\n%s", tr)
	}
	if len(events) != 3 || events[0].Printed || !events[1].Printed || !events[2].Printed {
		t.Errorf("events = %+v", events)
	}
}

func TestSpoolerReprintsInterruptedJobAsCopy(t *testing.T) {
	r := newRig(t, Paper58, func(c *Config) { c.ConfirmTimeout = 60 * time.Millisecond }, nil)
	store := newMemoryStore(jobs(1)...)
	sp := NewSpooler(store, r.drv, time.Hour, testLogger(t))
	ctx := testCtx(t)
	// Status answers, but the printer goes silent once the job is sent: the
	// slip may be on paper, yet nothing confirms it.
	sp.store = &silencingStore{memoryStore: store, dev: r.dev}
	if _, err := sp.PrintPending(ctx); !errors.Is(err, ErrUnconfirmed) && !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want unconfirmed or interrupted", err)
	}
	if len(store.printed) != 0 {
		t.Fatal("unconfirmed job marked printed")
	}
	r.dev.SetSilent(false)
	if n, err := sp.PrintPending(ctx); n != 1 || err != nil {
		t.Fatalf("retry: %d, %v", n, err)
	}
	tr := r.dev.Transcript()
	// The original stopped after its first chunk; the reprint says COPY.
	slips := strings.Split(tr, "Harbour Coffee")
	if len(slips) != 3 || strings.Contains(slips[1], "COPY") || !strings.Contains(slips[2], "COPY") || strings.Count(tr, "--- cut ---") != 1 {
		t.Errorf("want a partial original, then one whole COPY:\n%s", tr)
	}
}

// silencingStore silences the printer the moment the job is marked
// attempted, i.e. after the status check and before the first byte.
type silencingStore struct {
	*memoryStore
	dev  *virtual.Device
	once sync.Once
}

func (s *silencingStore) MarkAttempted(ctx context.Context, id string) error {
	s.once.Do(func() { s.dev.SetSilent(true) })
	return s.memoryStore.MarkAttempted(ctx, id)
}

func TestSpoolerSkipsUnprintableJob(t *testing.T) {
	r := newRig(t, Paper58, nil, nil)
	bad := jobs(1)[0]
	bad.ID = "bad"
	bad.Receipt.MerchantName = ""
	store := newMemoryStore(append([]Job{bad}, jobs(1)...)...)
	sp := NewSpooler(store, r.drv, time.Hour, testLogger(t))
	if n, err := sp.PrintPending(testCtx(t)); n != 1 || err != nil {
		t.Fatalf("printed %d, err %v", n, err)
	}
	if _, ok := store.printed["bad"]; ok {
		t.Error("invalid job marked printed")
	}
	if p, _ := store.Pending(context.Background()); len(p) != 1 || p[0].ID != "bad" {
		t.Errorf("invalid job not kept in the outbox: %+v", p)
	}
}
