// Package terminal is the cashier flow of posd: from the amount a cashier
// types to the outcome the customer is shown.
//
// The flow is a pure state machine (Machine): Step(state, input) returns
// the next state and the effects to carry out, with no I/O, clock or
// goroutine of its own. Inputs are key presses (package keypad), replies
// to effects, events from the payment outbox and clock ticks; effects ask
// the outbox to start, cancel or refund a payment or reprint a receipt, and
// show a Screen (what the cashier and the customer see) or beep. Run drives
// a Machine with real keypads, an outbox and a display.
//
// What the flow promises:
//
//   - Money is exact: amounts are money.Amount, typed digit by digit in the
//     currency's decimals; a digit that would pass the configured maximum is
//     refused as it is typed, and nothing outside [MinAmount, MaxAmount] is
//     ever sent.
//   - One payment at a time: no StartPayment while a payment is live, and a
//     payment the till did not ask for is cancelled.
//   - Paid means paid: the paid screen follows only a Succeeded event, which
//     the outbox sends after a verified success. A payment whose outcome is
//     unknown says so and waits for a person; it is never shown as paid.
//   - Order Code (a QR the customer scans) by default; a scanned customer
//     code after the amount makes it a Payment Code payment (and, after a
//     failed or cancelled try, charges the same amount to that code as a new
//     payment). Cancel while a payment is live asks the outbox to cancel it.
//   - The manager menu (refund, reprint, last payments) is behind a PIN,
//     locked for a while after repeated wrong PINs, and closes when idle.
//   - Unknown keys and events that do not concern the current payment are
//     ignored; nothing panics on input.
package terminal
