package queue_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/internal/clocktest"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

// BenchmarkRecovery measures what a restart costs: open the file (with its
// full page check) and recover 1,000 pending payments among 10,000 final
// ones, until the engine runs. Goal: under 1 s on CI hardware.
//
//	go test -run '^$' -bench Recovery -benchtime 10x ./queue/
func BenchmarkRecovery(b *testing.B) {
	path := filepath.Join(b.TempDir(), "posd.db")
	writeOutboxFixture(b, path, start)
	info, _ := os.Stat(path)
	clock := clocktest.New(start)
	gw := queuetest.NewGateway(clock.Now)
	b.ResetTimer()
	for range b.N {
		s, err := queue.Open(path, queue.Options{})
		if err != nil {
			b.Fatal(err)
		}
		eng, _ := queue.NewEngine(queue.Config{Store: s, Gateway: gw, Clock: clock}) // with the prune scan of start-up
		ctx, cancel := context.WithCancel(context.Background())
		if err := eng.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if n := len(eng.Pending()); n != 1000 {
			b.Fatalf("recovered %d pending, want 1000", n)
		}
		b.StopTimer()
		cancel()
		eng.Wait()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "MiB-file")
}

// writeOutboxFixture writes an outbox of 10,000 final payments and 1,000
// pending ones (unknown, inquiry due an hour after now): a busy till's
// 90 days, as posd finds it at start-up.
func writeOutboxFixture(tb testing.TB, path string, now time.Time) {
	s, err := queue.Open(path, queue.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	pol := queue.DefaultPolicy()
	var batch []queue.Payment
	for i := range 11_000 {
		id := fmt.Sprintf("T01-20261123-%06d", i)
		p, err := queue.NewPaymentForTest(payReq(id, "S"+id, queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1234), now, &pol)
		if err != nil {
			tb.Fatal(err)
		}
		if i < 10_000 {
			p.State, p.Next, p.DueAt, p.ResultCode, p.PaymentID = queue.Failed, queue.OpNone, time.Time{}, "USER_BALANCE_NOT_ENOUGH", "2026"+id
		} else {
			p.State, p.Next, p.DueAt = queue.Unknown, queue.OpInquire, now.Add(time.Hour)
			p.InquireUntil = now.Add(2 * time.Hour)
		}
		batch = append(batch, p)
	}
	for i := 0; i < len(batch); i += 1000 {
		if err := s.SaveAllForTest(batch[i:min(i+1000, len(batch))]); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestWriteOutboxFixture writes writeOutboxFixture's outbox to the file
// $POSD_OUTBOX_FIXTURE, dated now; posd's start-up benchmark
// (cmd/posd BenchmarkStartup) runs it to get one. Without it: skipped.
func TestWriteOutboxFixture(t *testing.T) {
	path := os.Getenv("POSD_OUTBOX_FIXTURE")
	if path == "" {
		t.Skip("writes a benchmark fixture only when POSD_OUTBOX_FIXTURE names the file")
	}
	writeOutboxFixture(t, path, time.Now())
}

// procIO reads this process's write counters: wchar (bytes handed to
// write/pwrite) and syscw (write calls).
func procIO(tb testing.TB) (wchar, syscw int64) {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		tb.Skipf("no /proc/self/io: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "wchar":
			wchar = n
		case "syscw":
			syscw = n
		}
	}
	return wchar, syscw
}

// BenchmarkWear reports the SD-card cost of one payment, receipt printed:
// commits (each two fdatasyncs in bbolt: data pages, then the meta page)
// and bytes written, for the common shapes of payment; for the order code
// also the fdatasyncs between Enter and the QR.
//
//	go test -run '^$' -bench Wear -benchtime 200x ./queue/
func BenchmarkWear(b *testing.B) {
	shapes := []struct {
		name string
		sc   queue.Scenario
		code string
		buy  bool
	}{
		{"paid-at-once", queue.PaymentCode, queuetest.CodePaid + "00000000000001", false},
		{"password-2-inquiries", queue.PaymentCode, queuetest.CodePassword + "00000000000001", false},
		{"order-code-paid", queue.OrderCode, "", true},
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			h := newHarness(b)
			h.start()
			commits0 := h.store.Commits()
			w0, c0 := procIO(b)
			var beforeQR uint64
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprintf("T01-%s-%06d", sh.name, i)
				paying := h.store.Commits()
				h.pay(payReq(id, "S"+id, sh.sc, sh.code, 1234))
				if sh.buy {
					h.waitFor(queue.ChangeQRReady, id)
					beforeQR += h.store.Commits() - paying
					// The buyer takes a few polls to pay.
					for range 5 {
						h.clock.Advance(3 * time.Second)
					}
					h.gw.BuyerPays(id)
				}
				job := h.waitFor(queue.ChangeReceiptReady, id)
				if err := h.eng.MarkPrinted(job.PrintJob); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			w1, c1 := procIO(b)
			n := float64(b.N)
			commits := float64(h.store.Commits()-commits0) / n
			b.ReportMetric(commits, "commits/payment")
			b.ReportMetric(2*commits, "fdatasyncs/payment")
			b.ReportMetric(float64(w1-w0)/n, "bytes/payment")
			b.ReportMetric(float64(c1-c0)/n, "writes/payment")
			if sh.buy {
				b.ReportMetric(2*float64(beforeQR)/n, "fdatasyncs-before-QR")
			}
		})
	}
}

// BenchmarkPruneScan is the daily prune (and the one right after start-up)
// of an outbox of 10,000 final and 1,000 pending payments with nothing yet
// expired: it reads the index of final payments by time, not the records.
//
//	go test -run '^$' -bench PruneScan ./queue/
func BenchmarkPruneScan(b *testing.B) {
	path := filepath.Join(b.TempDir(), "posd.db")
	writeOutboxFixture(b, path, start)
	s, err := queue.Open(path, queue.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if n, err := s.PruneForTest(start.Add(-90 * 24 * time.Hour)); n != 0 || err != nil {
			b.Fatalf("pruned %d, %v", n, err)
		}
	}
}
