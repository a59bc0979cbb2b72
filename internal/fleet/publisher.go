package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/posd/posd/internal/events"
	"github.com/posd/posd/queue"
)

// Outbox is the part of the outbox the publisher uses (queue.Engine).
type Outbox interface {
	EventsReady() <-chan struct{}
	Events(after uint64, max int) ([]queue.OutEvent, error)
	EventsDelivered(seq uint64) error
	DeleteDeliveredEvents() error
}

// Config configures a Publisher.
type Config struct {
	Broker Broker
	Prefix string        // first topic level(s), default events.DefaultPrefix
	Source events.Source // the till: merchant, store, terminal
	QoS    byte          // 1 (default) or 2
	// Version is posd's version, shown in the status message.
	Version string
	// KeepAlive is the MQTT keep-alive (default 30 s): a silent broker is
	// given up after one and a half of it.
	KeepAlive time.Duration
	// AckTimeout bounds the wait for one PUBACK (default 10 s); past it
	// the connection is dropped and the event sent again on the next.
	AckTimeout time.Duration
	// Backoff between connection attempts: doubled from MinBackoff
	// (default 1 s) up to MaxBackoff (default 30 s).
	MinBackoff, MaxBackoff time.Duration
	Logger                 *slog.Logger
}

// Check validates the configuration without connecting.
func (c *Config) Check() error {
	if err := c.Broker.Check(); err != nil {
		return err
	}
	if c.QoS != 1 && c.QoS != 2 {
		return fmt.Errorf("%w: qos %d: events need 1 or 2 (at least once)", ErrConfig, c.QoS)
	}
	if err := events.CheckPrefix(c.Prefix); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := c.Source.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// Stats is what the publisher reports for metrics and posctl status.
type Stats struct {
	Connected bool
	Published uint64    // events acknowledged by the broker since start
	LastSeq   uint64    // the newest event acknowledged
	LastAck   time.Time // when
	LastError string    // the most recent failure, "" once connected again
	Skipped   uint64    // stored events that failed to decode (never sent)
	BytesSent uint64    // bytes written to the broker connections (MQTT framing included)
}

// Publisher streams the outbox's events to the broker.
type Publisher struct {
	cfg Config
	ep  endpoint
	out Outbox
	log *slog.Logger

	connected atomic.Bool
	published atomic.Uint64
	lastSeq   atomic.Uint64
	skipped   atomic.Uint64
	sent      atomic.Uint64
	mu        sync.Mutex
	lastAck   time.Time
	lastErr   string
}

// New checks cfg and returns a publisher; Run connects.
func New(cfg Config, out Outbox) (*Publisher, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = events.DefaultPrefix
	}
	if cfg.QoS == 0 {
		cfg.QoS = 1
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	ep, err := cfg.Broker.resolve()
	if err != nil {
		return nil, err
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 30 * time.Second
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = 10 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(30*time.Second, cfg.MinBackoff)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Publisher{cfg: cfg, ep: ep, out: out, log: cfg.Logger}, nil
}

// Stats returns a snapshot of the publisher's state.
func (p *Publisher) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Connected: p.connected.Load(), Published: p.published.Load(), LastSeq: p.lastSeq.Load(),
		LastAck: p.lastAck, LastError: p.lastErr, Skipped: p.skipped.Load(), BytesSent: p.sent.Load()}
}

func (p *Publisher) failed(err error) {
	p.mu.Lock()
	p.lastErr = err.Error()
	p.mu.Unlock()
}

