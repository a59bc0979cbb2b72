package fleet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/events"
	"github.com/posd/posd/internal/fleet"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

var tillT1 = events.Source{Merchant: "M0001", Store: "S01", Terminal: "T1"}

// till is a real outbox (bbolt file, engine, in-memory gateway) with
// events on, and its publisher.
type till struct {
	t         testing.TB
	keepAlive time.Duration // default 10 s: shorter only where a test waits for the broker to notice a silent till
	src       events.Source
	path      string
	opts      queue.Options
	store     *queue.Store
	eng       *queue.Engine
	sub       *queue.Subscription
	pub       *fleet.Publisher
	stop      context.CancelFunc
	done      chan struct{}
	broker    string
	n         int
}

func newTill(t testing.TB, src events.Source, broker string, o queue.EventOptions) *till {
	return newTillKeepAlive(t, src, broker, o, 10*time.Second)
}

// newTillKeepAlive is newTill with a keep-alive of its own: short where
// the test waits for the broker to notice a silent till, long elsewhere so
// a loaded machine's slow PINGRESP does not drop the connection.
func newTillKeepAlive(t testing.TB, src events.Source, broker string, o queue.EventOptions, keepAlive time.Duration) *till {
	o.Source = src
	tl := &till{t: t, src: src, path: filepath.Join(t.TempDir(), "posd.db"), opts: queue.Options{Events: &o}, broker: broker,
		keepAlive: keepAlive}
	tl.start()
	t.Cleanup(tl.halt)
	return tl
}

func (tl *till) start() {
	t := tl.t
	t.Helper()
	s, err := queue.Open(tl.path, tl.opts)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := queue.NewEngine(queue.Config{Store: s, Gateway: queuetest.NewGateway(time.Now)})
	if err != nil {
		t.Fatal(err)
	}
	tl.sub = eng.Subscribe(1024)
	ctx, cancel := context.WithCancel(context.Background())
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pub, err := fleet.New(fleet.Config{
		Broker:    fleet.Broker{URL: "mqtt://" + tl.broker, ClientID: "posd-" + tl.src.Terminal, DialTimeout: 2 * time.Second},
		Source:    tl.src,
		KeepAlive: tl.keepAlive, AckTimeout: 5 * time.Second, MinBackoff: 50 * time.Millisecond, MaxBackoff: 300 * time.Millisecond,
		Version: "test",
	}, eng)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); pub.Run(ctx) }()
	tl.store, tl.eng, tl.pub, tl.stop, tl.done = s, eng, pub, cancel, done
}

// halt stops publisher and engine cleanly and closes the file.
func (tl *till) halt() {
	if tl.stop == nil {
		return
	}
	tl.stop()
	<-tl.done
	tl.eng.Wait()
	tl.sub.Close()
	tl.eng.Close()
	tl.stop = nil
}

// pay makes n payments paid at once, each with its receipt printed.
func (tl *till) pay(n int) {
	tl.t.Helper()
	for range n {
		tl.n++
		id := fmt.Sprintf("%s-%04d", tl.src.Terminal, tl.n)
		amount := money.Amount{Currency: "USD", Value: int64(100 + tl.n)}
		body := fmt.Sprintf(`{"paymentRequestId":%q,"paymentAmount":{"currency":"USD","value":"%d"},"paymentMethod":{"paymentMethodType":"CONNECT_WALLET","paymentMethodId":"280000000000000001"},"paymentFactor":{"inStorePaymentScenario":"PaymentCode"}}`, id, amount.Value)
		if _, err := tl.eng.Pay(queue.PaymentRequest{RequestID: id, SaleID: id, Scenario: queue.PaymentCode, Amount: amount,
			Body: []byte(body), ExpiresAt: time.Now().Add(time.Minute)}); err != nil {
			tl.t.Fatal(err)
		}
		deadline := time.After(20 * time.Second)
		for done := false; !done; {
			select {
			case c := <-tl.sub.C:
				if c.Kind == queue.ChangeReceiptReady && c.RequestID == id {
					if err := tl.eng.MarkPrinted(c.PrintJob); err != nil {
						tl.t.Fatal(err)
					}
					done = true
				}
			case <-deadline:
				tl.t.Fatalf("payment %s not paid", id)
			}
		}
	}
}

