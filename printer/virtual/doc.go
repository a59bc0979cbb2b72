// Package virtual is a receipt printer in software: it executes the ESC/POS
// subset posd sends and shows what a real printer would have put on paper.
//
// A Machine interprets a byte stream and draws the paper at the printer's
// real dot width: text in a 12×24 Font A cell (Go Mono, thresholded to
// one bit), bold, double and up to 8× sizes, native QR codes (GS ( k),
// raster images (GS v 0), CODE128 barcodes with their text, cuts and drawer
// pulses. PNG returns the paper; Transcript returns the same slip as text,
// with symbols as "[QR data]" and cuts as "--- cut ---". Chinese text in
// GB18030 (after FS &) is decoded exactly into the transcript; on paper
// each Hanzi is drawn as a 24×24 box because no CJK bitmap font is bundled.
//
// A Device wraps a Machine behind a byte link (a pty, a TCP socket) and
// behaves like the hardware: real-time DLE EOT requests are answered at
// once, even while offline; bytes received while offline, with the cover
// open or out of paper are kept and printed when the condition clears;
// GS r is answered in stream order, after everything before it printed.
// Tests script it: paper out (now or after the n-th cut), cover open,
// offline, never answering, printing slowly.
//
// The package does not import posd's printer package: it decodes bytes the
// way a printer does, so an encoder bug cannot hide in shared code.
package virtual
