package queue

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTestStore(t testing.TB, path string) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "posd.db")
	}
	s, err := Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func storedPayment(t testing.TB, id, sale string) Payment {
	t.Helper()
	p := newTestPayment(t, id, PaymentCode)
	p.SaleID = sale
	// Bytes a re-encoder would change: escapes, key order, spacing.
	p.Body = []byte(`{"paymentRequestId":"` + id + `", "order":{"orderDescription":"caf\u00e9 <x2> & co"}}`)
	return p
}

// reopenAndGet closes s, opens its file again and reads payment id back.
func reopenAndGet(t *testing.T, s *Store, path, id string) (*Store, Payment) {
	t.Helper()
	s.Close()
	s = openTestStore(t, path)
	got, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return s, got
}

func TestStoreKeepsExactBodyAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.db")
	s := openTestStore(t, path)
	p := storedPayment(t, "P1", "S1")
	if err := s.create(p); err != nil {
		t.Fatal(err)
	}
	s, got := reopenAndGet(t, s, path, "P1")
	if !bytes.Equal(got.Body, p.Body) {
		t.Fatalf("body changed:\n%s\n%s", got.Body, p.Body)
	}
	if !got.DueAt.Equal(p.DueAt) || !got.ExpiresAt.Equal(p.ExpiresAt) || got.Seq != p.Seq {
		t.Errorf("schedule not kept: %+v", got)
	}
	live, err := s.Live()
	if err != nil || len(live) != 1 || live[0].RequestID != "P1" {
		t.Fatalf("Live = %v, %v", live, err)
	}
}

// TestStoreDropsBodyOnceFinal: the pay request stays in the record while a
// pay may still be sent, and leaves it with the commit that makes the
// payment final, which then reads back whole without it.
func TestStoreDropsBodyOnceFinal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.db")
	s := openTestStore(t, path)
	p := storedPayment(t, "P1", "S1")
	if err := s.create(p); err != nil {
		t.Fatal(err)
	}
	unsure, _ := stepAt(t, p, payAns(Unsure, ""), t0.Add(time.Second))
	if _, err := s.save(unsure, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get("P1"); err != nil || !bytes.Equal(got.Body, p.Body) {
		t.Fatalf("live record: body %q, %v; want the exact request kept", got.Body, err)
	}
	paid, _ := stepAt(t, unsure, inq(Success, StatusSuccess, "SUCCESS"), t0.Add(2*time.Second))
	if !paid.State.IsFinal() || paid.Live() {
		t.Fatalf("the inquiry left the payment %s with %q next; the test needs it final", paid.State, paid.Next)
	}
	if _, err := s.save(paid, nil); err != nil {
		t.Fatal(err)
	}
	s, got := reopenAndGet(t, s, path, "P1")
	if got.Body != nil {
		t.Errorf("final record kept its %d-byte request", len(got.Body))
	}
	if got.State != Succeeded || got.Amount != p.Amount || got.PaymentID != paid.PaymentID || got.SaleID != "S1" {
		t.Errorf("final record read back as %+v", got)
	}
	if err := s.create(storedPayment(t, "P2", "S1")); !errors.Is(err, ErrSalePaid) {
		t.Errorf("new attempt for the paid sale: %v, want ErrSalePaid", err)
	}
}

