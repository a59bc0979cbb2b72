package printer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/printer/virtual"
)

func sampleDoc(t testing.TB, m Model, copy bool) Document {
	t.Helper()
	blocks, err := Layout(sampleWithItems(), m.Paper, LayoutOptions{Copy: copy})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Encode(blocks, m)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestPrintOverPTYDecodesQR(t *testing.T) {
	for _, paper := range []Paper{Paper58, Paper80, PaperTMT88} {
		for _, native := range []bool{true, false} {
			t.Run(paper.Name+map[bool]string{true: "/native", false: "/raster"}[native], func(t *testing.T) {
				r := newRig(t, paper, func(c *Config) { c.Model.NativeQR = native }, func(d *virtual.DeviceConfig) { d.NoNativeQR = !native })
				ctx := testCtx(t)
				attempted := false
				st, err := r.drv.Print(ctx, sampleDoc(t, r.drv.Model(), false), func(context.Context) error { attempted = true; return nil })
				if err != nil {
					t.Fatalf("Print: %v (status %v)", err, st)
				}
				if !attempted {
					t.Error("beforeSend was not called")
				}
				if got := r.dev.State().Cuts; got != 1 {
					t.Errorf("cuts = %d, want 1", got)
				}
				png, err := r.dev.PNG()
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), "slip.png")
				if err := os.WriteFile(path, png, 0o644); err != nil {
					t.Fatal(err)
				}
				codes, err := testenv.DecodeQR(t, path)
				if err != nil {
					t.Fatalf("decoding the printed QR: %v", err)
				}
				if len(codes) != 1 || codes[0] != sampleWithItems().PaymentID {
					t.Errorf("QR = %q, want the paymentId %q", codes, sampleWithItems().PaymentID)
				}
				tr := r.dev.Transcript()
				for _, want := range []string{"Harbour Coffee", "USD 12.50", "2088****1234", "--- cut ---"} {
					if !strings.Contains(tr, want) {
						t.Errorf("transcript lacks %q:\n%s", want, tr)
					}
				}
			})
		}
	}
}

func TestStatusHoldsJob(t *testing.T) {
	cases := []struct {
		name   string
		script func(*virtual.Device)
		want   string
	}{
		{"offline at start", func(d *virtual.Device) { d.SetOffline(true) }, "offline"},
		{"cover open", func(d *virtual.Device) { d.SetCoverOpen(true) }, "cover open"},
		{"paper end", func(d *virtual.Device) { d.SetPaperEnd(true) }, "paper end"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Paper80, nil, nil)
			tc.script(r.dev)
			ctx := testCtx(t)
			_, err := r.drv.Print(ctx, sampleDoc(t, r.drv.Model(), false), func(context.Context) error {
				t.Error("beforeSend called for a printer that cannot print")
				return nil
			})
			if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), tc.want) || !IsHeld(err) {
				t.Fatalf("err = %v, want ErrNotReady mentioning %q", err, tc.want)
			}
			if s := r.dev.State(); s.Pending != 0 || s.Cuts != 0 {
				t.Errorf("bytes reached the printer: %+v", s)
			}
		})
	}
}

func TestSilentPrinterHoldsJob(t *testing.T) {
	r := newRig(t, Paper58, nil, nil)
	r.dev.SetSilent(true)
	_, err := r.drv.Print(testCtx(t), sampleDoc(t, r.drv.Model(), false), nil)
	if !errors.Is(err, ErrNoReply) || !IsHeld(err) {
		t.Fatalf("err = %v, want ErrNoReply", err)
	}
	// The status check asks DLE EOT 1, 2 and 4 in one write; nothing else follows.
	if s := r.dev.State(); s.Pending != 0 || s.Cuts != 0 || s.StatusRequests != 3 {
		t.Errorf("state %+v: want one unanswered status check (3 requests) and no job bytes", s)
	}
}

