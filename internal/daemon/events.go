package daemon

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/fleet"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/internal/promtext"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
)

// stream is the event stream to the merchant's broker ([events],
// docs/events.md): the outbox appends the events, the publisher sends them.
type stream struct {
	pub    *fleet.Publisher
	eng    *queue.Engine
	broker string
}

// newStream builds the publisher when [events] is on (nil otherwise).
func newStream(cfg *config.Config, eng *queue.Engine, o Options) (*stream, error) {
	if !cfg.Events.On() {
		return nil, nil
	}
	b, err := cfg.Broker(o.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	pub, err := fleet.New(fleet.Config{Broker: b, Prefix: cfg.Events.TopicPrefix, Source: cfg.Source(),
		QoS: byte(cfg.Events.QoS), Version: o.Version, Logger: o.Logger.With("component", "events")}, eng)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	addr, _, _ := fleet.ParseURL(b.URL)
	return &stream{pub: pub, eng: eng, broker: addr}, nil
}

// run publishes until ctx ends; wait returns once it has stopped.
func (s *stream) run(ctx context.Context, wg *sync.WaitGroup) {
	if s != nil {
		wg.Go(func() { s.pub.Run(ctx) })
	}
}

// status is what posctl status shows (nil when events are off).
func (s *stream) status() *posapi.Events {
	if s == nil {
		return nil
	}
	st, _ := s.eng.EventStats() // a read error leaves the zero counts
	p := s.pub.Stats()
	return &posapi.Events{Broker: s.broker, Connected: p.Connected, Backlog: st.Backlog, Oldest: st.Oldest,
		Stream: st.Stream, LastSeq: st.LastSeq, Published: p.Published, Dropped: st.Dropped, LastError: p.LastError}
}

// watch tells the cashier flow (an alert on the till) when the back
// office is falling behind: a backlog near its bound, or events dropped.
// It polls the outbox's counters every few seconds.
func (s *stream) watch(ctx context.Context, wg *sync.WaitGroup, inputs chan<- terminal.Input, every time.Duration, max int) {
	if s == nil {
		return
	}
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		last := ""
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			why := eventsTrouble(s.status(), max)
			if why == last {
				continue
			}
			last = why
			select {
			case inputs <- terminal.Health{Part: terminal.Events, OK: why == "", Detail: why}:
			case <-ctx.Done():
				return
			}
		}
	})
}

// eventsTrouble is what the till says about the event stream: nothing
// while it keeps up.
func eventsTrouble(st *posapi.Events, max int) string {
	switch {
	case st == nil:
		return ""
	case st.Dropped > 0:
		return fmt.Sprintf("%d events never reached the broker; the payments are in posctl export", st.Dropped)
	case st.Backlog >= max*8/10:
		return fmt.Sprintf("broker unreachable, %d events waiting (dropped from %d)", st.Backlog, max)
	}
	return ""
}

// registerStream puts the stream's series on /metrics, read once per scrape.
func registerStream(reg *promtext.Registry, s *stream) {
	series := func(name, help string, typ promtext.Type, v func(st *posapi.Events) float64) {
		reg.NewFunc(name, help, typ, nil, func(emit promtext.Emit) {
			if st := s.status(); st != nil {
				emit(v(st))
			}
		})
	}
	series("posd_events_backlog", "Events committed but not yet acknowledged by the broker.", promtext.GaugeType,
		func(st *posapi.Events) float64 { return float64(st.Backlog) })
	series("posd_events_published_total", "Events acknowledged by the broker since posd started.", promtext.CounterType,
		func(st *posapi.Events) float64 { return float64(st.Published) })
	series("posd_events_dropped_total", "Events deleted undelivered because the backlog passed its bound.", promtext.CounterType,
		func(st *posapi.Events) float64 { return float64(st.Dropped) })
	series("posd_events_broker_up", "1 while an MQTT session with the broker is up.", promtext.GaugeType,
		func(st *posapi.Events) float64 { return boolGauge(st.Connected) })
}
