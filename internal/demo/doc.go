// Package demo is posd -demo: the whole product on one machine with no
// configuration. It runs an in-process gateway simulator (amssim over TLS
// with a pinned certificate), the daemon with a virtual printer writing
// DIR/receipts/<paymentRequestId>.png, and a cashier page with an
// on-screen keypad beside the customer display page.
package demo
