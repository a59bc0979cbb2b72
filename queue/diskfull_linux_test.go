package queue_test

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

// A full disk, for real: RLIMIT_FSIZE makes the kernel refuse (EFBIG) any
// write past the outbox's current size, as a full card refuses (ENOSPC)
// any block more. Once the limit is lifted ("space is back") the engine
// takes payments again by itself, without a restart, even when nothing
// else was going on to wake it (it used to sleep until the next prune,
// a day later).
func TestEngineDiskFullThenSpaceBack(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.frozen = true
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	restore := func() { _ = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old) }
	defer restore()
	fi, err := os.Stat(h.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(fi.Size()), Max: old.Max}); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	// Fill the room the file has left with payments declined at once.
	var full error
	for i := 0; full == nil && i < 10_000; i++ {
		id := fmt.Sprintf("F%05d", i)
		_, full = h.eng.Pay(payReq(id, "S"+id, queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 100))
		if full == nil {
			h.waitFor(queue.ChangeFailed, id)
		}
	}
	if !errors.Is(full, queue.ErrUnwritable) {
		restore()
		t.Fatalf("Pay on a full disk: %v, want ErrUnwritable", full)
	}
	// Space is back. The engine finds out on its own (it retries the disk
	// every few seconds of its clock) and takes the next payment.
	restore()
	guard := time.Now().Add(20 * time.Second) // deadlock guard, not a timing assumption
	for h.eng.WriteError() != nil {
		if time.Now().After(guard) {
			t.Fatal("the engine still refuses writes after space came back")
		}
		h.clock.Advance(time.Second)
		time.Sleep(5 * time.Millisecond)
	}
	h.frozen = false
	h.pay(payReq("AFTER", "S-after", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 100))
	h.waitFor(queue.ChangeSucceeded, "AFTER")
}
