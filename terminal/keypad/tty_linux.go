package keypad

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MakeCbreak puts the terminal f in character mode: keys arrive one by one
// as they are pressed and are not echoed. Ctrl-C still stops the program.
// restore puts the terminal back as it was.
func MakeCbreak(f *os.File) (restore func() error, err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("keypad: %s: %w", f.Name(), err)
	}
	var old *unix.Termios
	var ioctlErr error
	err = rc.Control(func(fd uintptr) { // Control, not Fd: keep the file non-blocking
		old, ioctlErr = unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if ioctlErr != nil {
			return
		}
		t := *old
		t.Lflag &^= unix.ICANON | unix.ECHO
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
		ioctlErr = unix.IoctlSetTermios(int(fd), unix.TCSETS, &t)
	})
	if err == nil {
		err = ioctlErr
	}
	if err != nil {
		return nil, fmt.Errorf("keypad: %s is not a terminal: %w", f.Name(), err)
	}
	return func() error {
		var setErr error
		if err := rc.Control(func(fd uintptr) { setErr = unix.IoctlSetTermios(int(fd), unix.TCSETS, old) }); err != nil {
			return err
		}
		return setErr
	}, nil
}
