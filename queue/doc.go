// Package queue is posd's crash-safe outbox: it keeps every payment, refund
// and receipt print job in one bbolt file (DefaultPath) and drives each
// payment that is not final against the Alipay AMS gateway until it is.
//
// What survives a crash, and what is committed before which action:
//
//   - A payment's paymentRequestId and its exact pay request body are
//     committed (one fsync'd bbolt transaction) before the
//     first pay byte leaves. Every retry sends the same id with the same
//     bytes; a payment-code pay is resent only when the previous attempt
//     provably never left (NotSent), never after an unknown outcome. The
//     body leaves the record with the commit that makes it final, after
//     which no pay is sent.
//   - "Cancel decided" is committed before the first cancel, a refund's
//     deterministic refundRequestId (paymentRequestId + "-R" + n) before the
//     refund, and SUCCEEDED together with its receipt print job in one
//     transaction, so a paid sale has exactly one receipt.
//   - Deadlines are wall-clock instants in the record. After a crash or a
//     power loss Engine.Start resumes every record where it stood: a pay
//     that may have left is inquired (never re-paid), a decided cancel is
//     sent again, a refund is resent with the same id (docs/payments.md, Recovery).
//   - Polls that only move an inquiry along are kept in memory (needsCommit):
//     after a crash an inquiry more or less is harmless, and the SD card is
//     spared a commit every 3 s. So is leaving SENT for AWAITING_BUYER (the
//     QR) or for UNKNOWN (inquiries): that is what Engine.Start makes of a
//     SENT record anyway, inquiring an order code until its code expires,
//     so the QR is shown one commit after Pay and the new state is written
//     with the record's next commit.
//
// What the caller may rely on:
//
//   - A payment is SUCCEEDED only on a signature-verified answer that says
//     so (pay S for a payment code, inquiryPayment SUCCESS). Unknown is
//     resolved by inquiries, then cancel (repeated until final, escalating
//     to NEEDS_ATTENTION after five failures), never shown as paid.
//   - A pay answered F is FAILED only once a verified inquiry agrees (the
//     till hears "declined" at once, ChangeFailed); found paid, the money
//     goes back by cancel (a void slip) or refund, and it needs attention.
//   - Every answer must be about its request: Step holds a reply that names
//     another (or no) paymentRequestId or refundRequestId, or another
//     amount, as unsure, so a genuine reply replayed from elsewhere decides
//     nothing.
//   - A verified success notification for a payment closed unpaid reopens
//     it for an inquiry (Engine.Notice, committed before it returns).
//   - A merchant or configuration code (alipay.ActionStop) stops new
//     payments (ErrStopped, ChangeStopped); those under way are resolved.
//   - Refund ids are at most 64 characters whatever the payment id.
//   - A sale never has two attempts in flight, nor a second attempt once one
//     was paid.
//   - Subscribers (Engine.Subscribe) get every change after it is
//     committed, or for the QR after its payment's pay request is (above):
//     nothing a crash could take back is ever shown. A slow subscriber loses
//     its oldest changes, never holds the engine.
//   - Refusals name the file and leave it as found: a corrupt, truncated or
//     foreign file (ErrCorrupt), an unreadable one (ErrUnreadable), one
//     locked by another process past the lock timeout (ErrLocked). When a
//     write fails (disk full, read-only: ErrUnwritable) no new payment starts
//     and pending ones are still resolved from memory and written once the
//     disk takes writes again.
//
// The Engine is the outbox's only door, as sql.DB is a driver's: payments
// (Pay, Abort, Void, Refund, Get, List), print jobs (Jobs, Unprinted,
// MarkAttempted, MarkPrinted, Reprint), the reconciliation file (Export)
// and the change stream (Subscribe). Inside, the decision logic is the
// pure function step (record, event) → (record, actions); Store is the
// bbolt file, written only by the Engine; the Engine makes the calls
// through the small Gateway interface (AMS implements it with the alipay
// client), with a bounded number of workers and one call per record at a
// time. Package queuetest holds a hand-driven clock and an in-memory
// gateway ledger for tests.
//
// Caveats: bbolt's durability needs storage that honours flushes in order;
// SD cards that ignore them can lose the last commits on power loss (the
// file is then refused at start, never repaired silently). Keep one
// process per file; read-only tools must go through the daemon.
//
// The rules are summed up in docs/payments.md; they come from
// https://docs.antom.com/ac/ams/idempotency, https://docs.antom.com/ac/ams_upm/bp,
// https://docs.antom.com/ac/ams/paymentri, https://docs.antom.com/ac/ams/paymentc
// and https://docs.antom.com/ac/ams/refund.
package queue
