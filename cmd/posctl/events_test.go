package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/events"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// publisher is a bare MQTT client for the test to publish with.
func publisher(t *testing.T, addr string) *paho.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := paho.NewClient(paho.ClientConfig{Conn: conn})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Connect(ctx, &paho.Connect{ClientID: "test-publisher", CleanStart: true, KeepAlive: 30}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(&paho.Disconnect{}) })
	return c
}

func testEvent(t *testing.T, seq uint64) []byte {
	e := events.Event{V: events.Version, ID: events.EventID("feedface00000001", seq), Stream: "feedface00000001", Seq: seq,
		Type: events.TypePayment, At: time.Date(2026, 11, 29, 3, 0, int(seq), 0, time.UTC), Merchant: "M0001", Store: "S01", Terminal: "T1",
		Payment: &events.Payment{RequestID: fmt.Sprintf("T1-%d", seq), SaleID: "s", Scenario: "OrderCode", State: "SUCCEEDED",
			Amount: events.Amount{Currency: "USD", Minor: 1250, Decimal: "12.50"}}}
	data, err := events.Encode(&e)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestEventsPrintsTheStreamAndMarksRedeliveries(t *testing.T) {
	mq := testenv.StartMosquitto(t)
	pub := publisher(t, mq.Addr())
	send := func(payload []byte, retain bool) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := pub.Publish(ctx, &paho.Publish{Topic: "posd/M0001/S01/T1/payments", QoS: 1, Retain: retain, Payload: payload}); err != nil {
			t.Fatal(err)
		}
	}
	// Retained, so it reaches posctl whenever its subscription lands.
	send(testEvent(t, 1), true)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"events", "--mqtt", mq.URL(), "--topic", "posd/+/+/+/payments", "--count", "4"}, stdio{strings.NewReader(""), &out, &errb})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "#1 ") {
		if time.Now().After(deadline) {
			t.Fatalf("posctl printed nothing: %q %q", out.String(), errb.String())
		}
		time.Sleep(10 * time.Millisecond) // polling a buffer another goroutine fills, bounded above
	}
	send(testEvent(t, 2), false)
	send(testEvent(t, 2), false)
	send([]byte(`{"v":1,"not":"an event"}`), false)
	send(testEvent(t, 3), false)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("posctl did not stop after 4 messages: %q", out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("lines: %q", lines)
	}
	want := []string{"M0001/S01/T1 #1 payment T1-1 SUCCEEDED USD 12.50", "#2 payment T1-2", "#2 payment T1-2 SUCCEEDED USD 12.50  (again)", "#3 payment T1-3"}
	for i, w := range want {
		if !strings.Contains(lines[i], strings.TrimSpace(w)) {
			t.Errorf("line %d %q lacks %q", i, lines[i], w)
		}
	}
	if strings.Contains(lines[1], "again") || !strings.Contains(errb.String(), "not a posd event") {
		t.Errorf("line 2 %q, stderr %q", lines[1], errb.String())
	}
}

func TestEventsNeedsABroker(t *testing.T) {
	code, _, stderr := posctl("", "events", "--topic", "x")
	if code != exitUsage || !strings.Contains(stderr, "--mqtt is required") {
		t.Errorf("%d %q", code, stderr)
	}
	code, _, stderr = posctl("", "events", "--mqtt", "http://broker")
	if code != exitFail || !strings.Contains(stderr, "mqtt://") {
		t.Errorf("%d %q", code, stderr)
	}
}
