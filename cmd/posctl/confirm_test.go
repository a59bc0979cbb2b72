package main

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// Money-moving commands run unasked only with --yes: /dev/null (a
// character device, as cron and scripts give) is not a terminal, and
// nothing is asked there.
func TestConfirmNeedsYesWithoutATerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Fatal("/dev/null taken for a terminal")
	}
	var errw strings.Builder
	s := stdio{in: null, out: &strings.Builder{}, err: &errw}
	if err := confirm(s, false, "Refund USD 1.00?"); !errors.Is(err, errNotConfirmed) || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("confirm without a terminal: %v", err)
	}
	if errw.Len() != 0 {
		t.Errorf("asked where nobody can answer: %q", errw.String())
	}
	if err := confirm(s, true, "Refund USD 1.00?"); err != nil {
		t.Fatalf("--yes: %v", err)
	}
}
