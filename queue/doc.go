// Package queue is posd's crash-safe outbox: it keeps every payment, refund
// and receipt print job in one bbolt file and drives each payment that is
// not final against the Alipay AMS gateway until it is.
//
// What it promises:
//
//   - Nothing is sent before it is stored. A payment's paymentRequestId and
//     the exact pay request body are committed (one fsync'd bbolt
//     transaction) before the first pay byte leaves; "cancel decided" is
//     committed before the first cancel; a refund's refundRequestId before
//     the refund. Every retry sends the same id with the same bytes.
//   - A payment is SUCCEEDED only on a signature-verified final answer that
//     says so (pay S for a payment code, inquiryPayment SUCCESS). Anything
//     else is unknown, and unknown is resolved by inquiries and then cancel,
//     never shown as paid. SUCCEEDED and its receipt print job are one
//     commit, so a paid sale always has exactly one receipt.
//   - Deadlines are wall-clock instants stored in the record: after a crash
//     or power loss, Engine.Start resumes every record where it stood, on
//     the same schedule (section 9.9 of the AMS reference).
//   - A sale never has two attempts in flight, and never a second attempt
//     once one was paid.
//   - The database is never repaired or overwritten silently: a corrupt or
//     unreadable file, or one locked by another process, is a refusal to
//     start naming the file. When a write fails (disk full, read-only), no
//     new payment starts and pending ones are still resolved from memory.
//
// The decision logic is the pure function Step (record, event) → (record,
// actions); Store is the bbolt file; Engine makes the gateway calls through
// the small Gateway interface, with bounded workers, and tells subscribers
// about changes without ever waiting for them.
//
// The rules come from ../shared/docs/alipay-ams-instore.md, sections 6 and
// 9, and https://docs.antom.com/ac/ams/idempotency,
// https://docs.antom.com/ac/ams_upm/bp, https://docs.antom.com/ac/ams/paymentri,
// https://docs.antom.com/ac/ams/paymentc and https://docs.antom.com/ac/ams/refund.
package queue
