package fleet_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/fleet"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

// BenchmarkPublish measures how fast a backlog drains to a real Mosquitto
// on loopback: events published one at a time, each waiting for its
// PUBACK, with delivered events deleted in batches. events/s is the rate a
// till catches up at after an outage (one in flight: roughly 1/RTT).
//
//	go test -run '^$' -bench Publish -benchtime 2000x ./internal/fleet/
func BenchmarkPublish(b *testing.B) {
	mq := testenv.StartMosquitto(b)
	s, err := queue.Open(filepath.Join(b.TempDir(), "posd.db"), queue.Options{Events: &queue.EventOptions{Source: tillT1, MaxBacklog: 1 << 22}})
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
			p, err := queue.NewPayment(queue.PaymentRequest{RequestID: id, SaleID: id, Scenario: queue.PaymentCode,
				Amount: alipay.Amount{Currency: "USD", Value: 1234}, ExpiresAt: now.Add(time.Minute),
				Body: []byte(`{"paymentRequestId":"` + id + `","paymentAmount":{"currency":"USD","value":"1234"},"paymentFactor":{"inStorePaymentScenario":"PaymentCode"},"paymentMethod":{"paymentMethodType":"CONNECT_WALLET","paymentMethodId":"280000000000000001"}}`)}, now, &pol)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, p)
		}
		if _, err := s.SaveAll(batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	eng, err := queue.NewEngine(queue.Config{Store: s, Gateway: queuetest.NewGateway(time.Now)})
	if err != nil {
		b.Fatal(err)
	}
	st, _ := eng.EventStats()
	pub, err := fleet.New(fleet.Config{Broker: fleet.Broker{URL: mq.URL(), ClientID: "bench"}, Source: tillT1}, eng)
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
