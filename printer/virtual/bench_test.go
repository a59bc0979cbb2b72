package virtual

import (
	"fmt"
	"image/png"
	"io"
	"testing"
)

// slipStream is a receipt as posd prints one: a bold double-size header,
// 30 lines of text, a QR code and a CODE128 barcode, then a cut.
func slipStream() []byte {
	in := []byte("\x1B@\x1Ba\x01\x1BE\x01\x1D!\x11Golden Dragon\n\x1D!\x00\x1BE\x00\x1Ba\x00")
	for i := range 30 {
		in = fmt.Appendf(in, "Item %02d                          %6d.%02d\n", i, i*3, i)
	}
	qr := "https://qr.alipay.com/bax01234567890123456789"
	in = append(in, 0x1B, 0x61, 0x01, 0x1D, 0x28, 0x6B, byte(len(qr)+3), 0, 0x31, 0x50, 0x30)
	in = append(in, qr...)
	in = append(in, 0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30)
	code := "{BT01-20261129-0042"
	in = append(in, 0x1D, 0x68, 80, 0x1D, 0x77, 2, 0x1D, 0x48, 2, 0x1D, 0x6B, 0x49, byte(len(code)))
	in = append(in, code...)
	return append(in, "\n\n\x1DVA\x00"...)
}

// BenchmarkSlipToPNG is the virtual printer's cost per slip: executing
// the ESC/POS stream and encoding the paper as PNG at BestSpeed, as the
// demo's printer does (B/op is the garbage it leaves).
//
//	go test -run '^$' -bench SlipToPNG -benchmem ./printer/virtual
func BenchmarkSlipToPNG(b *testing.B) {
	in := slipStream()
	enc := &png.Encoder{CompressionLevel: png.BestSpeed}
	b.ReportAllocs()
	for b.Loop() {
		m := NewMachine(Config{Dots: 576})
		if n := m.Execute(in); n != len(in) {
			b.Fatalf("executed %d of %d bytes", n, len(in))
		}
		if err := m.WritePNG(io.Discard, enc); err != nil {
			b.Fatal(err)
		}
	}
}
