package queue_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/fleet"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

// BenchmarkWearEvents is BenchmarkWear's paid-at-once payment (receipt
// printed) with the events outbox off, on with a real Mosquitto taking
// every event before the next payment (the steady state: payments are
// seconds apart), and on with the broker away (the backlog grows). Bytes
// are what the process wrote to disk: the publisher's network bytes are
// counted apart and taken out.
//
//	go test -run '^$' -bench WearEvents -benchtime 200x ./queue/
func BenchmarkWearEvents(b *testing.B) {
	for _, mode := range []string{"off", "on-delivered", "on-broker-away"} {
		b.Run(mode, func(b *testing.B) {
			h := newHarness(b)
			if mode != "off" {
				eventsOn(h, queue.EventOptions{MaxBacklog: 1 << 20})
			}
			h.start()
			var pub *fleet.Publisher
			if mode == "on-delivered" {
				mq := testenv.StartMosquitto(b)
				var err error
				pub, err = fleet.New(fleet.Config{Broker: fleet.Broker{URL: mq.URL(), ClientID: "bench"}, Source: till}, h.eng)
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { defer close(done); pub.Run(ctx) }()
				b.Cleanup(func() { cancel(); <-done })
			}
			delivered := func() {
				if pub == nil {
					return
				}
				st, _ := h.eng.EventStats()
				deadline := time.Now().Add(20 * time.Second)
				for pub.Stats().LastSeq < st.LastSeq {
					if time.Now().After(deadline) {
						b.Fatalf("events not delivered: %+v", pub.Stats())
					}
					time.Sleep(100 * time.Microsecond) // bounded wait for the broker's PUBACK
				}
			}
			delivered()
			commits0, sent0 := h.store.Commits(), sentBytes(pub)
			w0, _ := procIO(b)
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprintf("T01-%s-%06d", mode, i)
				h.pay(payReq(id, "S"+id, queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1234))
				job := h.waitFor(queue.ChangeReceiptReady, id)
				if err := h.eng.MarkPrinted(job.PrintJob); err != nil {
					b.Fatal(err)
				}
				delivered()
			}
			b.StopTimer()
			w1, _ := procIO(b)
			n := float64(b.N)
			net := sentBytes(pub) - sent0
			commits := float64(h.store.Commits()-commits0) / n
			b.ReportMetric(commits, "commits/payment")
			b.ReportMetric(float64(w1-w0-int64(net))/n, "disk-bytes/payment")
			st, _ := h.eng.EventStats()
			b.ReportMetric(float64(st.LastSeq)/n, "events/payment")
			if pub != nil {
				b.ReportMetric(float64(net)/n, "net-bytes/payment")
			}
		})
	}
}

func sentBytes(p *fleet.Publisher) uint64 {
	if p == nil {
		return 0
	}
	return p.Stats().BytesSent
}

// BenchmarkPublish measures how fast a backlog drains to a real Mosquitto
// on loopback: events published one at a time, each waiting for its
// PUBACK, with delivered events deleted in batches. events/s is the rate a
// till catches up at after an outage (one in flight: roughly 1/RTT).
//
//	go test -run '^$' -bench Publish -benchtime 2000x ./queue/
func BenchmarkPublish(b *testing.B) {
	mq := testenv.StartMosquitto(b)
	s, err := queue.Open(filepath.Join(b.TempDir(), "posd.db"), queue.Options{Events: &queue.EventOptions{Source: till, MaxBacklog: 1 << 22}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// A backlog of b.N events: one per payment committed.
	pol := queue.DefaultPolicy()
	now := time.Now()
	for i := 0; i < b.N; i += 500 {
		var batch []queue.Payment
		for j := i; j < min(i+500, b.N); j++ {
			id := fmt.Sprintf("T1-%07d", j)
			p, err := queue.NewPaymentForTest(queue.PaymentRequest{RequestID: id, SaleID: id, Scenario: queue.PaymentCode,
				Amount: money.Amount{Currency: "USD", Value: 1234}, ExpiresAt: now.Add(time.Minute),
				Body: []byte(`{"paymentRequestId":"` + id + `","paymentAmount":{"currency":"USD","value":"1234"},"paymentFactor":{"inStorePaymentScenario":"PaymentCode"},"paymentMethod":{"paymentMethodType":"CONNECT_WALLET","paymentMethodId":"280000000000000001"}}`)}, now, &pol)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, p)
		}
		if err := s.SaveAllForTest(batch); err != nil {
			b.Fatal(err)
		}
	}
	eng, err := queue.NewEngine(queue.Config{Store: s, Gateway: queuetest.NewGateway(time.Now)})
	if err != nil {
		b.Fatal(err)
	}
	st, _ := eng.EventStats()
	pub, err := fleet.New(fleet.Config{Broker: fleet.Broker{URL: mq.URL(), ClientID: "bench"}, Source: till}, eng)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.ResetTimer()
	start := time.Now()
	go func() { defer close(done); pub.Run(ctx) }()
	for pub.Stats().LastSeq < st.LastSeq {
		time.Sleep(time.Millisecond) // polling the publisher's progress; the benchmark's clock is the drain
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(st.LastSeq)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(pub.Stats().BytesSent)/float64(st.LastSeq), "net-bytes/event")
}