// waitChange waits for the engine's change of kind for payment id.
func (tl *till) waitChange(kind queue.ChangeKind, id string) {
	tl.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case c := <-tl.sub.C:
			if c.Kind == kind && c.RequestID == id {
				return
			}
		case <-deadline:
			tl.t.Fatalf("no %s for %s", kind, id)
		}
	}
}

func (tl *till) lastSeq() uint64 {
	st, err := tl.eng.EventStats()
	if err != nil {
		tl.t.Fatal(err)
	}
	return st.LastSeq
}

// consumer is a back office subscribed through fleet.Subscribe.
type consumer struct {
	t    testing.TB
	mu   sync.Mutex
	msgs []fleet.Message
	news chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

// subscribe starts a consumer; with a client id its session is kept at
// the broker while it is away (or the broker restarts).
func subscribe(t testing.TB, broker, clientID string, topics ...string) *consumer {
	t.Helper()
	c := &consumer{t: t, news: make(chan struct{}, 1), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	ready := make(chan struct{}, 1)
	cfg := fleet.SubscribeConfig{Broker: fleet.Broker{URL: "mqtt://" + broker, ClientID: clientID, DialTimeout: 2 * time.Second},
		Topics: topics, Backoff: 50 * time.Millisecond,
		Ready: func() {
			select {
			case ready <- struct{}{}:
			default:
			}
		}}
	if clientID != "" {
		cfg.SessionExpiry = time.Hour
	}
	go func() {
		defer close(c.done)
		if err := fleet.Subscribe(ctx, cfg, c.add); err != nil {
			t.Errorf("subscribe: %v", err)
		}
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("subscription not in place")
	}
	t.Cleanup(func() { cancel(); <-c.done })
	return c
}

func (c *consumer) add(m fleet.Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
	select {
	case c.news <- struct{}{}:
	default:
	}
}

func (c *consumer) messages() []fleet.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]fleet.Message(nil), c.msgs...)
}

// waitFor waits until ok holds for what arrived (bounded).
func (c *consumer) waitFor(what string, ok func([]fleet.Message) bool) []fleet.Message {
	c.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		msgs := c.messages()
		if ok(msgs) {
			return msgs
		}
		select {
		case <-c.news:
		case <-deadline:
			c.t.Fatalf("timed out waiting for %s; got %d messages", what, len(msgs))
		}
	}
}

// stream checks one till's events as a consumer must read them: every
// redelivery is byte for byte the first delivery (same id, same seq), the
// first deliveries come in sequence order, and every sequence number up
// to last arrived or is named by an events-dropped alert. It returns the
// first deliveries in order.
func stream(t testing.TB, msgs []fleet.Message, src events.Source, last uint64) (first []events.Event, dups int) {
	t.Helper()
	seen := map[uint64][]byte{}
	covered := map[uint64]bool{}
	var prev uint64
	for _, m := range msgs {
		if strings.HasSuffix(m.Topic, "/status") {
			continue
		}
		e, err := events.Decode(m.Payload)
		if err != nil {
			t.Fatalf("%s: %v", m.Topic, err)
		}
		if e.Terminal != src.Terminal {
			continue
		}
		if want := events.Topic("posd", src, e.Channel()); m.Topic != want {
			t.Errorf("event %d on %s, want %s", e.Seq, m.Topic, want)
		}
		if old, ok := seen[e.Seq]; ok {
			if !bytes.Equal(old, m.Payload) {
				t.Fatalf("event %d delivered twice with different content:\n%s\n%s", e.Seq, old, m.Payload)
			}
			dups++
			continue
		}
		if e.Seq < prev {
			t.Fatalf("event %d first delivered after %d", e.Seq, prev)
		}
		prev = e.Seq
		seen[e.Seq] = m.Payload
		covered[e.Seq] = true
		if e.Alert != nil && e.Alert.Code == events.AlertEventsDropped {
			for s := e.Alert.FirstSeq; s <= e.Alert.LastSeq; s++ {
				covered[s] = true
			}
		}
		first = append(first, e)
	}
	for s := uint64(1); s <= last; s++ {
		if !covered[s] {
			t.Fatalf("event %d of %s lost (%d first deliveries, last %d)", s, src.Terminal, len(first), last)
		}
	}
	return first, dups
}

