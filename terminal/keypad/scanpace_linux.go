package keypad

import "golang.org/x/sys/unix"

// inputWaiting reports whether a read of f would return at once, with
// data or with the end of input.
func inputWaiting(f waitReader) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	waiting := false
	_ = rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		waiting = err == nil && n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0
	})
	return waiting
}
