package queue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/fleet"
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
				if err := h.store.MarkPrinted(job.PrintJob, h.clock.Now()); err != nil {
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
