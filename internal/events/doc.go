// Package events is the wire format of the events posd streams to the
// merchant's back office (docs/events.md): one JSON object per committed
// change of a payment, refund, void, receipt or alert, and the topics they
// are published on.
//
// The outbox (package queue) encodes an event in the same bbolt
// transaction as the change it reports, so the bytes a consumer receives
// are fixed at commit time: a redelivery after a broker outage or a crash
// carries the same id and sequence number, and consumers drop it.
//
// The package is a leaf: no AMS client, no MQTT. Decode is strict, since
// its input comes off the network in `posctl events`.
package events
