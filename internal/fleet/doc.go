// Package fleet streams a till's events to the merchant's MQTT broker and
// reads them back (posctl events).
//
// The Publisher sends the outbox's events (package queue, docs/events.md)
// one at a time, in sequence order, with QoS 1 over MQTT 5
// (github.com/eclipse/paho.golang), and reports each event delivered only
// after the broker's PUBACK with a success reason code: a broker that
// refuses a message (not authorised, quota) keeps it in the outbox. With
// one message in flight, a consumer never sees event n+1 before event n;
// after a reconnect or a crash the last events may come again, with the
// same id and sequence number.
//
// The till's status topic holds a retained {"online":true} while posd is
// connected; the broker publishes the retained last will {"online":false}
// when the connection is lost, and posd publishes it itself before a clean
// stop. Nothing here can hold up a payment: the outbox keeps the events,
// bounded, while the broker is away.
//
// MQTT 5.0: https://docs.oasis-open.org/mqtt/mqtt/v5.0/mqtt-v5.0.html
// (3.4.2.1 PUBACK reason codes, 3.1.2.5 will flag, 4.6 message ordering).
package fleet
