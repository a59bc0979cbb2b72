package printer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The virtual printer files each slip under the name the spooler gives it,
// through the same spooler as a real printer: a sale, its void, its
// refund and a reprint, each once.
func TestPNGDeviceFilesEverySlip(t *testing.T) {
	dir := t.TempDir()
	sale := sampleWithItems()
	sale.PaymentRequestID = "T01-1"
	void := sale
	void.Kind, void.Result = KindVoid, ResultCancelled
	refund := sale
	refund.Kind, refund.Result, refund.RefundRequestID = KindRefund, ResultRefunded, "T01-1-R1"
	store := newMemoryStore(
		Job{ID: "1", PaymentRequestID: "T01-1", Receipt: sale},
		Job{ID: "2", PaymentRequestID: "T01-1", Receipt: void},
		Job{ID: "3", PaymentRequestID: "T01-1", Receipt: refund},
		Job{ID: "4", PaymentRequestID: "T01-1", Receipt: sale, Copy: true},
	)
	sp := NewSpooler(store, NewPNGDevice(dir, Paper80, nil), 0, nil)
	var seen []string
	sp.Observe = func(ev SpoolEvent) { seen = append(seen, ev.PaymentRequestID) }
	if n, err := sp.PrintPending(context.Background()); err != nil || n != 4 {
		t.Fatalf("printed %d: %v", n, err)
	}
	for _, name := range []string{"T01-1", "T01-1-void", "T01-1-refund-T01-1-R1", "T01-1-copy-4"} {
		text, err := os.ReadFile(filepath.Join(dir, name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, name+".png")); err != nil {
			t.Fatal(err)
		}
		if isCopy := strings.Contains(string(text), "COPY"); isCopy != strings.Contains(name, "-copy-") {
			t.Errorf("%s: COPY on the slip = %v", name, isCopy)
		}
	}
	if !slices.Equal(seen, []string{"T01-1", "T01-1", "T01-1", "T01-1"}) {
		t.Errorf("events name payments %q", seen)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmp) != 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

// errPowerCut stands for the power going off after the attempt was
// committed and before the printer confirmed.
var errPowerCut = errors.New("power cut")

type cutAfterAttempt struct{ Device }

func (c cutAfterAttempt) Print(ctx context.Context, doc Document, beforeSend func(context.Context) error) (Status, error) {
	if err := beforeSend(ctx); err != nil {
		return Status{}, err
	}
	return Status{}, errPowerCut
}

// A slip whose attempt was committed but never confirmed prints again
// only as COPY, under a copy's name, never as a second original.
func TestPNGDeviceReprintsAnAttemptedSlipAsCopy(t *testing.T) {
	dir := t.TempDir()
	r := sampleWithItems()
	r.PaymentRequestID = "T01-2"
	store := newMemoryStore(Job{ID: "7", PaymentRequestID: "T01-2", Receipt: r})
	dev := NewPNGDevice(dir, Paper80, nil)
	if _, err := NewSpooler(store, cutAfterAttempt{dev}, 0, nil).PrintPending(context.Background()); !errors.Is(err, errPowerCut) {
		t.Fatalf("first pass: %v", err)
	}
	if n, err := NewSpooler(store, dev, 0, nil).PrintPending(context.Background()); err != nil || n != 1 {
		t.Fatalf("after the restart: %d %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "T01-2.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an original was filed after the cut: %v", err)
	}
	text, err := os.ReadFile(filepath.Join(dir, "T01-2-copy-7.txt"))
	if err != nil || !strings.Contains(string(text), "COPY") {
		t.Fatalf("copy: %v\n%s", err, text)
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{"T01-1": "T01-1", "../etc/passwd": ".._etc_passwd", "..": "slip", "": "slip", "a b/c": "a_b_c"} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}