func TestStatusReportsNearEnd(t *testing.T) {
	r := newRig(t, Paper58, nil, nil)
	r.dev.SetPaperNearEnd(true)
	s, err := r.drv.Status(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !s.PaperNearEnd || s.Err() != nil {
		t.Errorf("status %v: want ready with paper near end", s)
	}
	st, err := r.drv.Print(testCtx(t), sampleDoc(t, r.drv.Model(), false), nil)
	if err != nil || !st.PaperNearEnd {
		t.Errorf("Print = %v, %v: want printed and near end reported by GS r", st, err)
	}
}

func TestPaperOutAfterSlipWaitsForConfirmation(t *testing.T) {
	r := newRig(t, Paper80, func(c *Config) { c.ChunkBytes = 64 }, nil)
	ctx := testCtx(t)
	// The roll runs out right after the cut: the slip is out, but the
	// printer stops before it reaches the GS r that confirms it.
	r.dev.PaperEndAfterCut(1)
	done := make(chan error, 1)
	go func() {
		_, err := r.drv.Print(ctx, sampleDoc(t, r.drv.Model(), false), nil)
		done <- err
	}()
	if err := r.dev.Wait(ctx, func(s virtual.State) bool { return s.Cuts == 1 && !s.Printing && s.StatusRequests >= 6 }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("Print returned %v while the printer was out of paper", err)
	default:
	}
	r.dev.SetPaperEnd(false)
	if err := <-done; err != nil {
		t.Fatalf("Print after paper was loaded: %v", err)
	}
	if c := r.dev.State().Cuts; c != 1 {
		t.Errorf("cuts = %d, want 1", c)
	}
}

func TestSlowPrinterConfirmsAfterPrinting(t *testing.T) {
	r := newRig(t, Paper58, nil, nil)
	r.dev.SetLineDelay(2 * time.Millisecond) // ~40 lines: the GS r answer comes well after the last byte
	st, err := r.drv.Print(testCtx(t), sampleDoc(t, r.drv.Model(), false), nil)
	if err != nil {
		t.Fatalf("Print: %v", err)
	}
	if s := r.dev.State(); s.Cuts != 1 || s.Pending != 0 {
		t.Errorf("confirmed before the slip was cut: %+v (status %v)", s, st)
	}
}

func TestCoverOpenedMidJobWaits(t *testing.T) {
	r := newRig(t, Paper80, func(c *Config) { c.ChunkBytes = 32 }, nil)
	ctx := testCtx(t)
	var once sync.Once
	r.dev.SetCoverOpen(false)
	errc := make(chan error, 1)
	go func() {
		_, err := r.drv.Print(ctx, sampleDoc(t, r.drv.Model(), false), func(context.Context) error {
			once.Do(func() { r.dev.SetCoverOpen(true) }) // opened just as the job starts
			return nil
		})
		errc <- err
	}()
	// The driver keeps polling while the cover is open; nothing is cut.
	if err := r.dev.Wait(ctx, func(s virtual.State) bool { return s.StatusRequests >= 8 }); err != nil {
		t.Fatal(err)
	}
	if c := r.dev.State().Cuts; c != 0 {
		t.Fatalf("printed with the cover open: %d cuts", c)
	}
	r.dev.SetCoverOpen(false)
	if err := <-errc; err != nil {
		t.Fatalf("Print after the cover closed: %v", err)
	}
	if c := r.dev.State().Cuts; c != 1 {
		t.Errorf("cuts = %d, want 1", c)
	}
}

func TestReopensAfterLinkLoss(t *testing.T) {
	dir := t.TempDir()
	pty := startPTY(t, dir)
	dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: Paper58.Dots}})
	servePrinter(t, pty.printer, dev)
	drv := New(Config{Model: Model{Paper: Paper58, NativeQR: true}, Dial: SerialDialer(SerialConfig{Path: pty.host}), Logger: testLogger(t),
		StatusTimeout: 300 * time.Millisecond, PollInterval: 20 * time.Millisecond})
	defer drv.Close()
	ctx := testCtx(t)
	if _, err := drv.Status(ctx); err != nil {
		t.Fatal(err)
	}
	pty.stop() // the adapter disappears
	if _, err := drv.Status(ctx); err == nil {
		t.Fatal("status succeeded with the link gone")
	}
	// ...and comes back under the same name.
	pty2 := startPTY(t, dir)
	dev2 := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: Paper58.Dots}})
	servePrinter(t, pty2.printer, dev2)
	var err error
	for range 3 { // the first call may still hold the dead link and drop it
		if _, err = drv.Print(ctx, sampleDoc(t, drv.Model(), false), nil); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("after the adapter came back: %v", err)
	}
	if dev2.State().Cuts != 1 {
		t.Error("slip not printed after reopening")
	}
}

// TestXOFFPacesSmallBuffer sends a raster job (4 KB) to a slow printer with
// a 1 KB buffer: without honouring XOFF the tail would be dropped.
func TestXOFFPacesSmallBuffer(t *testing.T) {
	r := newRig(t, Paper58, func(c *Config) { c.ChunkBytes = 128; c.Model.NativeQR = false },
		func(d *virtual.DeviceConfig) { d.BufferSize = 1024; d.XonXoff = true; d.NoNativeQR = true })
	// The head stands still until the buffer is nearly full, whatever the
	// relative speed of host and printer (qemu, a loaded CI machine).
	r.dev.SetStalled(true)
	r.dev.SetLineDelay(50 * time.Microsecond)
	ctx := testCtx(t)
	printed := make(chan error, 1)
	go func() {
		_, err := r.drv.Print(ctx, sampleDoc(t, r.drv.Model(), false), nil)
		printed <- err
	}()
	if err := r.dev.Wait(ctx, func(s virtual.State) bool { return s.XOFF }); err != nil {
		t.Fatalf("buffer never filled to XOFF: %v", err)
	}
	r.dev.SetStalled(false)
	if err := <-printed; err != nil {
		t.Fatal(err)
	}
	s := r.dev.State()
	if s.Lost != 0 || s.Cuts != 1 {
		t.Errorf("state %+v: bytes lost or slip not cut", s)
	}
	if s.XOFFSent == 0 {
		t.Error("the printer never sent XOFF: the test did not exercise flow control")
	}
}

