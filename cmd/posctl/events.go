package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/posd/posd/internal/events"
	"github.com/posd/posd/internal/fleet"
)

// topicList is a repeatable --topic.
type topicList []string

func (t *topicList) String() string     { return strings.Join(*t, ",") }
func (t *topicList) Set(v string) error { *t = append(*t, v); return nil }

// runEvents subscribes to the tills' events on an MQTT broker and prints
// them as they come (docs/events.md): the back office's view, and what the
// tests use to check a stream.
func runEvents(args []string, s stdio) int {
	fs, g := daemonFlags("events", s)
	url := fs.String("mqtt", "", "broker URL: mqtt://host[:1883] or mqtts://host[:8883]")
	var topics topicList
	fs.Var(&topics, "topic", "topic filter, repeatable (default posd/+/+/+/payments)")
	clientID := fs.String("client-id", "", "client id; with one the broker keeps the subscription while posctl is away (a durable back office)")
	expiry := fs.Duration("session-expiry", 24*time.Hour, "with --client-id: how long the broker keeps the session")
	user := fs.String("username", "", "broker username")
	passFile := fs.String("password-file", "", "file holding the broker password")
	ca := fs.String("ca-file", "", "CA certificate of the broker (mqtts)")
	cert := fs.String("cert", "", "client certificate (mqtts)")
	key := fs.String("key", "", "client key (mqtts)")
	count := fs.Int("count", 0, "exit after this many messages (0: run until interrupted)")
	if code := parseFlags(fs, args, "mqtt"); code >= 0 {
		return code
	}
	if len(topics) == 0 {
		topics = topicList{events.DefaultPrefix + "/+/+/+/" + string(events.ChannelPayments)}
	}
	b := fleet.Broker{URL: *url, ClientID: *clientID, Username: *user, CAFile: *ca, CertFile: *cert, KeyFile: *key}
	if *passFile != "" {
		pw, err := os.ReadFile(*passFile)
		if err != nil {
			return fail(s, "%v", err)
		}
		b.Password = []byte(strings.TrimRight(string(pw), "\r\n"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &eventPrinter{w: s.out, errw: s.err, json: g.json, last: map[string]uint64{}}
	cfg := fleet.SubscribeConfig{Broker: b, Topics: topics}
	if *clientID != "" {
		cfg.SessionExpiry = *expiry
	}
	err := fleet.Subscribe(ctx, cfg, func(m fleet.Message) {
		if p.print(m) && *count > 0 && p.printed >= *count {
			cancel()
		}
	})
	if err != nil {
		return fail(s, "%v", err)
	}
	return exitOK
}

// eventPrinter writes one line per message: the payload as received with
// --json, else a summary, marking redeliveries (same stream, seq at or
// below the last one seen).
type eventPrinter struct {
	mu      sync.Mutex
	w, errw io.Writer
	json    bool
	last    map[string]uint64 // terminal/stream → highest seq printed
	printed int
}

func (p *eventPrinter) print(m fleet.Message) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.HasSuffix(m.Topic, "/"+string(events.ChannelStatus)) {
		if p.json {
			fmt.Fprintf(p.w, "%s\n", m.Payload)
		} else {
			fmt.Fprintf(p.w, "%s status %s\n", m.Topic, m.Payload)
		}
		p.printed++
		return true
	}
	e, err := events.Decode(m.Payload)
	if err != nil {
		fmt.Fprintf(p.errw, "posctl: not a posd event on %s: %v\n", m.Topic, err)
		return false
	}
	p.printed++
	if p.json {
		fmt.Fprintf(p.w, "%s\n", m.Payload)
		return true
	}
	key := e.Terminal + "/" + e.Stream
	dup := ""
	if e.Seq <= p.last[key] {
		dup = "  (again)"
	} else {
		p.last[key] = e.Seq
	}
	fmt.Fprintf(p.w, "%s %s/%s/%s #%d %s%s\n", e.At.Format(time.RFC3339), e.Merchant, e.Store, e.Terminal, e.Seq, summary(&e), dup)
	return true
}

func summary(e *events.Event) string {
	switch {
	case e.Type == events.TypeRefund:
		return fmt.Sprintf("refund %s %s %s %s of %s", e.Refund.RequestID, e.Refund.State, e.Refund.Amount.Currency, e.Refund.Amount.Decimal, e.Payment.RequestID)
	case e.Payment != nil:
		return strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s %s", e.Type, e.Payment.RequestID, e.Payment.State, e.Payment.Amount.Currency, e.Payment.Amount.Decimal, e.Payment.ResultCode))
	case e.Receipt != nil:
		return fmt.Sprintf("receipt %s job %d %s %s", e.Receipt.Kind, e.Receipt.Job, e.Receipt.Status, e.Receipt.RequestID)
	case e.Alert != nil:
		state := "cleared"
		if e.Alert.Active {
			state = "ALERT"
		}
		return fmt.Sprintf("%s %s: %s", state, e.Alert.Code, e.Alert.Text)
	}
	return string(e.Type)
}

var _ flag.Value = (*topicList)(nil)
