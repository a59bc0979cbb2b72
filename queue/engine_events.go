package queue

// The engine's door to the events outbox (docs/events.md), for the
// publisher. The events themselves are appended by the store in the
// transaction of each change; nothing here waits for a broker.

// EventsReady receives after every commit while events are on (a nil
// channel when they are off).
func (e *Engine) EventsReady() <-chan struct{} { return e.store.EventsReady() }

// Events returns up to max committed events after sequence number after,
// oldest first.
func (e *Engine) Events(after uint64, max int) ([]OutEvent, error) {
	return e.store.Events(after, max)
}

// EventsDelivered records that the broker acknowledged every event up to
// seq; they are deleted with the next commit (or at once when many wait).
func (e *Engine) EventsDelivered(seq uint64) error { return e.store.eventsDelivered(seq) }

// DeleteDeliveredEvents deletes delivered events now, for a clean stop.
func (e *Engine) DeleteDeliveredEvents() error { return e.store.deleteDelivered() }

// EventStats describe the events outbox: backlog, oldest, dropped.
func (e *Engine) EventStats() (EventStats, error) { return e.store.EventStats() }
