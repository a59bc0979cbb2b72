package virtual

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
)

func TestCode128Table(t *testing.T) {
	for i, p := range code128Patterns {
		sum := 0
		for _, c := range p {
			sum += int(c - '0')
		}
		want := 11
		if i == 106 {
			want = 13
		}
		if sum != want {
			t.Errorf("pattern %d %q has %d modules, want %d", i, p, sum, want)
		}
	}
}

// TestCode128Scans draws barcodes and reads them back with zbarimg.
func TestCode128Scans(t *testing.T) {
	zbar := testenv.Tool(t, "zbarimg")
	for _, data := range []struct{ payload, text string }{
		{"{BPOS-0001-42", "POS-0001-42"},
		{"{C\x14\x1a\x0b\x17\x0e\x00", "202611231400"},
	} {
		m := NewMachine(Config{Dots: 576})
		cmd := []byte{0x1B, 0x61, 0x01, 0x1D, 0x68, 80, 0x1D, 0x77, 2, 0x1D, 0x48, 2, 0x1D, 0x6B, 0x49, byte(len(data.payload))}
		cmd = append(cmd, data.payload...)
		if n := m.Execute(cmd); n != len(cmd) {
			t.Fatalf("executed %d of %d", n, len(cmd))
		}
		if !strings.Contains(m.Transcript(), "[CODE128 "+data.text+"]") || !strings.Contains(m.Transcript(), data.text+"\n") {
			t.Errorf("transcript:\n%s", m.Transcript())
		}
		img, err := m.PNG()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "bar.png")
		if err := os.WriteFile(path, img, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, zbar, "-q", "--raw", "-Sdisable", "-Scode128.enable", path).Output()
		cancel()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		if got := strings.TrimSpace(string(out)); got != data.text {
			t.Errorf("scanned %q, want %q", got, data.text)
		}
	}
}

func TestMachineTextAndPNG(t *testing.T) {
	m := NewMachine(Config{Dots: 384, Chinese: true})
	in := []byte("\x1B@\x1Ba\x01\x1BE\x01\x1D!\x11Hi\n\x1D!\x00\x1BE\x00\x1Ba\x00\x1C\x26\xBA\xCF\xBC\xC6\n\x1C.\x1Bt\x13\xD5\n\x1DVA\x00")
	if n := m.Execute(in); n != len(in) {
		t.Fatalf("executed %d of %d", n, len(in))
	}
	want := "              Hi\n合计\n€\n--- cut ---\n"
	if got := m.Transcript(); got != want {
		t.Errorf("transcript %q, want %q", got, want)
	}
	b, err := m.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 384 {
		t.Errorf("width %d, want the paper's 384 dots", img.Bounds().Dx())
	}
	black := 0
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < 384; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r == 0 {
				black++
			}
		}
	}
	if black < 200 {
		t.Errorf("only %d black dots: text was not drawn", black)
	}
}

func TestMachineWaitsForWholeCommand(t *testing.T) {
	in := []byte("\x1D\x28\x6B\x07\x00\x31\x50\x30ABCD\x1D\x28\x6B\x03\x00\x31\x51\x30")
	m := NewMachine(Config{Dots: 384})
	done := 0
	for i := 1; i <= len(in); i++ { // bytes arrive one at a time
		done += m.Execute(in[done:i])
	}
	if done != len(in) || !strings.Contains(m.Transcript(), "[QR ABCD]") {
		t.Errorf("done %d/%d, transcript %q", done, len(in), m.Transcript())
	}
}

func TestDeviceRealtimeAcrossReads(t *testing.T) {
	var out bytes.Buffer
	d := NewDevice(DeviceConfig{Config: Config{Dots: 384}})
	d.rw = &out
	d.SetPaperEnd(true)
	for _, chunk := range [][]byte{[]byte("A\x10"), []byte("\x04"), []byte("\x04B\x10\x04\x01")} {
		d.receive(chunk)
	}
	if got := out.Bytes(); !bytes.Equal(got, []byte{0x72, 0x1A}) {
		t.Errorf("answers % X, want 72 (paper end) 1A (offline)", got)
	}
	if s := d.State(); s.Pending != 2 || s.StatusRequests != 2 {
		t.Errorf("state %+v: want A and B buffered, two requests", s)
	}
}

func TestDeviceBufferOverflowAndXOFF(t *testing.T) {
	var out bytes.Buffer
	d := NewDevice(DeviceConfig{Config: Config{Dots: 384}, BufferSize: 300, XonXoff: true})
	d.rw = &out
	d.SetOffline(true)
	d.receive(bytes.Repeat([]byte("x"), 310))
	s := d.State()
	if s.Lost != 10 || !s.XOFF || !bytes.Equal(out.Bytes(), []byte{0x13}) {
		t.Errorf("state %+v, sent % X", s, out.Bytes())
	}
}

func TestDeviceServeStopsWithLink(t *testing.T) {
	d := NewDevice(DeviceConfig{Config: Config{Dots: 384}})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- d.Serve(context.Background(), struct {
			*os.File
		}{r})
	}()
	if _, err := w.Write([]byte("hello\n\x1DV\x00")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Wait(ctx, func(s State) bool { return s.Cuts == 1 }); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := <-done; err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("Serve returned %v, want the read error", err)
	}
	if !strings.Contains(d.Transcript(), "hello") {
		t.Errorf("transcript %q", d.Transcript())
	}
}

func FuzzMachine(f *testing.F) {
	f.Add([]byte("\x1B@\x1Ba\x01Hello\n\x1DVA\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		m := NewMachine(Config{Dots: 384, Chinese: true})
		done := m.Execute(in)
		if done < 0 || done > len(in) {
			t.Fatalf("consumed %d of %d", done, len(in))
		}
		// Whatever is left must be one incomplete command: more bytes
		// could complete it, and executing it again changes nothing.
		if again := m.Execute(in[done:]); again != 0 {
			t.Fatalf("second pass consumed %d", again)
		}
		if _, err := m.PNG(); err != nil {
			t.Fatal(err)
		}
	})
}
