package queue

import "sync/atomic"

// Subscription receives the engine's changes on C, in commit order. The
// engine never waits for a subscriber: when C is full the oldest change is
// dropped to make room and Dropped counts it, so a slow subscriber sees the
// latest changes and knows to re-read what it missed (Engine.Get).
type Subscription struct {
	C       <-chan Change
	ch      chan Change
	dropped atomic.Uint64
	e       *Engine
}

// Subscribe returns a subscription with room for buffer changes (at least
// 1). Subscribe before Start to also see the changes recovery makes.
func (e *Engine) Subscribe(buffer int) *Subscription {
	if buffer < 1 {
		buffer = 1
	}
	ch := make(chan Change, buffer)
	s := &Subscription{C: ch, ch: ch, e: e}
	e.mu.Lock()
	e.subs[s] = struct{}{}
	e.mu.Unlock()
	return s
}

// Dropped is how many changes were dropped because C was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and closes C.
func (s *Subscription) Close() {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if _, ok := s.e.subs[s]; ok {
		delete(s.e.subs, s)
		close(s.ch)
	}
}

// publish hands c to every subscriber without blocking. Called with e.mu
// held: only publish sends on the channels, so after one receive there is
// room.
func (e *Engine) publish(c Change) {
	for s := range e.subs {
		select {
		case s.ch <- c:
			continue
		default:
		}
		select {
		case <-s.ch:
			s.dropped.Add(1)
		default:
		}
		select {
		case s.ch <- c:
		default:
			s.dropped.Add(1)
		}
	}
}
