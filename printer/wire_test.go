package printer

import (
	"context"
	"io"
	"log/slog"
	"slices"
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

// BenchmarkPrintJob8N1 is one whole job (status check, chunked sending with
// status polls, GS r confirmation) to the virtual printer over a simulated
// 8N1 line that takes 10 bit times a byte, each way. "wire-ms" is the
// median job time, "limit-ms" the document's bytes×10/baud, "x-limit" their
// ratio: what posd adds to the time a perfect sender would need. "writes"
// counts the driver's writes per job: each waits for the line to drain and
// for an answer, so they are the fixed cost that does not depend on load.
//
//	go test -run '^$' -bench PrintJob8N1 -benchtime 30x ./printer/
func BenchmarkPrintJob8N1(b *testing.B) {
	for _, baud := range []int{9600, 115200} {
		b.Run(strconv.Itoa(baud), func(b *testing.B) {
			host, end := uartCable(baud)
			dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: Paper80.Dots}})
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan struct{})
			go func() {
				defer close(served)
				_ = dev.Serve(ctx, end)
			}()
			drv := New(Config{Model: Model{Paper: Paper80, NativeQR: true}, Dial: uartDialer(host),
				Logger: slog.New(slog.DiscardHandler)})
			defer func() {
				drv.Close()
				cancel()
				<-served
			}()
			doc := sampleDoc(b, drv.Model(), false)
			var jobs []time.Duration
			writes := host.writes.Load()
			for b.Loop() {
				start := time.Now()
				if _, err := drv.Print(ctx, doc, nil); err != nil {
					b.Fatal(err)
				}
				jobs = append(jobs, time.Since(start))
			}
			if got := dev.State().Cuts; got != len(jobs) {
				b.Fatalf("%d slips cut after %d jobs", got, len(jobs))
			}
			slices.Sort(jobs)
			limit := float64(len(doc.Data)) * 10 / float64(baud) * 1000
			median := float64(jobs[len(jobs)/2].Microseconds()) / 1000
			b.ReportMetric(float64(len(doc.Data)), "bytes")
			b.ReportMetric(median, "wire-ms")
			b.ReportMetric(limit, "limit-ms")
			b.ReportMetric(median/limit, "x-limit")
			b.ReportMetric(float64(host.writes.Load()-writes)/float64(len(jobs)), "writes")
			b.ReportMetric(0, "ns/op") // wire-ms is the figure
		})
	}
}
