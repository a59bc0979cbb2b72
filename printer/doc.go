// Package printer prints posd's receipts on ESC/POS thermal printers over
// serial, printer-class USB and raw TCP, and promises this:
//
//   - A receipt is never lost: a job leaves the outbox (JobStore.MarkPrinted)
//     only after the printer confirmed the slip, by answering GS r 1 once it
//     reached the end of the job in its data stream (or, for firmware
//     without GS r, a ready status after the last byte).
//   - A receipt is never printed twice unless marked COPY: the spooler calls
//     JobStore.MarkAttempted before the first byte goes out, and a job
//     attempted before is laid out with "COPY".
//   - A printer that is offline, has its cover open or is out of paper, or
//     does not answer DLE EOT, gets no bytes: the job stays in the outbox
//     (ErrNotReady, ErrNoReply). Paper running out mid-slip stops sending
//     until the printer is back; what was sent prints when paper is loaded.
//   - Money on paper is exact: amounts are money.Amount, formatted by the
//     currency's exponent.
//   - Bytes that a printer would misread are never sent: text the configured
//     code page (or GB18030, on Chinese-capable printers) cannot print
//     becomes '?', control characters never reach the wire, and no image or
//     barcode data contains a real-time sequence (DLE EOT/ENQ/DC4).
//
// The pieces, each usable alone:
//
//   - Receipt is the slip's content, with a stable JSON encoding the outbox
//     stores. Layout turns it into Blocks for a Paper (58 mm, 80 mm,
//     TM-T88); it is pure and every line fits the paper.
//   - Encode turns Blocks into a Document of ESC/POS for a Model: code page,
//     Chinese mode switching (FS & / FS .), native QR sized to fit or a
//     banded GS v 0 raster fallback, CODE128, cut, drawer pulse.
//   - Printer drives one device over a Link from a Dialer (SerialDialer,
//     USBDialer, TCPDialer); one goroutine owns the read side and sorts
//     DLE EOT answers, ASB, GS r answers and XON/XOFF by bit pattern. The
//     link is reopened after it fails (an unplugged USB adapter).
//   - Spooler drives a JobStore through a Printer, in order.
//   - Preview renders a slip with package virtual, the software printer the
//     tests use, for posctl receipt-preview and posd -demo.
//
// Reference: docs/hardware.md §1 (ESC/POS, status bits, flow control) and
// §4.1 (go.bug.st/serial has no RTS/CTS, hence chunked writes paced by
// status polls or by polling CTS/DSR).
package printer
