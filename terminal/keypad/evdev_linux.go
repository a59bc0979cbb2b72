package keypad

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl numbers from linux/input.h; x/sys/unix does not define them.
const (
	eviocgrab  = 0x40044590 // _IOW('E', 0x90, int)
	eviocgname = 0x81004506 // _IOC(_IOC_READ, 'E', 0x06, 256)
)

// Evdev is a Source reading a Linux input device (a USB keypad or a
// barcode scanner) with an exclusive grab, so that its keys reach posd
// only and never a login prompt. If the device goes away (unplugged) it is
// opened again when it comes back, under the same path; use the stable
// /dev/input/by-id/... link.
type Evdev struct {
	path string
	name string
	cfg  EvdevConfig
	file io.ReadCloser // opened by OpenEvdev, handed to the first Keys

	// How to open the device again after it went away, and how long to
	// wait between tries; tests replace them.
	reopen       func(path string) (io.ReadCloser, error)
	reopenPeriod time.Duration
}

// OpenEvdev opens and grabs the device at path. It fails with
// ErrNotInputDevice for a file that is not an input device, and when
// another program holds the grab.
func OpenEvdev(path string, cfg EvdevConfig) (*Evdev, error) {
	cfg.setDefaults()
	f, name, err := openGrabbed(path)
	if err != nil {
		return nil, err
	}
	return &Evdev{path: path, name: name, cfg: cfg, file: f, reopen: reopenGrabbed, reopenPeriod: time.Second}, nil
}

func reopenGrabbed(path string) (io.ReadCloser, error) {
	f, _, err := openGrabbed(path)
	return f, err
}

// Name is the device's own name (EVIOCGNAME), for logs.
func (e *Evdev) Name() string { return e.name }

func openGrabbed(path string) (*os.File, string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, "", fmt.Errorf("keypad: %w", err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("keypad: %s: %w", path, err)
	}
	var name string
	var ioctlErr error
	// Control keeps the descriptor non-blocking (unlike Fd), so Close
	// still interrupts a pending Read.
	err = rc.Control(func(fd uintptr) {
		buf := make([]byte, 256)
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, fd, eviocgname, uintptr(unsafe.Pointer(&buf[0]))); errno != 0 {
			ioctlErr = fmt.Errorf("%w: %s: %v", ErrNotInputDevice, path, errno)
			return
		}
		name = strings.TrimRight(string(buf), "\x00")
		if err := unix.IoctlSetInt(int(fd), eviocgrab, 1); err != nil {
			if errors.Is(err, unix.EBUSY) {
				ioctlErr = fmt.Errorf("keypad: %s (%s) is grabbed by another program: %w", path, name, err)
			} else {
				ioctlErr = fmt.Errorf("%w: %s: grab: %v", ErrNotInputDevice, path, err)
			}
		}
	})
	if err == nil {
		err = ioctlErr
	}
	if err != nil {
		f.Close()
		return nil, "", err
	}
	return f, name, nil
}

// Keys implements Source. The channel stays open across unplugging; it
// closes when ctx is done. Call it once: the device is read by one reader.
func (e *Evdev) Keys(ctx context.Context) <-chan Key {
	out := make(chan Key)
	first := e.file
	e.file = nil
	go func() {
		defer close(out)
		f := first
		for ctx.Err() == nil {
			if f == nil {
				var err error
				if f, err = e.reopen(e.path); err != nil {
					select { // not back yet
					case <-time.After(e.reopenPeriod):
					case <-ctx.Done():
					}
					continue
				}
				e.cfg.Logger.Info("keypad: input device back", "path", e.path)
			}
			e.forward(ctx, f, out)
			f.Close() // also ends the grab
			f = nil
		}
	}()
	return out
}

// forward copies keys from one opened device until it fails or ctx is done.
func (e *Evdev) forward(ctx context.Context, f io.ReadCloser, out chan<- Key) {
	devCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	keys, done := NewEvdevReader(f, e.cfg).run(devCtx)
	stop := context.AfterFunc(ctx, func() { f.Close() }) // unblock Read
	defer stop()
	for k := range keys {
		select {
		case out <- k:
		case <-ctx.Done():
			return
		}
	}
	if err := <-done; err != nil && ctx.Err() == nil {
		level := e.cfg.Logger.Warn
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ENODEV) {
			level = e.cfg.Logger.Info
		}
		level("keypad: input device gone, waiting for it", "path", e.path, "err", err)
	}
}
