package queue

import "errors"

// Sentinel errors. Match them with errors.Is; returned errors wrap them with
// the detail (the file, the record, the amount).
var (
	// ErrCorrupt is returned by Open when the database file is damaged or is
	// not a posd outbox. The file is left exactly as it was found.
	ErrCorrupt = errors.New("queue: database is corrupt")
	// ErrUnreadable is returned by Open when the file cannot be opened at all
	// (permissions, missing directory, I/O error).
	ErrUnreadable = errors.New("queue: database cannot be read")
	// ErrLocked is returned by Open when another process holds the database
	// for longer than the lock timeout.
	ErrLocked = errors.New("queue: database is locked by another process")
	// ErrUnwritable is returned when a change cannot be committed (disk full,
	// read-only file system, I/O error). No new payment starts; pending ones
	// are still driven from memory.
	ErrUnwritable = errors.New("queue: database cannot be written")
	// ErrBadRecord is returned when a stored record does not decode to a
	// payment this package could have written.
	ErrBadRecord = errors.New("queue: bad record")
	// ErrNotFound is returned for an unknown paymentRequestId.
	ErrNotFound = errors.New("queue: no such payment")
	// ErrDuplicate is returned when a paymentRequestId is already in use.
	ErrDuplicate = errors.New("queue: paymentRequestId already used")
	// ErrSaleBusy is returned when a sale already has an attempt in flight.
	ErrSaleBusy = errors.New("queue: sale has a payment in progress")
	// ErrSalePaid is returned when a sale already has a successful payment.
	ErrSalePaid = errors.New("queue: sale is already paid")
	// ErrInvalid is returned for a new payment that is incomplete.
	ErrInvalid = errors.New("queue: invalid payment")
	// ErrRefused is returned for an event the outbox does not know.
	ErrRefused = errors.New("queue: request refused")
	// ErrFinal is returned when a final payment is asked to abort.
	ErrFinal = errors.New("queue: payment is already final")
	// ErrNotVoidable is returned when a payment cannot be voided (not
	// succeeded, or partly refunded already).
	ErrNotVoidable = errors.New("queue: payment cannot be voided")
	// ErrNotRefundable is returned for a refund of a payment that was not
	// paid, or in another currency.
	ErrNotRefundable = errors.New("queue: payment cannot be refunded")
	// ErrRefundExceeds is returned when refunds would exceed the payment.
	ErrRefundExceeds = errors.New("queue: refund exceeds what is left of the payment")
	// ErrStopped is returned for a new payment after the gateway answered
	// with a merchant or configuration code (alipay.ActionStop): every
	// payment would fail alike until an operator fixes it.
	ErrStopped = errors.New("queue: new payments stopped")
	// ErrClosed is returned after the store or engine was closed.
	ErrClosed = errors.New("queue: closed")
)
