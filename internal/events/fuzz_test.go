package events

import (
	"bytes"
	"testing"
)

// FuzzDecode: input off the network never panics, and what Decode accepts
// encodes back to an event that decodes the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":"ab-1","stream":"ab","seq":1,"type":"alert","at":"2026-11-29T00:00:00Z","merchant":"M","store":"S","terminal":"T","alert":{"code":"events-dropped","active":true,"text":"x","firstSeq":1,"lastSeq":2}}`))
	f.Add([]byte(`{"v":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			return
		}
		out, err := Encode(&e)
		if err != nil {
			t.Fatalf("accepted but cannot encode: %v", err)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		out2, _ := Encode(&again)
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
