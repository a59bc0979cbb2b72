package keypad

import (
	"errors"
	"os"
	"testing"
	"time"
)

// TestPacedReaderAsksTheKernel: a read that starts after the held digits
// were due (this goroutine ran late) still returns the input waiting.
func TestPacedReaderAsksTheKernel(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	p, ok := newPacedReader(r)
	if !ok {
		t.Fatal("a pipe cannot wait with a deadline")
	}
	buf := make([]byte, 8)
	p.due = time.Now().Add(-time.Second)
	if _, err := w.Write([]byte("7")); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Read(buf); n != 1 || err != nil {
		t.Fatalf("input waiting past the due time: read %d, %v", n, err)
	}
	if n, err := p.Read(buf); n != 0 || !errors.Is(err, errHeldDue) {
		t.Fatalf("nothing waiting past the due time: read %d, %v; want errHeldDue", n, err)
	}
	// The deadline is gone again: a plain read waits for input.
	p.due = time.Time{}
	if _, err := w.Write([]byte("8")); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Read(buf); n != 1 || err != nil || buf[0] != '8' {
		t.Fatalf("read %d %q, %v", n, buf[:n], err)
	}
}

func TestPacedReaderRefusesAPlainFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "events")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := newPacedReader(f); ok {
		t.Error("a regular file taken as able to wait with a deadline")
	}
}
