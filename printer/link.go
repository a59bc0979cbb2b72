package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"go.bug.st/serial"
)

// Link is a byte connection to a printer: a serial port, a printer-class
// USB device or a TCP socket. Close must unblock a pending Read.
type Link interface {
	io.ReadWriteCloser
}

// Dialer opens a link. The Printer calls it again after the link fails, so
// an adapter that was unplugged and plugged back in is picked up.
type Dialer func(ctx context.Context) (Link, error)

// Flow selects how a serial link is paced, since go.bug.st/serial cannot
// make the kernel do RTS/CTS (docs/hardware.md §1.7).
type Flow uint8

// Flow control choices.
const (
	// FlowStatus paces writes by status polls between chunks only.
	FlowStatus Flow = iota
	// FlowCTS also waits for CTS before each chunk (Epson DTR→CTS cable).
	FlowCTS
	// FlowDSR also waits for DSR before each chunk.
	FlowDSR
)

// SerialConfig is how a serial printer is set up: match its self-test slip.
type SerialConfig struct {
	Path     string // /dev/ttyUSB0, /dev/serial0, a socat link
	Baud     int    // 0 means 9600
	DataBits int    // 0 means 8
	Parity   serial.Parity
	StopBits serial.StopBits
	Flow     Flow
}

// SerialDialer opens a serial printer with go.bug.st/serial.
func SerialDialer(cfg SerialConfig) Dialer {
	return func(ctx context.Context) (Link, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mode := &serial.Mode{BaudRate: cfg.Baud, DataBits: cfg.DataBits, Parity: cfg.Parity, StopBits: cfg.StopBits}
		if mode.BaudRate == 0 {
			mode.BaudRate = 9600
		}
		port, err := serial.Open(cfg.Path, mode)
		if err != nil {
			return nil, fmt.Errorf("printer: open %s: %w", cfg.Path, err)
		}
		if cfg.Flow != FlowStatus { // a port without modem lines fails here, not mid-job
			if _, err := port.GetModemStatusBits(); err != nil {
				port.Close()
				return nil, fmt.Errorf("printer: %s: CTS/DSR pacing needs modem lines: %w", cfg.Path, err)
			}
		}
		return &serialLink{port: port, flow: cfg.Flow}, nil
	}
}

type serialLink struct {
	port   serial.Port
	flow   Flow
	closed atomic.Bool
}

func (l *serialLink) Read(p []byte) (int, error) {
	for {
		n, err := l.port.Read(p)
		if n > 0 || err != nil {
			return n, err
		}
		if l.closed.Load() { // a read timeout returns (0, nil); see docs/hardware.md §4.1
			return 0, net.ErrClosed
		}
	}
}

// Write waits for the handshake line when one is configured; the caller
// bounds the wait with its write deadline.
func (l *serialLink) Write(p []byte) (int, error) {
	for l.flow != FlowStatus {
		bits, err := l.port.GetModemStatusBits()
		if err != nil {
			return 0, fmt.Errorf("printer: modem lines: %w", err)
		}
		if l.flow == FlowCTS && bits.CTS || l.flow == FlowDSR && bits.DSR {
			break
		}
		if l.closed.Load() {
			return 0, net.ErrClosed
		}
		time.Sleep(5 * time.Millisecond) // polling a modem line: there is no event to wait on
	}
	n, err := l.port.Write(p)
	if err == nil {
		err = l.port.Drain() // on the wire before the status poll that follows
	}
	return n, err
}

func (l *serialLink) Close() error {
	l.closed.Store(true)
	return l.port.Close()
}

// USBDialer opens a printer-class USB device (/dev/usb/lp0). It is not a
// tty: plain file I/O, flow-controlled by USB itself.
func USBDialer(path string) Dialer {
	return func(ctx context.Context) (Link, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("printer: open %s: %w", path, err)
		}
		return &usbLink{f: f}, nil
	}
}

type usbLink struct {
	f      *os.File
	closed atomic.Bool
}

// Read polls: usblp returns no data rather than blocking when the printer
// has nothing to say.
func (l *usbLink) Read(p []byte) (int, error) {
	for {
		n, err := l.f.Read(p)
		if n > 0 {
			return n, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if l.closed.Load() {
			return 0, net.ErrClosed
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (l *usbLink) Write(p []byte) (int, error) { return l.f.Write(p) }

func (l *usbLink) Close() error {
	l.closed.Store(true)
	return l.f.Close()
}

// TCPDialer connects to a network printer's raw port (host:9100).
func TCPDialer(addr string) Dialer {
	return func(ctx context.Context) (Link, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("printer: dial %s: %w", addr, err)
		}
		return c, nil
	}
}
