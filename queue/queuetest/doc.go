// Package queuetest holds test doubles for package queue: a hand-driven
// Clock, and Gateway, an in-memory AMS ledger with scripted buyers and
// injectable faults (nothing sent, request dropped, reply lost, U) that
// keeps the gateway rules the outbox depends on (idempotent ids, cancel
// reverses a paid payment inside the window, refund totals).
//
// Over-the-wire tests use alipay/amssim through the alipay client; this
// double is for fast, exhaustive engine tests.
package queuetest
