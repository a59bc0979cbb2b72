package keypadtest

import (
	"encoding/binary"
	"time"
)

// Linux input event constants used to build streams.
const (
	EvSyn      = 0
	EvKey      = 1
	EvMsc      = 4
	SynReport  = 0
	SynDropped = 3
)

// EventRecord encodes one struct input_event as a process of the given
// record size (16: 32-bit, 24: 64-bit) reads it, little-endian.
func EventRecord(size int, at time.Time, typ, code uint16, value int32) []byte {
	b := make([]byte, size)
	off := 8
	if size == 16 {
		binary.LittleEndian.PutUint32(b[0:], uint32(at.Unix()))
		binary.LittleEndian.PutUint32(b[4:], uint32(at.Nanosecond()/1000))
	} else {
		binary.LittleEndian.PutUint64(b[0:], uint64(at.Unix()))
		binary.LittleEndian.PutUint64(b[8:], uint64(at.Nanosecond()/1000))
		off = 16
	}
	binary.LittleEndian.PutUint16(b[off:], typ)
	binary.LittleEndian.PutUint16(b[off+2:], code)
	binary.LittleEndian.PutUint32(b[off+4:], uint32(value))
	return b
}

// Strokes encodes key codes pressed one after another, gap apart from t0,
// the way a keyboard sends them: MSC_SCAN, press, SYN_REPORT, then
// release, SYN_REPORT.
func Strokes(size int, t0 time.Time, gap time.Duration, codes ...uint16) []byte {
	var out []byte
	for i, c := range codes {
		at := t0.Add(time.Duration(i) * gap)
		out = append(out, EventRecord(size, at, EvMsc, 4, int32(0x70000+int(c)))...)
		out = append(out, EventRecord(size, at, EvKey, c, 1)...)
		out = append(out, EventRecord(size, at, EvSyn, SynReport, 0)...)
		up := at.Add(gap / 2)
		out = append(out, EventRecord(size, up, EvKey, c, 0)...)
		out = append(out, EventRecord(size, up, EvSyn, SynReport, 0)...)
	}
	return out
}
