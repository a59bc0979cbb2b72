package printer

import "errors"

// Sentinel errors. Match them with errors.Is; returned errors wrap them with
// the detail.
var (
	// ErrInvalidReceipt is returned by Receipt.Validate and Layout for a
	// receipt that misses a field a customer or merchant relies on.
	ErrInvalidReceipt = errors.New("printer: invalid receipt")
	// ErrUnknownPaper is returned by PaperByName for a name that is not a profile.
	ErrUnknownPaper = errors.New("printer: unknown paper")
	// ErrUnknownCodePage is returned by CodePageByName for an unsupported code page.
	ErrUnknownCodePage = errors.New("printer: unknown code page")
	// ErrDoesNotFit is returned by the encoder when a QR code or barcode
	// cannot be printed inside the paper width at any size.
	ErrDoesNotFit = errors.New("printer: symbol does not fit the paper")
	// ErrNotReady is returned when the printer reports it cannot print now
	// (offline, cover open, paper end, error). The job was not sent; keep it.
	ErrNotReady = errors.New("printer: not ready")
	// ErrNoReply is returned when the printer does not answer a status
	// request in time. Nothing is known about its state; keep the job.
	ErrNoReply = errors.New("printer: no status reply")
	// ErrInterrupted is returned when a job was partly sent and could not be
	// finished or confirmed. Part of it may be on paper: the job must be
	// printed again only as a COPY.
	ErrInterrupted = errors.New("printer: job interrupted")
	// ErrUnconfirmed is returned when a job was sent whole but the printer
	// did not confirm that it printed it. Print it again only as a COPY.
	ErrUnconfirmed = errors.New("printer: completion not confirmed")
	// ErrWriteTimeout is returned when the link did not accept bytes before
	// the write deadline.
	ErrWriteTimeout = errors.New("printer: write deadline exceeded")
	// ErrClosed is returned by a Printer after Close.
	ErrClosed = errors.New("printer: closed")
	// ErrSensor is returned when the GPIO paper sensor cannot be read.
	ErrSensor = errors.New("printer: paper sensor")
)
