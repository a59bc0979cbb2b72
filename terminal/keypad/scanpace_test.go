package keypad

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/posd/posd/terminal/keypad/keypadtest"
)

// piecesReader returns its pieces one Read at a time; a nil piece is a
// due wait (errHeldDue).
type piecesReader struct{ pieces [][]byte }

func (p *piecesReader) Read(b []byte) (int, error) {
	if len(p.pieces) == 0 {
		return 0, io.EOF
	}
	piece := p.pieces[0]
	if piece == nil {
		p.pieces = p.pieces[1:]
		return 0, errHeldDue
	}
	n := copy(b, piece)
	if p.pieces[0] = piece[n:]; len(p.pieces[0]) == 0 {
		p.pieces = p.pieces[1:]
	}
	return n, nil
}

// TestReadEventsRecordAcrossDueWait: a record cut by a due wait is joined.
func TestReadEventsRecordAcrossDueWait(t *testing.T) {
	size := NativeEventSize()
	stream := keypadtest.Strokes(size, time.Unix(1_763_900_000, 0), time.Second, 79, 96)
	cut := size + size/2
	r := &piecesReader{pieces: [][]byte{stream[:3], nil, stream[3:cut], nil, nil, stream[cut:]}}
	var got []Event
	dues := 0
	err := readEvents(r, size, func(ev Event) bool { got = append(got, ev); return true }, func() bool { dues++; return true })
	if err != io.EOF {
		t.Fatalf("err %v, want io.EOF", err)
	}
	var want []Event
	if err := readEvents(bytes.NewReader(stream), size, func(ev Event) bool { want = append(want, ev); return true }, nil); err != io.EOF {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) != len(stream)/size {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if dues != 3 {
		t.Errorf("due called %d times, want 3", dues)
	}
	// A stream cut inside a record is an error.
	if err := readEvents(bytes.NewReader(stream[:cut]), size, func(Event) bool { return true }, nil); err != io.ErrUnexpectedEOF {
		t.Errorf("cut stream: %v, want io.ErrUnexpectedEOF", err)
	}
}
