// Package amssim is an Alipay AMS in-store gateway in memory: posd's
// httptest for AMS. A Simulator is an http.Handler serving the AMS paths
// (under /ams/api and /ams/sandbox/api) and, under /sim/, the customer's
// wallet page, the ground-truth ledger and fault injection. Tests mount it
// with httptest.NewTLSServer and talk to it through the alipay client;
// posd -demo and cmd/amssim serve it on the network, over TLS with a
// SelfSignedCertificate whose fingerprint the client pins.
//
// Its behaviour is the one described on https://docs.antom.com/ac/ams
// (summed up for posd in docs/payments.md); where they differ, amssim is
// wrong.
//
// # What it promises
//
//   - Real protocol. Every request is checked like the gateway does:
//     POST only (METHOD_NOT_SUPPORTED), application/json in UTF-8
//     (MEDIA_TYPE_NOT_ACCEPTABLE), a registered Client-Id (CLIENT_INVALID;
//     INVALID_CLIENT on the registration calls, as their pages spell it),
//     a public key for the Signature's keyVersion (KEY_NOT_FOUND; without
//     keyVersion the newest), a Request-Time in epoch milliseconds or ISO
//     8601, and an RSA256 signature over "POST <path>\n<Client-Id>.<time>.<body>"
//     for the path actually requested (SIGNATURE_INVALID). Bodies must be
//     one JSON object and pass amssim's own field rules (rules.go), written
//     from the API pages and the seeds, each citing its page, never the
//     alipay client's validation: a mistake shared with the client cannot
//     pass (PARAM_ILLEGAL, with the field named in resultMessage). The test
//     TestDisagreementTable sends the same malformed requests to both and
//     lists, with the reason, every request on which they differ. Every
//     reply is signed with the gateway key over the request path, with
//     Client-Id and Response-Time headers, except SIGNATURE_INVALID, which
//     the gateway sends unsigned (reference §3.6).
//   - Money is exact and never moves twice. Amounts are money.Amount
//     (integer minor units). pay is idempotent on paymentRequestId and
//     answers REPEAT_REQ_INCONSISTENT when the amount, the payment code or
//     the scenario differ (https://docs.antom.com/ac/ams/idempotency);
//     refund is idempotent on refundRequestId and the refunds of a payment
//     never add up to more than it; cancel is whole-payment and idempotent.
//   - The ledger is the truth. GET /sim/ledger (Ledger) lists every payment
//     and refund with its status, amounts, times, scenario, the
//     order.env.userAgent and settlement currency it was sent with, its
//     first pay request byte for byte, and how many pay, inquiryPayment,
//     cancel, refund and inquiryRefund requests concerned it, counting
//     requests that a fault dropped. Faults are deterministic for a seed:
//     each fault draws from its own generator seeded by (Seed, its position).
//   - Time is a parameter. Config.Now is the only clock; expiry, password
//     delays, registration and the notification schedule are computed from
//     it, lazily on each request and by Run/DeliverDue, so tests move time
//     by hand. Config.TimeScale divides the durations the simulator chooses
//     itself (default expiry, delays, retry schedule), not the windows.
//
// # Test payment codes (PaymentCode scenario)
//
//	Code                 pay answers               then inquiryPayment says
//	280000000000000001   S SUCCESS                 SUCCESS
//	280000000000000002   F USER_BALANCE_NOT_ENOUGH FAIL
//	280000000000000003   F INVALID_PAYMENT_CODE    FAIL
//	280000000000000004   F EXPIRED_CODE            FAIL
//	280000000000000005   U PAYMENT_IN_PROCESS      PROCESSING, SUCCESS after PasswordDelay (5 s)
//	280000000000000006   U PAYMENT_IN_PROCESS      PROCESSING, FAIL USER_PAYMENT_VERIFICATION_FAILED after PasswordDelay
//	280000000000000007   U PAYMENT_IN_PROCESS      PROCESSING until cancelled (never expires)
//	any other 18 digits  S SUCCESS                 SUCCESS
//	anything else        F INVALID_PAYMENT_CODE    FAIL
//
// With Config.SandboxAmounts, the ams-java-sdk sandbox amounts apply to
// any currency (reference §9.10): a pay of value 9901 is made but answers
// U UNKNOWN_EXCEPTION; 9902 is made and never answered (the connection is
// reset after Config.Hang or when the client gives up); inquiries of a
// payment of 9903 answer U UNKNOWN_EXCEPTION, of 9904 are never answered.
//
// # The customer's side
//
// OrderCode pay answers S with an orderCodeForm whose TEXT/QRCODE
// codeValue is a wallet page URL (Config.BaseURL, or the scheme and Host
// the pay request arrived on) and whose expireTime is the payment's
// expiry; EntryCode answers S with redirectActionForm {SCAN, the same
// kind of URL}. The payment stays PROCESSING until the customer acts or
// it expires. GET /sim/wallet/{token} is a plain HTML page (no scripts, no
// external assets) with the merchant, description, amount and Pay and
// Decline buttons, for a person with a phone on the LAN or the demo's
// browser. POST /sim/customer {"codeValue": "...", "action": "pay" |
// "decline" | "insufficient" | "scan"} does the same for tests (404
// unknown code, 409 no longer payable, 400 bad action); Simulator.Customer
// is the Go form. /sim/ lists the codes waiting for a customer.
//
// # Faults
//
// Per endpoint name (pay, inquiryPayment, cancel, refund, inquiryRefund,
// the registration calls, or "*"), from Config.Faults, the -faults flag
// (ParseFaults) or POST /sim/faults {"endpoint", "kind", "probability",
// "count", "delayMs"}; DELETE /sim/faults removes them all, GET lists them
// with how often each fired. Faults apply to requests that passed
// authentication and validation. Kinds: drop-request (reset before
// processing), drop-response (process, then reset), delay (wait, then
// process and answer; a client that gives up during the wait leaves the
// request unprocessed), http-500 (process, then answer 500), http-503
// (answer 503 without processing), unknown (a signed U/UNKNOWN_EXCEPTION
// without processing), unsigned and bad-signature (process, then answer
// without a valid signature), truncate (process, then send half the body
// and close), replay-error (process, then answer with an earlier genuine
// signed F reply to the same path that names no payment, as an attacker on
// the path would), wrong-amount (process, then answer with a correctly
// signed reply whose paymentAmount or refundAmount is one minor unit off)
// and refund-processing (refund only: the refund is accepted but stays
// PROCESSING for delayMs). Resets are TCP resets on HTTP/1.1 connections.
//
// # Decisions where the reference leaves a choice [X]
//
//   - Path prefixes (§2.2, §12 item 1; Config.Paths, -paths): by default
//     as the docs' environment table says, a SANDBOX_ client id is served
//     under /ams/api (the in-store sandbox) and /ams/sandbox/api (the
//     online one), a production id only under /ams/api (CLIENT_INVALID
//     under /ams/sandbox/api). "sdk" follows the SDKs instead (SANDBOX_
//     ids under /ams/sandbox/api only); "any" serves both everywhere. The
//     signature must cover the prefix actually used.
//   - Headers: with several Content-Type headers (the Go SDK sends two)
//     the first counts, as a servlet container reads it; keyVersion in
//     Signature wins over the Go SDK's Key-Version header, which is used
//     when Signature names none; an empty Agent-Token (the Go SDK's
//     default) is no token, a non-empty one is ACCESS_DENIED (amssim has
//     no ISVs).
//   - No clock-skew limit on Request-Time unless Config.MaxSkew (-max-skew)
//     sets one (§12 item 3: undocumented); beyond it PARAM_ILLEGAL.
//   - An unknown path answers HTTP 404 with NO_INTERFACE_DEF; every other
//     refusal is HTTP 200 with resultStatus F, like business outcomes (§2.6).
//   - Field types: String fields must be JSON strings (every API page's
//     note); the fields the pages type Boolean or Integer
//     (paymentFactor.isAuthorization, env.timeZoneOffset) are also taken as
//     bare JSON values, as the official SDKs send them; unknown fields are
//     ignored whatever their type; an empty string is an absent field.
//   - The children of order are required as the SDK validators require
//     them (§12 item 13: the page marks only order itself); storeMCC may
//     be spelled storeMcc (the entry-code guide's sample). orderAmount need
//     not equal paymentAmount (no page says so); paymentMethodId outside
//     PaymentCode and paymentRedirectUrl outside EntryCode are ignored.
//   - Amounts: currency three upper-case letters of an active ISO 4217
//     code (the one table shared with the alipay package, as data); value
//     1 to 16 digits, no sign, no leading zero; IDR values end in 00.
//   - paymentRequestId and refundRequestId are at most 64 letters, digits,
//     '_' and '-' (the ir page: no special characters); other ids only
//     have their lengths checked.
//   - paymentExpiryTime must be in the future and, for OrderCode, less
//     than 30 minutes away (the oc page).
//   - URLs in bodies must be absolute http(s), at most 2048 characters; a
//     query string is allowed (no page forbids it) and a URL-encoded URL
//     is decoded first (the me page asks for encoding, the SDKs send
//     plain: §12 items 8 and 17).
//   - An unpaid payment expires at paymentExpiryTime (default 3 minutes
//     after creation, §9.7) into CANCELLED with paymentResultCode
//     ORDER_IS_CLOSED; a paymentExpiryTime not in the future is PARAM_ILLEGAL.
//     A repeated pay of a cancelled or expired payment answers
//     ORDER_IS_CANCELED or ORDER_IS_CLOSED; otherwise a repeat returns the
//     first final result (UPM) or the same code (OrderCode, EntryCode).
//   - A customer's Decline makes the payment FAIL with
//     USER_PAYMENT_VERIFICATION_FAILED.
//   - cancel: a repeated cancel answers SUCCESS again; the cancel window
//     (default 24 h, §12 item 12; any positive value, down to a
//     nanosecond) runs from creation and bounds reversing a paid (or
//     failed) payment: past it cancel answers CANCEL_WINDOW_EXCEED and a
//     refund is the way back; an unpaid PROCESSING payment can always be
//     closed, as its expiry would close it anyway; a paid payment that
//     was partly refunded cannot be reversed (ORDER_STATUS_INVALID); a
//     FAIL payment is closed (CANCELLED).
//   - refund: only SUCCESS payments (ORDER_IS_CANCELED after a cancel,
//     ORDER_STATUS_INVALID otherwise); another currency is
//     CURRENCY_NOT_SUPPORT; the window (default 365 days) runs from
//     payment; refunds complete synchronously unless Config.RefundDelay
//     (-refund-delay) or the refund-processing fault says otherwise: then
//     refund answers U REFUND_IN_PROCESS (the online refund page's code),
//     inquiryRefund says PROCESSING, and the amount already counts against
//     the payment until the refund turns SUCCESS; refused refunds are not
//     recorded; inquiryRefund of an unknown refund answers F ORDER_NOT_EXIST.
//   - notifyPayment is posted when a payment becomes SUCCESS (result S) or
//     FAIL (result F with the code), not on cancel or expiry (§12 item 6);
//     both notifications follow the notifyRegistrationStatus schedule, 8
//     attempts 0 s, 2 min, 10 min, 10 min, 1 h, 2 h, 6 h and 15 h apart
//     (§12 item 5), until a reply is HTTP 200 with result SUCCESS/S (the
//     fixed acknowledgement); Request-Time is ISO 8601 with milliseconds.
//   - Registrations complete after RegistrationDelay (10 s); their
//     statuses are PROCESSING/PENDING, then COMPLETED/APPROVED (only the
//     latter are confirmed literals, §8.9). With RequireRegistration, pay
//     for an unregistered referenceMerchantId is MERCHANT_NOT_REGISTERED.
//
// # Caveats
//
// State lives in memory behind one mutex; with Config.StatePath it is
// written as JSON (temporary file, fsync, rename, directory fsync) at most
// every 200 ms, from a copy taken under the lock and serialised outside
// it, together with the gateway key and the TLS certificate
// (TLSCertificate), which are simulator keys and must never be real ones.
// A crash of amssim loses at most the last 200 ms; Flush, Close and the
// end of Run write what is pending. The work per request does not grow
// with the ledger: payments that can still change on their own are
// indexed apart. Notifications go out only while Run is running, or when
// DeliverDue is called.
package amssim
