// Package daemon is posd assembled: it builds every part from one
// configuration (New) and runs them in a documented order (Daemon.Run).
//
// One payment's path: the keypads (terminal/keypad) feed the cashier flow
// (terminal); its requests become committed outbox records through the
// till (till.go) and the outbox engine (queue) sends them to Alipay
// (alipay); the engine's changes come back to the flow through the till,
// to the customer display (screens.go, display) and to the printer
// (printer.go, receipts.go, printer). The local API (api.go, backend.go)
// serves posctl on a unix socket; listeners.go serves metrics, the
// customer display page and Alipay's notifications.
//
// Files, one concern each: daemon.go (assembly, start and stop order),
// check.go (posd -check), till.go (cashier flow ↔ outbox), gateway.go
// (call metrics), printer.go and receipts.go (one print loop: every
// printer behind printer.Spooler), screens.go (customer display),
// keypads.go, api.go, backend.go and lockout.go (the unix socket), desk.go
// (the demo page's handle), listeners.go and notifications.go (TCP
// endpoints), events.go (the broker stream), metrics.go
// (Prometheus series on internal/promtext; deploy/ holds the alert rules and
// the dashboard that use them).
package daemon