func TestStoreRefusesSecondAttempt(t *testing.T) {
	s := openTestStore(t, "")
	p := storedPayment(t, "P1", "S1")
	if err := s.create(p); err != nil {
		t.Fatal(err)
	}
	if err := s.create(p); !errors.Is(err, ErrDuplicate) {
		t.Errorf("same id again: %v, want ErrDuplicate", err)
	}
	if err := s.create(storedPayment(t, "P2", "S1")); !errors.Is(err, ErrSaleBusy) {
		t.Errorf("second live attempt: %v, want ErrSaleBusy", err)
	}
	paid, _ := stepAt(t, p, payAns(Success, "SUCCESS"), t0.Add(time.Second))
	if _, err := s.save(paid, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.create(storedPayment(t, "P3", "S1")); !errors.Is(err, ErrSalePaid) {
		t.Errorf("attempt after success: %v, want ErrSalePaid", err)
	}
	if err := s.create(storedPayment(t, "P4", "S2")); err != nil {
		t.Errorf("another sale: %v", err)
	}
	live, _ := s.Live()
	if len(live) != 1 || live[0].RequestID != "P4" {
		t.Errorf("Live after success = %v, want only P4", live)
	}
}

func TestStoreSavesStateWithItsPrintJob(t *testing.T) {
	s := openTestStore(t, "")
	p := storedPayment(t, "P1", "S1")
	if err := s.create(p); err != nil {
		t.Fatal(err)
	}
	paid, _ := stepAt(t, p, payAns(Success, "SUCCESS"), t0.Add(time.Second))
	payload := json.RawMessage(`{"kind":"sale","paymentRequestId":"P1"}`)
	jobs, err := s.save(paid, []PrintJob{{RequestID: "P1", Kind: SaleReceipt, Payload: payload, CreatedAt: t0}})
	if err != nil {
		t.Fatal(err)
	}
	if jobs[0].ID == 0 {
		t.Fatal("job has no id")
	}
	un, err := s.Unprinted()
	if err != nil || len(un) != 1 || string(un[0].Payload) != string(payload) {
		t.Fatalf("Unprinted = %+v, %v", un, err)
	}
	if err := s.markAttempted(jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if un, _ := s.Unprinted(); len(un) != 1 || !un[0].Attempted {
		t.Fatalf("attempted job: %+v", un)
	}
	if err := s.markPrinted(jobs[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.markPrinted(jobs[0].ID, t0); err != nil {
		t.Fatalf("second MarkPrinted: %v", err)
	}
	if un, _ := s.Unprinted(); len(un) != 0 {
		t.Fatalf("printed job still pending: %+v", un)
	}
	cp, err := s.reprint(jobs[0].ID, t0)
	if err != nil || !cp.Copy || string(cp.Payload) != string(payload) || cp.ID == jobs[0].ID {
		t.Fatalf("Reprint = %+v, %v", cp, err)
	}
	all, _ := s.Jobs("P1")
	if len(all) != 2 {
		t.Errorf("Jobs = %d, want original and copy", len(all))
	}
	if err := s.markPrinted(999, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown job: %v", err)
	}
}

// TestStoreHelperHoldsLock is not a test of its own: the lock test runs the
// test binary again in this mode, as another process holding the file.
func TestStoreHelperHoldsLock(t *testing.T) {
	path := os.Getenv("QUEUE_HOLD_LOCK")
	if path == "" {
		t.Skip("helper process mode only")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n') // hold until the parent closes stdin
	s.Close()
	os.Exit(0)
}

func TestStoreLockedByAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process (not possible under qemu-user without binfmt); TestStoreLockedTwice covers -short")
	}
	path := filepath.Join(t.TempDir(), "posd.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreHelperHoldsLock$")
	cmd.Env = append(os.Environ(), "QUEUE_HOLD_LOCK="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper said %q", line)
	}
	start := time.Now()
	_, err := Open(path, Options{LockTimeout: 150 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a locked file: %v, want ErrLocked naming %s", err, path)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("Open waited %v for a 150ms lock timeout", waited)
	}
	stdin.Close()
	cmd.Wait()
	s, err := Open(path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("Open after the other process left: %v", err)
	}
	s.Close()
}

// The lock is per open file, so a second Open in the same process is
// refused like another process would be.
func TestStoreLockedTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.db")
	first := openTestStore(t, path)
	_, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Open: %v, want ErrLocked naming %s", err, path)
	}
	first.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s.Close()
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestStoreRefusesDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s := openTestStore(t, good)
	for i := range 200 {
		if err := s.create(storedPayment(t, fmt.Sprintf("P%d", i), fmt.Sprintf("S%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	goodBytes, _ := os.ReadFile(good)
	page := os.Getpagesize()

	damage := map[string]func([]byte) []byte{
		"junk": func([]byte) []byte { return bytes.Repeat([]byte("posd"), 16384) },
		"tiny": func([]byte) []byte { return []byte("not a database") },
		// An existing empty file used to be set up as a new outbox.
		"empty": func([]byte) []byte { return []byte{} },
		"data pages zeroed": func(b []byte) []byte {
			b = bytes.Clone(b)
			clear(b[2*page:])
			return b
		},
		"both meta pages zeroed": func(b []byte) []byte {
			b = bytes.Clone(b)
			clear(b[:2*page])
			return b
		},
		"truncated": func(b []byte) []byte { return bytes.Clone(b[:4*page]) },
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".db")
			if err := os.WriteFile(path, f(goodBytes), 0o600); err != nil {
				t.Fatal(err)
			}
			before := fileSum(t, path)
			s, err := Open(path, Options{LockTimeout: 200 * time.Millisecond})
			if err == nil {
				s.Close()
				t.Fatal("damaged file opened")
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want ErrCorrupt naming %s", err, path)
			}
			if fileSum(t, path) != before {
				t.Error("the damaged file was modified")
			}
		})
	}

	t.Run("bbolt file of another program", func(t *testing.T) {
		path := filepath.Join(dir, "other.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("theirs")); return err })
		db.Close()
		before := fileSum(t, path)
		if _, err := Open(path, Options{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "not a posd outbox") {
			t.Fatalf("err = %v, want ErrCorrupt: not a posd outbox", err)
		}
		if fileSum(t, path) != before {
			t.Error("the foreign file was modified")
		}
	})
	t.Run("bbolt file with nothing in it", func(t *testing.T) {
		path := filepath.Join(dir, "bare.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		before := fileSum(t, path)
		if _, err := Open(path, Options{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
			t.Fatalf("err = %v, want ErrCorrupt naming %s", err, path)
		}
		if fileSum(t, path) != before {
			t.Error("the file was modified")
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		if _, err := Open(dir, Options{}); !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("a directory: %v, want ErrUnreadable", err)
		}
		missing := filepath.Join(dir, "no-such-dir", "posd.db")
		if _, err := Open(missing, Options{}); !errors.Is(err, ErrUnreadable) {
			t.Fatalf("missing directory: %v, want ErrUnreadable", err)
		}
	})
}

func TestStoreFullDiskRefusesNewPaymentsKeepsOld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.db")
	s, err := Open(path, Options{MaxSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var created int
	var full error
	for i := range 10_000 {
		p := storedPayment(t, fmt.Sprintf("P%05d", i), fmt.Sprintf("S%05d", i))
		p.Body = bytes.Repeat([]byte("x"), 2000)
		if err := s.create(p); err != nil {
			full = err
			break
		}
		created++
	}
	if !errors.Is(full, ErrUnwritable) || !Unwritable(full) || !strings.Contains(full.Error(), path) {
		t.Fatalf("after %d payments: %v, want ErrUnwritable naming the file", created, full)
	}
	if created == 0 {
		t.Fatal("nothing fitted")
	}
	live, err := s.Live()
	if err != nil || len(live) != created {
		t.Fatalf("Live after the disk filled = %d, %v; want %d", len(live), err, created)
	}
}

func TestStoreReadOnlyServesPending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.db")
	s := openTestStore(t, path)
	if err := s.create(storedPayment(t, "P1", "S1")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if live, err := ro.Live(); err != nil || len(live) != 1 {
		t.Fatalf("Live = %v, %v", live, err)
	}
	if err := ro.create(storedPayment(t, "P2", "S2")); !errors.Is(err, ErrUnwritable) {
		t.Fatalf("Create on a read-only store: %v, want ErrUnwritable", err)
	}
}

func TestStorePrune(t *testing.T) {
	s := openTestStore(t, "")
	old := storedPayment(t, "OLD", "S1")
	s.create(old)
	oldPaid, _ := stepAt(t, old, payAns(Success, "SUCCESS"), t0.Add(time.Second))
	jobs, _ := s.save(oldPaid, []PrintJob{{RequestID: "OLD", Kind: SaleReceipt, Payload: []byte(`{}`)}})
	s.markPrinted(jobs[0].ID, t0)
	pending := storedPayment(t, "PENDING", "S2") // live, old: must stay
	s.create(pending)
	recent := storedPayment(t, "RECENT", "S3")
	s.create(recent)
	recentFailed, _ := stepAt(t, recent, payAns(Failure, "RISK_REJECT"), t0.Add(100*24*time.Hour))
	s.save(recentFailed, nil)

	n, err := s.prune(t0.Add(90 * 24 * time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if _, err := s.Get("OLD"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old final payment kept: %v", err)
	}
	for _, id := range []string{"PENDING", "RECENT"} {
		if _, err := s.Get(id); err != nil {
			t.Errorf("%s pruned: %v", id, err)
		}
	}
	if j, _ := s.Jobs("OLD"); len(j) != 0 {
		t.Errorf("printed jobs of a pruned payment kept: %v", j)
	}
	if a, _ := s.Attempts("S1"); len(a) != 0 {
		t.Errorf("sale index of a pruned payment kept: %v", a)
	}
}

// bbolt keeps two meta pages and opens from whichever is valid: a torn
// write of one is survivable, but posd says so in the log, naming the file.
func TestStoreReportsTornMetaPage(t *testing.T) {
	for page := range 2 {
		t.Run(fmt.Sprint("meta ", page), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "posd.db")
			s := openTestStore(t, path)
			for i := range 3 {
				if err := s.create(storedPayment(t, fmt.Sprintf("P%d", i), fmt.Sprintf("S%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ps := int(binary.LittleEndian.Uint32(b[metaOffset+8:]))
			b[page*ps+metaOffset+30] ^= 0xFF // inside the checksummed meta fields
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			var logged bytes.Buffer
			s, err = Open(path, Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			if err != nil {
				t.Fatalf("one torn meta page: %v; bbolt opens from the other", err)
			}
			defer s.Close()
			if !strings.Contains(logged.String(), path) || !strings.Contains(logged.String(), fmt.Sprintf("meta page %d is damaged", page)) {
				t.Fatalf("log %q does not report the torn meta page of %s", logged.String(), path)
			}
		})
	}
}

// finalIndex is the prune index as stored: paymentRequestId → UpdatedAt.
func finalIndex(t *testing.T, s *Store) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFinal).ForEach(func(k, _ []byte) error {
			out[string(k[8:])] = time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The index holds exactly the final payments, at their last change: a
// payment that has calls to make again (a refund) leaves it, and comes back
// at its new time once final.
func TestStoreFinalIndexFollowsPayments(t *testing.T) {
	s := openTestStore(t, "")
	p := storedPayment(t, "P1", "S1")
	s.create(p)
	if idx := finalIndex(t, s); len(idx) != 0 {
		t.Fatalf("a live payment is indexed: %v", idx)
	}
	paid, _ := stepAt(t, p, payAns(Success, "SUCCESS"), t0.Add(time.Second))
	s.save(paid, nil)
	if idx := finalIndex(t, s); len(idx) != 1 || !idx["P1"].Equal(paid.UpdatedAt) {
		t.Fatalf("index %v after SUCCEEDED at %v", idx, paid.UpdatedAt)
	}
	refunding, _ := stepAt(t, paid, refundReq(300), t0.Add(time.Hour))
	s.save(refunding, nil)
	if idx := finalIndex(t, s); len(idx) != 0 {
		t.Fatalf("a payment refunding is indexed: %v", idx)
	}
	done, _ := stepAt(t, refunding, refAns(Success, "SUCCESS"), t0.Add(2*time.Hour))
	s.save(done, nil)
	if idx := finalIndex(t, s); len(idx) != 1 || !idx["P1"].Equal(done.UpdatedAt) {
		t.Fatalf("index %v after the refund at %v", idx, done.UpdatedAt)
	}
	// Pruned only once its last change is past the cutoff.
	if n, err := s.prune(t0.Add(90 * time.Minute)); n != 0 || err != nil {
		t.Fatalf("pruned %d, %v before its last change expired", n, err)
	}
	if n, err := s.prune(t0.Add(3 * time.Hour)); n != 1 || err != nil {
		t.Fatalf("pruned %d, %v after", n, err)
	}
}

// A file written before the index (or by an older posd after it) gets it
// built at the first writable Open; an entry that no longer matches its
// record is dropped, never the record.
func TestStorePruneIndexBuiltForOlderFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.db")
	s := openTestStore(t, path)
	old := storedPayment(t, "OLD", "S1")
	s.create(old)
	oldPaid, _ := stepAt(t, old, payAns(Success, "SUCCESS"), t0.Add(time.Second))
	jobs, _ := s.save(oldPaid, []PrintJob{{RequestID: "OLD", Kind: SaleReceipt, Payload: []byte(`{}`)}})
	s.markPrinted(jobs[0].ID, t0)
	moved := storedPayment(t, "MOVED", "S2")
	s.create(moved)
	movedDeclined, _ := stepAt(t, moved, payAns(Failure, "RISK_REJECT"), t0.Add(time.Second))
	movedFailed, _ := stepAt(t, movedDeclined, inq(Success, StatusFail, ""), t0.Add(2*time.Second))
	if movedFailed.Live() {
		t.Fatalf("MOVED is %s, want final", movedFailed.State)
	}
	s.save(movedFailed, nil)
	dropIndexes(t, s)

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := ro.prune(t0.Add(90 * 24 * time.Hour)); n != 0 || err != nil {
		t.Fatalf("read-only prune of an unindexed file: %d, %v", n, err)
	}
	ro.Close()

	s = openTestStore(t, path)
	if idx := finalIndex(t, s); len(idx) != 2 {
		t.Fatalf("index built at Open: %v", idx)
	}
	// MOVED changed behind the index's back (an older posd wrote it later):
	// its stale entry must not prune it.
	if err := s.update(func(tx *bolt.Tx) error {
		later := movedFailed
		later.UpdatedAt = t0.Add(100 * 24 * time.Hour)
		v, err := encodePayment(&later)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketPayments).Put([]byte("MOVED"), v)
	}); err != nil {
		t.Fatal(err)
	}
	n, err := s.prune(t0.Add(90 * 24 * time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if _, err := s.Get("OLD"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OLD kept: %v", err)
	}
	if _, err := s.Get("MOVED"); err != nil {
		t.Errorf("MOVED pruned by a stale index entry: %v", err)
	}
	if j, _ := s.Jobs("OLD"); len(j) != 0 {
		t.Errorf("printed jobs of a pruned payment kept: %v", j)
	}
	if idx := finalIndex(t, s); len(idx) != 0 {
		t.Errorf("index entries left: %v", idx)
	}
}

// TestStoreFillsAppendedPages: keys that only grow (job numbers here) fill
// the pages bbolt splits instead of leaving half of each empty.
func TestStoreFillsAppendedPages(t *testing.T) {
	s := openTestStore(t, "")
	payload := json.RawMessage(`{"kind":"sale","merchantName":"` + strings.Repeat("x", 50) + `"}`)
	for range 300 {
		if _, err := s.saveAll(nil, []PrintJob{{RequestID: "P1", Kind: SaleReceipt, Payload: payload, CreatedAt: t0}}); err != nil {
			t.Fatal(err)
		}
	}
	wantPagesFull(t, s, bucketJobs, "print job")
}

// wantPagesFull fails t unless the leaf pages of s's bucket are at least
// 80 % full.
func wantPagesFull(t *testing.T, s *Store, bucket []byte, what string) {
	t.Helper()
	err := s.view(func(tx *bolt.Tx) error {
		st := tx.Bucket(bucket).Stats()
		if fill := float64(st.LeafInuse) / float64(st.LeafAlloc); fill < 0.8 {
			t.Errorf("%s pages %.0f%% full (%d bytes in %d pages), want at least 80%%", what, 100*fill, st.LeafInuse, st.LeafPageN)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dropIndexes leaves s's file as a posd older than the prune indexes
// left it, and closes s.
func dropIndexes(t *testing.T, s *Store) {
	t.Helper()
	if err := s.update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketFinal); err != nil {
			return err
		}
		return tx.DeleteBucket(bucketPayJobs)
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// The index an older file gets at Open fills its pages as posd's own
// writes do.
func TestStoreIndexBuiltForOlderFilesFillsPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.db")
	s := openTestStore(t, path)
	if err := s.update(func(tx *bolt.Tx) error {
		for i := range 600 {
			p := storedPayment(t, fmt.Sprintf("T01-20261129T%06d-000000", i), fmt.Sprintf("S%d", i))
			p.State, p.Next, p.UpdatedAt = Succeeded, OpNone, t0.Add(time.Duration(i)*time.Second)
			v, err := encodePayment(&p)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketPayments).Put([]byte(p.RequestID), v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	dropIndexes(t, s)

	s = openTestStore(t, path)
	if idx := finalIndex(t, s); len(idx) != 600 {
		t.Fatalf("index built at Open holds %d payments, want 600", len(idx))
	}
	wantPagesFull(t, s, bucketFinal, "final index")
}
