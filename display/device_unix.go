//go:build unix

package display

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// ownerGroup is the name of the group that owns path.
func ownerGroup(path string) (string, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	g, err := user.LookupGroupId(strconv.FormatUint(uint64(sys.Gid), 10))
	if err != nil {
		return "", false
	}
	return g.Name, true
}
