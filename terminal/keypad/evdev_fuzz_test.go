package keypad

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzEvdevStream runs arbitrary bytes through the whole evdev decoding
// path (records, key translation, scan detection) without goroutines.
func FuzzEvdevStream(f *testing.F) {
	f.Fuzz(func(t *testing.T, stream []byte, small bool) {
		size := EventSize64
		if small {
			size = EventSize32
		}
		tr := evdevKeys{keymap: DefaultEvdevKeymap()}
		var d ScanDetector
		var keys []Key
		records := 0
		err := readEvents(bytes.NewReader(stream), size, func(ev Event) bool {
			records++
			if tm, ok := tr.feed(ev); ok {
				keys = append(keys, d.Feed(tm)...)
			}
			return true
		}, nil)
		keys = append(keys, d.Expire()...)
		if records != len(stream)/size {
			t.Fatalf("%d records from %d bytes", records, len(stream))
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("end of stream: %v", err)
		}
		for _, k := range keys {
			if !k.Valid() {
				t.Fatalf("invalid key %#v", k)
			}
		}
		if len(keys) > records {
			t.Fatalf("%d keys from %d records", len(keys), records)
		}
	})
}
