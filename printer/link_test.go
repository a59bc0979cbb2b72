package printer

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/printer/virtual"
)

// TestTCPPrinter prints to a virtual printer listening on a real socket,
// as a network printer on port 9100 would.
func TestTCPPrinter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: Paper80.Dots}})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = dev.Serve(context.Background(), c)
	}()
	drv := New(Config{Model: Model{Paper: Paper80, NativeQR: true}, Dial: TCPDialer(ln.Addr().String()), Logger: testLogger(t),
		StatusTimeout: time.Second, PollInterval: 20 * time.Millisecond})
	if _, err := drv.Print(testCtx(t), sampleDoc(t, drv.Model(), false), nil); err != nil {
		t.Fatal(err)
	}
	if dev.State().Cuts != 1 {
		t.Error("no slip")
	}
	drv.Close()
	wg.Wait()
	if _, err := drv.Status(testCtx(t)); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// TestUSBPrinterClass drives the plain-file link used for /dev/usb/lp0; a
// pty stands in for the device node.
func TestUSBPrinterClass(t *testing.T) {
	pty := startPTY(t, t.TempDir())
	dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: Paper58.Dots}})
	servePrinter(t, pty.printer, dev)
	drv := New(Config{Model: Model{Paper: Paper58, NativeQR: true}, Dial: USBDialer(pty.host), Logger: testLogger(t),
		StatusTimeout: time.Second, PollInterval: 20 * time.Millisecond})
	defer drv.Close()
	if _, err := drv.Print(testCtx(t), sampleDoc(t, drv.Model(), false), nil); err != nil {
		t.Fatal(err)
	}
	if dev.State().Cuts != 1 {
		t.Error("no slip")
	}
}

func TestDialErrors(t *testing.T) {
	ctx := testCtx(t)
	missing := "/nonexistent/ttyUSB9"
	if _, err := SerialDialer(SerialConfig{Path: missing})(ctx); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serial: %v", err)
	}
	if _, err := USBDialer(missing)(ctx); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("usb: %v", err)
	}
	drv := New(Config{Dial: USBDialer(missing), Logger: testLogger(t)})
	if _, err := drv.Status(ctx); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("status without a device: %v", err)
	}
}

// TestWriteDeadline: a printer that stops taking bytes (net.Pipe never
// read) makes the write fail at the deadline, and the link is dropped so
// the next call dials again.
func TestWriteDeadline(t *testing.T) {
	dials := 0
	var ends []net.Conn
	drv := New(Config{Dial: func(ctx context.Context) (Link, error) {
		dials++
		host, printer := net.Pipe()
		ends = append(ends, host, printer)
		return host, nil
	}, WriteTimeout: 50 * time.Millisecond, Logger: testLogger(t)})
	defer func() {
		drv.Close()
		for _, c := range ends {
			c.Close()
		}
	}()
	for range 2 {
		if _, err := drv.Status(testCtx(t)); !errors.Is(err, ErrWriteTimeout) {
			t.Fatalf("err = %v, want ErrWriteTimeout", err)
		}
	}
	if dials != 2 {
		t.Errorf("dialled %d times, want a new link after the timed-out one", dials)
	}
}
