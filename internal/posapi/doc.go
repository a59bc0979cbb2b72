// Package posapi is the contract between posd and posctl: the JSON shapes
// of posd's local HTTP API and a client that speaks it over the unix
// socket. posd serves it (internal/daemon/api.go); posctl and the end-to-end
// tests call it.
//
// Routes (all under /v1, JSON unless said otherwise; errors are
// {"error": "..."} with a 4xx or 5xx status):
//
//	GET  /v1/status                        Status
//	GET  /v1/payments?since=RFC3339        []Payment, newest first
//	GET  /v1/payments/{id}                 Payment
//	POST /v1/keys          {"keys": "1250<ENTER>"}   feeds the scripted keypad
//	POST /v1/payments/{id}/cancel          Payment (cancel decided and committed)
//	POST /v1/payments/{id}/refund {"amount": "1.50"} Payment (refund committed)
//	POST /v1/payments/{id}/reprint         Reprint (a COPY slip is queued)
//	GET  /v1/export?from=DATE&to=DATE&format=csv     text/csv
//	GET  /v1/payments/{id}/receipt        the receipt as printed (printer.Receipt JSON)
//	POST /v1/report {"day": "2026-11-23"}  Report (or from/to; "print": true prints it)
//	POST /v1/test-print                    a test slip on the receipt printer
//	GET  /v1/entry-code                    EntryCode (what the static sticker shows)
//	POST /v1/entry-code/print              the Entry Code sticker on the receipt printer
//
// Amounts are strings in the currency's decimal form plus the currency,
// as on a receipt; nothing here is a float.
package posapi
