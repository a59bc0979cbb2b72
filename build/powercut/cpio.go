package powercut

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// cpioEntry is one file of an initramfs.
type cpioEntry struct {
	mode  uint32 // file type and permission bits, as in stat(2)
	data  []byte
	major uint32 // device nodes
	minor uint32
}

const (
	modeDir  = 0o040000
	modeFile = 0o100000
	modeLink = 0o120000
	modeChar = 0o020000
)

// initramfs is an archive in the kernel's "newc" cpio format, built in
// memory: the guest's whole root file system.
type initramfs map[string]cpioEntry

func (a initramfs) dir(p string) {
	for ; p != "." && p != "/"; p = path.Dir(p) {
		if _, ok := a[p]; !ok {
			a[p] = cpioEntry{mode: modeDir | 0o755}
		}
	}
}

func (a initramfs) file(p string, perm fs.FileMode, data []byte) {
	a.dir(path.Dir(p))
	a[p] = cpioEntry{mode: modeFile | uint32(perm.Perm()), data: data}
}

func (a initramfs) symlink(p, target string) {
	a.dir(path.Dir(p))
	a[p] = cpioEntry{mode: modeLink | 0o777, data: []byte(target)}
}

func (a initramfs) char(p string, major, minor uint32) {
	a.dir(path.Dir(p))
	a[p] = cpioEntry{mode: modeChar | 0o600, major: major, minor: minor}
}

// write emits the archive, parents before children.
func (a initramfs) write(w io.Writer) error {
	names := make([]string, 0, len(a))
	for n := range a {
		names = append(names, n)
	}
	sort.Strings(names)
	ino := uint32(1)
	for _, n := range names {
		e := a[n]
		if err := cpioRecord(w, ino, strings.TrimPrefix(n, "/"), e); err != nil {
			return err
		}
		ino++
	}
	return cpioRecord(w, 0, "TRAILER!!!", cpioEntry{})
}

func cpioRecord(w io.Writer, ino uint32, name string, e cpioEntry) error {
	nlink := uint32(1)
	if e.mode&0o170000 == modeDir {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, e.mode, 0, 0, nlink, 0, len(e.data), 0, 0, e.major, e.minor, len(name)+1, 0)
	buf := make([]byte, 0, len(hdr)+len(name)+8+len(e.data)+4)
	buf = append(buf, hdr...)
	buf = append(buf, name...)
	buf = append(buf, 0)
	buf = pad4(buf)
	buf = append(buf, e.data...)
	buf = pad4(buf)
	_, err := w.Write(buf)
	return err
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
