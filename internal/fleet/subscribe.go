package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

// Message is one message a subscription received.
type Message struct {
	Topic   string
	Payload []byte
	Retain  bool
}

// SubscribeConfig configures Subscribe.
type SubscribeConfig struct {
	Broker Broker
	Topics []string // filters, wildcards allowed ("posd/+/+/+/payments")
	QoS    byte     // 1 by default
	// SessionExpiry, when positive, keeps the subscription at the broker
	// while the consumer is away (needs a fixed Broker.ClientID): a back
	// office that restarts gets what it missed.
	SessionExpiry time.Duration
	// Backoff between connection attempts (default 1 s).
	Backoff time.Duration
	// Ready, when set, is called each time the subscription is in place.
	Ready  func()
	Logger *slog.Logger
}

// Subscribe delivers every message on the topics to handle, one at a
// time, reconnecting until ctx ends. A message is acknowledged to the
// broker only after handle returned, so a consumer that dies mid-message
// gets it again.
func Subscribe(ctx context.Context, cfg SubscribeConfig, handle func(Message)) error {
	if len(cfg.Topics) == 0 {
		return fmt.Errorf("%w: no topic to subscribe to", ErrConfig)
	}
	if cfg.QoS == 0 {
		cfg.QoS = 1
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionExpiry > 0 && cfg.Broker.ClientID == "" {
		return fmt.Errorf("%w: a kept session needs a client id", ErrConfig)
	}
	ep, err := cfg.Broker.resolve()
	if err != nil {
		return err
	}
	for {
		err := subscribeOnce(ctx, ep, &cfg, handle)
		if ctx.Err() != nil {
			return nil
		}
		var refused refusal
		if errors.As(err, &refused) {
			return err
		}
		cfg.Logger.Warn("subscription", "broker", ep.addr, "err", err)
		t := time.NewTimer(cfg.Backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// maxPacket bounds what the broker may send a consumer.
const maxPacket = 256 << 10

// refusal is an answer from the broker that retrying will not change.
type refusal struct{ error }

func subscribeOnce(ctx context.Context, ep endpoint, cfg *SubscribeConfig, handle func(Message)) error {
	conn, err := ep.dial(ctx, cfg.Broker.dialTimeout())
	if err != nil {
		return err
	}
	lost := make(chan error, 1)
	report := func(err error) {
		select {
		case lost <- err:
		default:
		}
	}
	c := paho.NewClient(paho.ClientConfig{
		Conn: conn,
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(r paho.PublishReceived) (bool, error) {
			handle(Message{Topic: r.Packet.Topic, Payload: r.Packet.Payload, Retain: r.Packet.Retain})
			return true, nil
		}},
		OnClientError:      report,
		OnServerDisconnect: func(d *paho.Disconnect) { report(fmt.Errorf("broker disconnected: reason %d", d.ReasonCode)) },
	})
	// The broker must not send more than maxPacket in one message (MQTT 5
	// 3.1.2.11.4): an event is far smaller.
	cp := &paho.Connect{ClientID: cfg.Broker.ClientID, KeepAlive: 30, CleanStart: cfg.SessionExpiry <= 0,
		Properties: &paho.ConnectProperties{MaximumPacketSize: ptr[uint32](maxPacket)}}
	if cfg.SessionExpiry > 0 {
		secs := uint32(min(cfg.SessionExpiry/time.Second, 1<<32-1))
		cp.Properties.SessionExpiryInterval = &secs
	}
	if cfg.Broker.Username != "" {
		cp.Username, cp.UsernameFlag = cfg.Broker.Username, true
	}
	if len(cfg.Broker.Password) > 0 {
		cp.Password, cp.PasswordFlag = cfg.Broker.Password, true
	}
	cctx, cancel := context.WithTimeout(ctx, cfg.Broker.dialTimeout())
	defer cancel()
	ca, err := c.Connect(cctx, cp)
	if err != nil {
		conn.Close()
		if ca != nil && ca.ReasonCode >= 0x80 {
			return refusal{fmt.Errorf("broker refused the connection: reason %d %s", ca.ReasonCode, reasonString(ca.Properties))}
		}
		return err
	}
	defer func() { <-c.Done() }()
	defer conn.Close()
	sub := &paho.Subscribe{}
	for _, t := range cfg.Topics {
		sub.Subscriptions = append(sub.Subscriptions, paho.SubscribeOptions{Topic: t, QoS: cfg.QoS})
	}
	sa, err := c.Subscribe(cctx, sub)
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	for i, code := range sa.Reasons {
		if code >= 0x80 {
			return refusal{fmt.Errorf("broker refused the subscription to %q: reason %d", cfg.Topics[min(i, len(cfg.Topics)-1)], code)}
		}
	}
	if cfg.Ready != nil {
		cfg.Ready()
	}
	select {
	case <-ctx.Done():
		_ = c.Disconnect(&paho.Disconnect{ReasonCode: 0})
		return nil
	case err := <-lost:
		return err
	case <-c.Done():
		return errors.New("connection closed")
	}
}
