package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/internal/posapi"
)

// The demo's virtual printer is driven by the same spooler as a real one:
// a slip whose attempt was committed and which then never completed
// (posd killed with SIGKILL meanwhile) prints after the restart only as a
// COPY, never as a second original.
func TestE2EDemoSlipCutByACrashPrintsAsCopy(t *testing.T) {
	dir := t.TempDir()
	d := startDemo(t, dir)
	id, qr := d.showQR("3.30")

	// The virtual printer cannot file this slip: the temporary names of
	// its text are taken by directories, as a full disk would refuse
	// them. The first job of a new demo directory is job 1.
	receipts := filepath.Join(dir, "receipts")
	blockers := []string{filepath.Join(receipts, id+".txt.tmp"), filepath.Join(receipts, id+"-copy-1.txt.tmp")}
	for _, b := range blockers {
		if err := os.MkdirAll(b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, nil)
	d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	d.waitStatus("the printer's trouble", func(s posapi.Status) bool { return strings.Contains(s.Printer, "virtual printer") })

	// The crash.
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-d.exited
	if slips, _ := filepath.Glob(filepath.Join(receipts, id+"*.png")); len(slips) != 0 {
		t.Fatalf("slips filed before the restart: %q", slips)
	}
	for _, b := range blockers {
		if err := os.Remove(b); err != nil {
			t.Fatal(err)
		}
	}

	d = startDemo(t, dir)
	copyPNG := filepath.Join(receipts, id+"-copy-1.png")
	d.poll("the slip, as COPY", func() bool { _, err := os.Stat(copyPNG); return err == nil })
	text, err := os.ReadFile(strings.TrimSuffix(copyPNG, ".png") + ".txt")
	if err != nil || !strings.Contains(string(text), "COPY") {
		t.Fatalf("the reprint is not marked COPY: %v\n%s", err, text)
	}
	if _, err := os.Stat(filepath.Join(receipts, id+".png")); !os.IsNotExist(err) {
		t.Fatalf("an original was printed after the crash: %v", err)
	}
	d.waitStatus("the printer ok", func(s posapi.Status) bool { return s.Printer == "ok" })
	d.stop()
}
