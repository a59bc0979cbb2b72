// Package conformance is a black-box suite of the in-store payment rules
// posd relies on (reference §9: happy paths, U handling, idempotency,
// cancel of paid and unpaid payments, windows, refunds, notifications),
// written against a Gateway so that the same scenarios run against amssim
// in every test run and against the real Alipay sandbox when credentials
// are given (POSD_SANDBOX_CLIENT_ID, POSD_SANDBOX_PRIVATE_KEY_FILE,
// POSD_SANDBOX_ALIPAY_PUBLIC_KEY_FILE).
//
// Every call goes through the alipay client over real HTTPS. A scenario
// that needs what a gateway cannot offer (a customer to tap Pay, a clock
// to move, a reachable notification URL) is skipped with a message.
package conformance
