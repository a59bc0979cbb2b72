package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's meta page layout (go.etcd.io/bbolt internal/common/meta.go):
// a 16-byte page header, then magic, version, pageSize, flags (4 bytes
// each), root bucket (16), freelist pgid (8), high-water pgid (8), txid (8),
// checksum (8, FNV-64a of everything from magic to txid). Files are written
// in the machine's byte order; posd runs on little-endian ARM and x86.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	metaOffset     = 16
	metaSumEnd     = metaOffset + 56
	minMetaPageLen = metaSumEnd + 8
)

type boltMeta struct {
	pageSize uint32
	pgid     uint64
	ok       bool
}

func readMeta(b []byte) boltMeta {
	if len(b) < minMetaPageLen {
		return boltMeta{}
	}
	le := binary.LittleEndian
	m := b[metaOffset:]
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersion {
		return boltMeta{}
	}
	h := fnv.New64a()
	h.Write(b[metaOffset:metaSumEnd])
	if h.Sum64() != le.Uint64(b[metaSumEnd:]) {
		return boltMeta{}
	}
	return boltMeta{pageSize: le.Uint32(m[8:]), pgid: le.Uint64(m[40:]), ok: true}
}

// precheck refuses a file that bbolt would map beyond its end. bbolt trusts
// the high-water mark in the meta page; if the file is shorter (truncated
// by a failing card or a bad copy), reading those pages is a SIGBUS that
// kills the process instead of an error. A missing file passes: bbolt
// creates it. An empty one is refused: bbolt would silently set it up as
// a new database, and a file that was there is never overwritten.
//
// torn is set when one of bbolt's two meta pages is damaged: bbolt then
// opens the file from the other one (the commit before), so the caller
// reports it.
func precheck(path string) (torn string, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrUnreadable, path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrUnreadable, path, err)
	}
	size := info.Size()
	if size == 0 {
		return "", fmt.Errorf("%w: %s is empty (0 bytes), not a posd outbox; posd creates a missing outbox but never sets up a file that exists: move it aside", ErrCorrupt, path)
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", fmt.Errorf("%w: %s: %w", ErrUnreadable, path, err)
	}
	m0 := readMeta(head[:n])
	var m1 boltMeta
	for _, ps := range []uint32{m0.pageSize, 4096, 16384, 65536} {
		if ps == 0 || m1.ok {
			continue
		}
		second := make([]byte, minMetaPageLen)
		if k, _ := f.ReadAt(second, int64(ps)); k == len(second) {
			m1 = readMeta(second)
		}
	}
	if !m0.ok && !m1.ok {
		return "", fmt.Errorf("%w: %s: no valid bbolt meta page", ErrCorrupt, path)
	}
	for _, m := range []boltMeta{m0, m1} {
		if m.ok && uint64(size)/uint64(m.pageSize) < m.pgid {
			return "", fmt.Errorf("%w: %s: file is %d bytes but its index covers %d pages of %d bytes (truncated?)",
				ErrCorrupt, path, size, m.pgid, m.pageSize)
		}
	}
	if !m0.ok || !m1.ok {
		which := 0
		if m0.ok {
			which = 1
		}
		torn = fmt.Sprintf("bbolt meta page %d is damaged (a write cut short by power loss?); the file was opened from the other one, the commit before", which)
	}
	return torn, nil
}
