// Package alipay is posd's only way to move money: it signs, sends and
// verifies the Alipay AMS in-store calls (pay in its three scenarios,
// inquiryPayment, cancel, refund, inquiryRefund and the merchant
// registration calls), receives the platform's notifications, and keeps
// money exact as integer minor units of an ISO 4217 currency (Amount).
//
// # What it promises
//
//   - Nothing unverified is believed. Every reply and notification is
//     checked against the platform public key over the request path, the
//     Client-Id, the verbatim Response-Time (Request-Time for
//     notifications) and the raw body bytes, before any JSON is read. An
//     unsigned, partially signed, forged or wrongly keyed reply makes the
//     outcome OutcomeUnknown, never success, whatever it claims.
//   - Every call ends in an Outcome: success or failure (final, verified),
//     in process (verified, not final), unknown, or not sent. Only
//     OutcomeNotSent (the connection failed before any byte of the request
//     was written) is safe to retry blindly, like database/sql's
//     driver.ErrBadConn. Timeouts, resets after sending, non-200 statuses
//     and unreadable replies are unknown: inquire, or repeat the same
//     request with the same id.
//   - A request is serialised once (EncodePay and friends), and those exact
//     bytes are signed and sent, now and on every retry (Client.Call,
//     Client.PayBody). An outbox can persist them before the first attempt.
//   - Keys are parsed once; key bytes never reach a log line or an error.
//   - One long-lived connection per gateway: keep-alive and TLS session
//     resumption, normal certificate verification, or a pinned SHA-256
//     certificate fingerprint for the simulator.
//
// # Types
//
//   - Amount and Currency: money as integer minor units.
//   - ParsePrivateKey, ParsePublicKey, LoadPrivateKey, CheckKeyPair: keys.
//   - Signer and Verify: the AMS signature, for either side of the wire
//     (the simulator signs replies and verifies requests with them).
//   - EncodePay, EncodeInquiryPayment, ... validate and serialise requests;
//     DecodePayResponse, ... read verified replies.
//   - Client (built from Config) sends them: Client.Call for encoded bytes,
//     Client.Pay and the other typed calls for structs. Each returns a Reply
//     with its Outcome; Reply.Action and LookupCode say what a code implies.
//   - NotificationHandler receives notifyPayment and notifyRegistrationStatus.
//   - Package alipaytest hands tests the known-answer vectors and their keys.
//
// # Decisions where the reference leaves a choice
//
// The protocol is described on https://docs.antom.com/ac/ams (what posd
// relies on: docs/payments.md). Where it marks a point as unconfirmed:
//
//   - Sandbox path: the prefix is configurable and defaults to
//     /ams/sandbox/api for client ids starting with SANDBOX_, as the SDKs do.
//   - Request-Time is sent as epoch milliseconds; received times are used
//     verbatim. The Signature header is parsed as comma-separated pairs with
//     optional spaces; only algorithm RSA256 is accepted; the signature is
//     form URL-decoded exactly once (escapes in either case).
//   - A reply without a Client-Id header is verified against the client id
//     we sent; a different Client-Id is unverified.
//   - A verified reply that names another paymentRequestId, paymentId,
//     refundRequestId, refundId or amount than the request (a replayed
//     reply) is unknown. So is one that names no request where it must: any
//     reply to pay or refund without the request's paymentRequestId or
//     refundRequestId (a genuine F PARAM_ILLEGAL names none and could be
//     replayed in place of the real answer), and an S reply to
//     inquiryPayment, cancel or inquiryRefund without it. Its signed result
//     is kept apart in Reply.Claim, for alerts only.
//   - Unsigned F and U replies are unknown too; the claimed code is quoted
//     in the error for people (an unsigned SIGNATURE_INVALID means a wrong
//     key) but nothing acts on it.
//   - pay answered S is OutcomeSuccess only for PaymentCode (the money is
//     taken). For OrderCode and EntryCode it is OutcomeInProcess: the code
//     exists and the buyer has yet to pay.
//   - For inquiryPayment and inquiryRefund the outcome is that of the
//     inquired payment or refund (SUCCESS, FAIL or CANCELLED, PROCESSING);
//     an inquiry answered F (such as ORDER_NOT_EXIST) or U leaves it
//     unknown. PENDING counts as PROCESSING.
//   - A result code missing from the tables is judged by its resultStatus.
//   - URL fields are sent unencoded and must not carry a query string or
//     fragment, since the notification path is part of the signed content.
//     paymentNotifyUrl is required, as the pay pages say.
//   - Body date-times that do not parse are kept as text (Time.Raw) rather
//     than failing a verified reply; quotePrice and guaranteed are kept as
//     text (Text) because replies carry them as bare numbers and booleans.
//   - Notifications: a Request-Time older or newer than the handler's
//     MaxAge (default 15 minutes) is refused; duplicates are acknowledged
//     after the callback, which must be idempotent; unknown notifyTypes are
//     acknowledged and logged. The acknowledgement is not signed (the docs
//     say it needs no signature).
//
// # Caveats
//
// Outcome describes what a verified reply established, not what the caller
// should display: OutcomeInProcess after an OrderCode pay means "show the
// QR code and poll". Reply.Action says what the result code implies next.
package alipay