func TestNoGSrConfirmsByStatus(t *testing.T) {
	r := newRig(t, Paper58, func(c *Config) { c.NoGSr = true }, nil)
	if _, err := r.drv.Print(testCtx(t), sampleDoc(t, r.drv.Model(), false), nil); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Wait(testCtx(t), func(s virtual.State) bool { return s.Cuts == 1 }); err != nil {
		t.Fatal(err)
	}
}

// TestFlowCTSOnPTY shows what an operator sees when CTS pacing is
// configured on a port without modem lines: a clear error, the job kept.
func TestFlowCTSOnPTY(t *testing.T) {
	r := newRig(t, Paper58, nil, nil)
	drv := New(Config{Model: r.drv.Model(), Dial: SerialDialer(SerialConfig{Path: r.pty.host, Flow: FlowCTS}),
		StatusTimeout: 300 * time.Millisecond, Logger: testLogger(t)})
	defer drv.Close()
	_, err := drv.Print(testCtx(t), sampleDoc(t, drv.Model(), false), nil)
	if err == nil || !strings.Contains(err.Error(), "modem lines") || errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want the modem-line failure before anything was sent", err)
	}
	if s := r.dev.State(); s.StatusRequests != 0 || s.Pending != 0 {
		t.Errorf("bytes reached the printer: %+v", s)
	}
}

// TestJobOnTheWire: a job is the status check (DLE EOT 1, 2, 4 in one write)
// before any job byte, then each chunk with DLE EOT 1 behind it, and GS r 1
// behind the last chunk; the slip is confirmed only by the GS r answer.
func TestJobOnTheWire(t *testing.T) {
	host, end := uartCable(1_000_000)
	host.record = true
	dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: Paper80.Dots}})
	ctx := testCtx(t)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = dev.Serve(ctx, end)
	}()
	drv := New(Config{Model: Model{Paper: Paper80, NativeQR: true}, Dial: uartDialer(host), ChunkBytes: 128,
		Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { drv.Close(); <-served })
	doc := sampleDoc(t, drv.Model(), false)
	if _, err := drv.Print(ctx, doc, nil); err != nil {
		t.Fatal(err)
	}
	host.mu.Lock()
	writes := host.log
	host.mu.Unlock()
	poll, gsr := []byte{0x10, 0x04, 0x01}, []byte{0x1D, 0x72, 0x01}
	if len(writes) < 3 || !bytes.Equal(writes[0], []byte{0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4}) {
		t.Fatalf("first write %x of %d, want the status check DLE EOT 1, 2, 4", writes[0], len(writes))
	}
	var sent []byte
	for i, w := range writes[1:] {
		chunk, ok := bytes.CutSuffix(w, poll)
		if !ok {
			t.Fatalf("write %d (%x) does not end with DLE EOT 1", i+1, w)
		}
		if i == len(writes)-2 {
			if chunk, ok = bytes.CutSuffix(chunk, gsr); !ok {
				t.Fatalf("last write %x does not carry GS r 1 before its poll", w)
			}
		}
		if len(chunk) > 128 && !slices.Contains(doc.Breaks, len(sent)+len(chunk)) {
			t.Errorf("write %d: %d-byte chunk does not end on a command boundary", i+1, len(chunk))
		}
		sent = append(sent, chunk...)
	}
	if !bytes.Equal(sent, doc.Data) {
		t.Fatalf("the chunks are not the document: %d of %d bytes", len(sent), len(doc.Data))
	}
	if got := dev.State().Cuts; got != 1 {
		t.Fatalf("cuts = %d after a confirmed job", got)
	}
}

// [printer] status = "none": a printer that answers no DLE EOT still
// prints; not one status request or GS r goes on the wire.
func TestNoStatusPrintsWithoutAsking(t *testing.T) {
	r := newRig(t, Paper58, func(c *Config) { c.NoStatus = true }, nil)
	r.dev.SetSilent(true)
	attempted := false
	if _, err := r.drv.Print(testCtx(t), sampleDoc(t, r.drv.Model(), false), func(context.Context) error { attempted = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Wait(testCtx(t), func(s virtual.State) bool { return s.Cuts == 1 }); err != nil {
		t.Fatal(err)
	}
	if s := r.dev.State(); s.StatusRequests != 0 || !attempted {
		t.Errorf("state %+v attempted %v: want no status request and the attempt recorded", s, attempted)
	}
	if tr := r.dev.Transcript(); !strings.Contains(tr, "USD 12.50") {
		t.Errorf("transcript lacks the amount:\n%s", tr)
	}
	if st, err := r.drv.Status(testCtx(t)); err != nil || st != (Status{}) || r.dev.State().StatusRequests != 0 {
		t.Errorf("Status without DLE EOT: %+v %v", st, err)
	}
}