// upTo reports whether every event of src up to last has arrived.
func upTo(src events.Source, last func() uint64) func([]fleet.Message) bool {
	return func(msgs []fleet.Message) bool {
		l := last()
		got := map[uint64]bool{}
		for _, m := range msgs {
			var e struct {
				Seq      uint64 `json:"seq"`
				Terminal string `json:"terminal"`
				Alert    *events.Alert
			}
			if json.Unmarshal(m.Payload, &e) != nil || e.Terminal != src.Terminal || e.Seq == 0 {
				continue
			}
			got[e.Seq] = true
			if e.Alert != nil && e.Alert.Code == events.AlertEventsDropped {
				for s := e.Alert.FirstSeq; s <= e.Alert.LastSeq; s++ {
					got[s] = true
				}
			}
		}
		for s := uint64(1); s <= l; s++ {
			if !got[s] {
				return false
			}
		}
		return l > 0
	}
}

func TestPublishesEveryChangeInOrder(t *testing.T) {
	mq := testenv.StartMosquitto(t)
	back := subscribe(t, mq.Addr(), "", "posd/+/+/+/#")
	tl := newTill(t, tillT1, mq.Addr(), queue.EventOptions{})
	tl.pay(5)
	if _, err := tl.eng.Refund("T1-0002", money.Amount{Currency: "USD", Value: 50}, ""); err != nil {
		t.Fatal(err)
	}
	tl.waitChange(queue.ChangeRefunded, "T1-0002") // its events are committed with it
	last := tl.lastSeq()
	msgs := back.waitFor("every event", func(m []fleet.Message) bool { return upTo(tillT1, func() uint64 { return last })(m) })
	first, _ := stream(t, msgs, tillT1, last)
	if len(first) != int(last) {
		t.Fatalf("%d first deliveries, want %d", len(first), last)
	}
	// The payment part: every state of every payment, in order.
	var states []string
	for _, e := range first {
		if e.Payment != nil && e.Payment.RequestID == "T1-0001" && e.Type == events.TypePayment {
			states = append(states, e.Payment.State)
		}
	}
	if fmt.Sprint(states) != "[SENT SUCCEEDED]" {
		t.Errorf("T1-0001 states %v", states)
	}
	// The till is online (retained) and the publisher says what it sent.
	var online bool
	for _, m := range msgs {
		if m.Topic == "posd/M0001/S01/T1/status" {
			var s events.Status
			_ = json.Unmarshal(m.Payload, &s)
			online = s.Online
		}
	}
	if !online {
		t.Error("no online status")
	}
	if st := tl.pub.Stats(); !st.Connected || st.LastSeq < last-2 {
		t.Errorf("publisher stats %+v, last %d", st, last)
	}
}

