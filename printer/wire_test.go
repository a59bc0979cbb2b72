package printer

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/posd/posd/printer/virtual"
)

// BenchmarkWireTime measures the figures of issue 5 item 7: the bytes of a
// typical 80 mm receipt with native and raster QR, the time to push them
// through a real pty pair at 9600 and 115200 baud (from the first write to
// the last byte read on the printer end), and the wire limit bytes×10/baud
// a real 8N1 UART would impose. A pty does not enforce the baud rate, so
// "pty-ms" is the host and kernel cost, not the UART's; "limit-ms" is what
// a real serial line takes at least.
//
//	go test -run XXX -bench WireTime -benchtime 5x ./printer/
func BenchmarkWireTime(b *testing.B) {
	for _, qr := range []struct {
		name   string
		native bool
	}{{"native", true}, {"raster", false}} {
		doc := sampleDoc(b, Model{Paper: Paper80, NativeQR: qr.native}, false)
		for _, baud := range []int{9600, 115200} {
			b.Run(qr.name+"/"+strconv.Itoa(baud), func(b *testing.B) {
				pty := startPTY(b, b.TempDir())
				defer pty.stop()
				host, err := serial.Open(pty.host, &serial.Mode{BaudRate: baud})
				if err != nil {
					b.Fatal(err)
				}
				defer host.Close()
				dev, err := serial.Open(pty.printer, &serial.Mode{BaudRate: baud})
				if err != nil {
					b.Fatal(err)
				}
				defer dev.Close()
				var total time.Duration
				for b.Loop() {
					got := make(chan error, 1)
					start := time.Now()
					go func() {
						_, err := io.ReadFull(dev, make([]byte, len(doc.Data)))
						got <- err
					}()
					if _, err := host.Write(doc.Data); err != nil {
						b.Fatal(err)
					}
					if err := <-got; err != nil {
						b.Fatal(err)
					}
					total += time.Since(start)
				}
				b.ReportMetric(float64(len(doc.Data)), "bytes")
				b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "pty-ms")
				b.ReportMetric(float64(len(doc.Data))*10/float64(baud)*1000, "limit-ms")
			})
		}
	}
}

// BenchmarkPrintJob is one whole job through the driver and the virtual
// printer on a pty: status check, chunked sending with status polls, and
// the GS r confirmation.
//
//	go test -run XXX -bench PrintJob -benchtime 20x ./printer/
func BenchmarkPrintJob(b *testing.B) {
	pty := startPTY(b, b.TempDir())
	defer pty.stop()
	dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: Paper80.Dots}})
	port, err := serial.Open(pty.printer, &serial.Mode{BaudRate: 115200})
	if err != nil {
		b.Fatal(err)
	}
	go dev.Serve(context.Background(), port)
	defer port.Close()
	drv := New(Config{Model: Model{Paper: Paper80, NativeQR: true}, Dial: SerialDialer(SerialConfig{Path: pty.host, Baud: 115200}),
		Logger: slog.New(slog.DiscardHandler)})
	defer drv.Close()
	doc := sampleDoc(b, drv.Model(), false)
	for b.Loop() {
		if _, err := drv.Print(context.Background(), doc, nil); err != nil {
			b.Fatal(err)
		}
	}
}