// Run publishes until ctx ends, reconnecting with backoff. At the end it
// publishes the offline status and deletes what was delivered, each
// bounded by a short timeout.
func (p *Publisher) Run(ctx context.Context) {
	backoff := p.cfg.MinBackoff
	var acked uint64 // every event up to it was acknowledged in this run
	for ctx.Err() == nil {
		began := time.Now()
		err := p.session(ctx, &acked)
		p.connected.Store(false)
		if ctx.Err() != nil {
			break
		}
		p.failed(err)
		p.log.Warn("event broker connection", "broker", p.ep.addr, "err", err, "retryIn", backoff)
		if time.Since(began) > p.cfg.MaxBackoff {
			backoff = p.cfg.MinBackoff // it was up for a while: start again from the bottom
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		backoff = min(2*backoff, p.cfg.MaxBackoff)
	}
	if err := p.out.DeleteDeliveredEvents(); err != nil {
		p.log.Warn("deleting delivered events at stop", "err", err)
	}
}

func (p *Publisher) status(online bool) []byte {
	s := events.Status{V: events.Version, Online: online, Merchant: p.cfg.Source.Merchant, Store: p.cfg.Source.Store,
		Terminal: p.cfg.Source.Terminal, Version: p.cfg.Version, At: time.Now().UTC().Truncate(time.Millisecond)}
	data, _ := json.Marshal(s) // a struct of strings, a bool and a time
	return data
}

func (p *Publisher) topic(ch events.Channel) string {
	return events.Topic(p.cfg.Prefix, p.cfg.Source, ch)
}

// session is one connection: connect with the last will, announce online,
// then publish every event after *acked in order until the connection or
// ctx ends.
func (p *Publisher) session(ctx context.Context, acked *uint64) error {
	raw, err := p.ep.dial(ctx, p.cfg.Broker.dialTimeout())
	if err != nil {
		return fmt.Errorf("connect %s: %w", p.ep.addr, err)
	}
	conn := &countingConn{Conn: raw, n: &p.sent}
	lost := make(chan error, 1)
	c := paho.NewClient(paho.ClientConfig{
		Conn:          conn,
		PacketTimeout: p.cfg.AckTimeout,
		OnClientError: func(err error) {
			select {
			case lost <- err:
			default:
			}
		},
		OnServerDisconnect: func(d *paho.Disconnect) {
			select {
			case lost <- fmt.Errorf("broker disconnected: reason %d", d.ReasonCode):
			default:
			}
		},
	})
	cp := &paho.Connect{
		ClientID:   p.cfg.Broker.ClientID,
		KeepAlive:  uint16(p.cfg.KeepAlive / time.Second),
		CleanStart: true, // the outbox is the session: nothing is kept at the broker
		// posd subscribes to nothing: the broker sends only small acks.
		Properties:  &paho.ConnectProperties{MaximumPacketSize: ptr[uint32](4 << 10)},
		WillMessage: &paho.WillMessage{Retain: true, QoS: 1, Topic: p.topic(events.ChannelStatus), Payload: p.status(false)},
		WillProperties: &paho.WillProperties{
			PayloadFormat: ptr[byte](1), ContentType: "application/json",
		},
	}
	if p.cfg.Broker.Username != "" {
		cp.Username, cp.UsernameFlag = p.cfg.Broker.Username, true
	}
	if len(p.cfg.Broker.Password) > 0 {
		cp.Password, cp.PasswordFlag = p.cfg.Broker.Password, true
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Broker.dialTimeout())
	ca, err := c.Connect(cctx, cp)
	cancel()
	if err != nil {
		conn.Close()
		if ca != nil {
			return fmt.Errorf("broker refused the connection: reason %d %s", ca.ReasonCode, reasonString(ca.Properties))
		}
		return fmt.Errorf("mqtt connect: %w", err)
	}
	defer func() { <-c.Done() }()
	defer conn.Close()
	if err := p.publish(ctx, c, p.topic(events.ChannelStatus), p.status(true), true); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	p.connected.Store(true)
	p.mu.Lock()
	p.lastErr = ""
	p.mu.Unlock()
	p.log.Info("event broker connected", "broker", p.ep.addr, "clientId", p.cfg.Broker.ClientID, "after", *acked)

	for {
		batch, err := p.out.Events(*acked, 64)
		if err != nil {
			return fmt.Errorf("reading the outbox: %w", err)
		}
		for _, ev := range batch {
			e, err := events.Decode(ev.Payload)
			if err != nil {
				// Only a damaged record gets here; sending it would break
				// consumers, holding it would stop the stream.
				p.skipped.Add(1)
				p.log.Error("event not publishable, skipped", "seq", ev.Seq, "err", err)
			} else if err := p.publish(ctx, c, p.topic(e.Channel()), ev.Payload, false); err != nil {
				return fmt.Errorf("event %d: %w", ev.Seq, err)
			} else {
				p.published.Add(1)
				p.lastSeq.Store(ev.Seq)
				p.mu.Lock()
				p.lastAck = time.Now()
				p.mu.Unlock()
			}
			*acked = ev.Seq
			if err := p.out.EventsDelivered(ev.Seq); err != nil {
				p.log.Warn("recording delivery", "seq", ev.Seq, "err", err)
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			p.goodbye(c)
			return nil
		case err := <-lost:
			return fmt.Errorf("connection lost: %w", err)
		case <-c.Done():
			return errors.New("connection closed")
		case <-p.out.EventsReady():
		}
	}
}

// publish sends one message and waits for the broker's acknowledgement
// (paho returns an error for a reason code of 0x80 or more).
func (p *Publisher) publish(ctx context.Context, c *paho.Client, topic string, payload []byte, retain bool) error {
	actx, cancel := context.WithTimeout(ctx, p.cfg.AckTimeout)
	defer cancel()
	_, err := c.Publish(actx, &paho.Publish{QoS: p.cfg.QoS, Retain: retain, Topic: topic, Payload: payload,
		Properties: &paho.PublishProperties{PayloadFormat: ptr[byte](1), ContentType: "application/json"}})
	return err
}

// goodbye publishes the offline status (a clean disconnect suppresses the
// will) and disconnects, within a short bound.
func (p *Publisher) goodbye(c *paho.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.publish(ctx, c, p.topic(events.ChannelStatus), p.status(false), true); err != nil {
		p.log.Warn("offline status", "err", err)
	}
	_ = c.Disconnect(&paho.Disconnect{ReasonCode: 0})
}

func reasonString(props *paho.ConnackProperties) string {
	if props == nil {
		return ""
	}
	return props.ReasonString
}

func ptr[T any](v T) *T { return &v }

// countingConn counts the bytes written to the broker: the benchmark
// tells disk writes from network writes with it.
type countingConn struct {
	net.Conn
	n *atomic.Uint64
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(uint64(n))
	return n, err
}