func TestBrokerStoppedAndRestartedMidRunLosesNothing(t *testing.T) {
	mq := testenv.StartMosquitto(t)
	back := subscribe(t, mq.Addr(), "backoffice-1", "posd/+/+/+/#")
	tl := newTill(t, tillT1, mq.Addr(), queue.EventOptions{})
	tl.pay(3)
	mq.Stop()
	tl.pay(4) // payments never wait for the broker
	if st, _ := tl.eng.EventStats(); st.Backlog == 0 {
		t.Fatalf("no backlog while the broker is down: %+v", st)
	}
	mq.Start()
	tl.pay(2)
	last := tl.lastSeq()
	msgs := back.waitFor("every event after the restart", upTo(tillT1, func() uint64 { return last }))
	first, dups := stream(t, msgs, tillT1, last)
	t.Logf("%d events, %d duplicates", len(first), dups)
	// Delivered events leave the outbox (with the next commit).
	tl.halt()
	s, err := queue.Open(tl.path, queue.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eng, err := queue.NewEngine(queue.Config{Store: s, Gateway: queuetest.NewGateway(time.Now)})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := eng.Events(0, 100); len(left) != 0 {
		t.Errorf("%d delivered events left in the outbox after a clean stop", len(left))
	}
}

func TestNetworkCutLosesNothingAndTheWillSaysOffline(t *testing.T) {
	mq := testenv.StartMosquitto(t)
	relay := testenv.StartRelay(t, mq.Addr())
	back := subscribe(t, mq.Addr(), "backoffice-2", "posd/+/+/+/#")
	tl := newTillKeepAlive(t, tillT1, relay.Addr, queue.EventOptions{}, 2*time.Second)
	tl.pay(2)
	back.waitFor("first events", upTo(tillT1, tl.lastSeq))
	relay.Cut()
	tl.pay(3)
	// The broker notices the silent till (keep-alive) and publishes its will.
	back.waitFor("the offline will", func(msgs []fleet.Message) bool {
		for _, m := range msgs[max(0, len(msgs)-3):] {
			if m.Topic == "posd/M0001/S01/T1/status" && bytes.Contains(m.Payload, []byte(`"online":false`)) {
				return true
			}
		}
		return false
	})
	relay.Restore()
	tl.pay(1)
	last := tl.lastSeq()
	msgs := back.waitFor("every event after the cut", upTo(tillT1, func() uint64 { return last }))
	stream(t, msgs, tillT1, last)
}

func TestBacklogBoundWhileBrokerAwayIsReported(t *testing.T) {
	mq := testenv.StartMosquitto(t)
	back := subscribe(t, mq.Addr(), "backoffice-3", "posd/+/+/+/#")
	tl := newTill(t, tillT1, mq.Addr(), queue.EventOptions{MaxBacklog: 8})
	tl.pay(1)
	back.waitFor("first events", upTo(tillT1, tl.lastSeq))
	mq.Stop()
	tl.pay(6)
	st, _ := tl.eng.EventStats()
	if st.Dropped == 0 || st.Backlog > 8 {
		t.Fatalf("stats %+v", st)
	}
	mq.Start()
	last := tl.lastSeq()
	msgs := back.waitFor("the rest and the drop alert", upTo(tillT1, func() uint64 { return last }))
	first, _ := stream(t, msgs, tillT1, last)
	var alerted bool
	for _, e := range first {
		alerted = alerted || (e.Alert != nil && e.Alert.Code == events.AlertEventsDropped)
	}
	if !alerted {
		t.Error("no events-dropped alert reached the consumer")
	}
}

func TestCleanStopPublishesOffline(t *testing.T) {
	mq := testenv.StartMosquitto(t)
	tl := newTill(t, tillT1, mq.Addr(), queue.EventOptions{})
	tl.pay(1)
	// Connected is set once the online status was acknowledged: a
	// subscriber from now on gets it as a retained message.
	deadline := time.After(20 * time.Second)
	for !tl.pub.Stats().Connected {
		select {
		case <-deadline:
			t.Fatalf("publisher never connected: %+v", tl.pub.Stats())
		case <-time.After(10 * time.Millisecond):
		}
	}
	back := subscribe(t, mq.Addr(), "", "posd/+/+/+/status")
	back.waitFor("retained online", func(m []fleet.Message) bool {
		for _, x := range m {
			if x.Retain && bytes.Contains(x.Payload, []byte(`"online":true`)) {
				return true
			}
		}
		return false
	})
	tl.halt()
	back.waitFor("offline", func(m []fleet.Message) bool {
		return bytes.Contains(m[len(m)-1].Payload, []byte(`"online":false`))
	})
}

// A broker that refuses the messages (MQTT 5 PUBACK reason code 0x87, not
// authorised) does not get them deleted: they wait in the outbox until the
// broker takes them. With MQTT 3.1.1 the broker acknowledges and drops.
func TestRefusedByTheBrokerStaysInTheOutbox(t *testing.T) {
	acl := filepath.Join(t.TempDir(), "acl")
	if err := os.WriteFile(acl, []byte("topic readwrite posd/+/+/+/status\ntopic read posd/#\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mq := testenv.StartMosquitto(t, "acl_file "+acl)
	tl := newTill(t, tillT1, mq.Addr(), queue.EventOptions{})
	tl.pay(1)
	deadline := time.After(20 * time.Second)
	for !strings.Contains(tl.pub.Stats().LastError, "not authori") {
		select {
		case <-deadline:
			t.Fatalf("no refusal reported: %+v\n%s", tl.pub.Stats(), mq.Log())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if st, _ := tl.eng.EventStats(); st.Backlog != int(st.LastSeq) || tl.pub.Stats().Published != 0 {
		t.Fatalf("refused events left the outbox: %+v, publisher %+v", st, tl.pub.Stats())
	}
	// The operator fixes the ACL; the broker reloads it (SIGHUP).
	back := subscribe(t, mq.Addr(), "", "posd/+/+/+/payments")
	if err := os.WriteFile(acl, []byte("topic readwrite posd/#\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mq.Reload()
	back.waitFor("the events once allowed", upTo(tillT1, tl.lastSeq))
}
