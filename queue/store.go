package queue

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultPath is where posd keeps its outbox (systemd StateDirectory=posd).
const DefaultPath = "/var/lib/posd/posd.db"

// format marks a file as a posd outbox; a file without it is refused.
const format = "posd-outbox-1"

var (
	bucketMeta      = []byte("meta")
	bucketPayments  = []byte("payments")  // paymentRequestId → Payment (JSON)
	bucketLive      = []byte("live")      // paymentRequestId → "" for every record with calls left
	bucketSales     = []byte("sales")     // saleId 0x00 paymentRequestId → ""
	bucketJobs      = []byte("printjobs") // big-endian job id → PrintJob (JSON)
	bucketUnprinted = []byte("unprinted") // big-endian job id → "" until printed
	// The prune indexes: prune reads only what expired, never every record
	// (decoding 11,000 records took 4-6 s on ARMv7). Files from before them
	// get them built once, at the first writable Open.
	bucketFinal   = []byte("final")       // UpdatedAt (8-byte big-endian Unix ns) paymentRequestId → saleId, final payments only
	bucketPayJobs = []byte("paymentjobs") // paymentRequestId 0x00 big-endian job id → ""
	keyFormat     = []byte("format")
)

// Options configure Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock on the file
	// (default 1 s). Open never waits forever.
	LockTimeout time.Duration
	// MaxSize caps the file size in bytes (0 = no cap); a commit that would
	// grow the file past it fails as ErrUnwritable, like a full disk.
	MaxSize int
	// ReadOnly opens the file without writing to it (shared lock). The
	// store then refuses every change with ErrUnwritable.
	ReadOnly bool
	// Events, when set, turns the events outbox on (docs/events.md);
	// when nil a backlog left from before is deleted.
	Events *EventOptions
	// Logger hears what Open had to work around (a torn meta page);
	// nil discards.
	Logger *slog.Logger
}

// Store is the outbox file: payments with their refunds, and print jobs.
// Only the Engine writes it (callers go through the Engine, which also
// knows what the disk refused and memory holds); every write is one
// fsync'd bbolt transaction, complete when it returns nil. Its exported
// methods read, for tools that open the file read-only.
type Store struct {
	db      *bolt.DB
	path    string
	commits atomic.Uint64

	ev        *EventOptions // nil: events off
	evReady   chan struct{}
	evAcked   atomic.Uint64 // the broker acknowledged every event up to this seq
	evDropped atomic.Uint64
	evLog     *slog.Logger // Options.Logger: hears of dropped events
}

// Open opens or creates the outbox at path. It refuses, and leaves the
// file untouched, when the file is corrupt or not a posd outbox
// (ErrCorrupt), cannot be opened (ErrUnreadable), or is locked by another
// process beyond the lock timeout (ErrLocked).
func Open(path string, opts Options) (s *Store, err error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	info, statErr := os.Stat(path)
	exists := statErr == nil
	switch {
	case exists && !info.Mode().IsRegular():
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrUnreadable, path)
	case statErr != nil && !errors.Is(statErr, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreadable, path, statErr)
	case !exists && opts.ReadOnly:
		return nil, fmt.Errorf("%w: %s does not exist", ErrUnreadable, path)
	}
	if !exists {
		if err := create(path, opts); err != nil {
			return nil, err
		}
		exists = true
	}
	torn, err := precheck(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		// bbolt asserts on some damaged pages instead of returning errors.
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, r)
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         opts.LockTimeout,
		MaxSize:         opts.MaxSize,
		ReadOnly:        opts.ReadOnly,
		InitialMmapSize: 1 << 20, // small: 32-bit ARM has little address space
		NoSync:          noSync,
		// NoFreelistSync would save ~12 KB per payment, but then Open
		// rebuilds the freelist in a goroutine that panics (uncatchably) on
		// a damaged page instead of letting Check report it.
	})
	if err != nil {
		return nil, openError(path, err)
	}
	s = &Store{db: db, path: path}
	if err := s.check(exists); err != nil {
		db.Close()
		return nil, err
	}
	s.evLog = opts.Logger
	if err := s.setupEvents(opts.Events); err != nil {
		db.Close()
		return nil, err
	}
	if torn != "" && opts.Logger != nil {
		opts.Logger.Warn("outbox opened from its older meta page", "file", path, "why", torn)
	}
	return s, nil
}

// create makes a new outbox under a temporary name and links it into place
// once its buckets are committed, so that a power cut during posd's first
// start leaves no outbox or a whole one, never the empty bbolt file Open
// refuses (found by the power-cut rig, build/powercut). Linking never
// replaces an outbox another process created meanwhile.
func create(path string, opts Options) error {
	tmp := path + ".new"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s: %w", ErrUnwritable, tmp, err)
	}
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: opts.LockTimeout, MaxSize: opts.MaxSize,
		InitialMmapSize: 1 << 20, NoSync: noSync})
	if err != nil {
		return openError(path, err)
	}
	err = (&Store{db: db, path: tmp}).check(false)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%w: %s: %w", ErrUnwritable, tmp, cerr)
	}
	if err == nil {
		if err = os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
			err = nil // another process was first: Open takes its file (or its lock refuses us)
		} else if err != nil {
			err = fmt.Errorf("%w: %s: %w", ErrUnwritable, path, err)
		}
	}
	os.Remove(tmp)
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnwritable, dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnwritable, dir, err)
	}
	return nil
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s: %w", ErrLocked, path, err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), strings.Contains(err.Error(), "file size too small"):
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	default:
		return fmt.Errorf("%w: %s: %w", ErrUnreadable, path, err)
	}
}

// check verifies every page and the outbox format; a new file gets its buckets.
func (s *Store) check(existed bool) error {
	var problems []string
	var formatOK, empty bool
	err := s.db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			problems = append(problems, e.Error())
		}
		empty = true
		tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if m := tx.Bucket(bucketMeta); m != nil {
			formatOK = string(m.Get(keyFormat)) == format
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, s.path, err)
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("%w: %s: %s", ErrCorrupt, s.path, strings.Join(problems, "; "))
	}
	if empty && existed {
		return fmt.Errorf("%w: %s is a bbolt file with nothing in it, not a posd outbox; posd never sets up a file that exists: move it aside", ErrCorrupt, s.path)
	}
	if empty {
		if s.db.IsReadOnly() {
			return fmt.Errorf("%w: %s is empty and opened read-only", ErrUnwritable, s.path)
		}
		return s.update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketMeta, bucketPayments, bucketLive, bucketSales, bucketJobs, bucketUnprinted, bucketFinal, bucketPayJobs} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketMeta).Put(keyFormat, []byte(format))
		})
	}
	if !formatOK {
		what := "is a bbolt file but not a posd outbox"
		if !existed {
			what = "is not a posd outbox"
		}
		return fmt.Errorf("%w: %s %s", ErrCorrupt, s.path, what)
	}
	return s.indexOnce()
}

// indexOnce builds the prune indexes of a file written before they
// existed, in one transaction. Read-only opens never prune: they skip it.
func (s *Store) indexOnce() error {
	var have bool
	if err := s.db.View(func(tx *bolt.Tx) error { have = tx.Bucket(bucketFinal) != nil; return nil }); err != nil {
		return err
	}
	if have || s.db.IsReadOnly() {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		final, err := tx.CreateBucketIfNotExists(bucketFinal)
		if err != nil {
			return err
		}
		payJobs, err := tx.CreateBucketIfNotExists(bucketPayJobs)
		if err != nil {
			return err
		}
		// Both are filled in key order, as appending's buckets are.
		final.FillPercent, payJobs.FillPercent = appendFill, appendFill
		err = tx.Bucket(bucketPayments).ForEach(func(k, v []byte) error {
			r, err := decodeRetention(v)
			if err != nil {
				return fmt.Errorf("%w: %s: record %q: %v", ErrCorrupt, s.path, k, err)
			}
			if r.Next == OpNone {
				return final.Put(finalKey(r.UpdatedAt, r.RequestID), []byte(r.SaleID))
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var j struct {
				RequestID string `json:"paymentRequestId"`
			}
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("%w: %s: print job %x: %v", ErrCorrupt, s.path, k, err)
			}
			return payJobs.Put(payJobKey(j.RequestID, k), nil)
		})
	})
}

// retention is what prune decides on; the body stays undecoded.
type retention struct {
	RequestID string    `json:"paymentRequestId"`
	SaleID    string    `json:"saleId"`
	UpdatedAt time.Time `json:"updatedAt"`
	Next      Op        `json:"next"`
}

func decodeRetention(v []byte) (retention, error) {
	var r retention
	err := json.Unmarshal(v, &r)
	return r, err
}

// finalKey orders final payments by when they last changed.
func finalKey(updated time.Time, requestID string) []byte {
	k := make([]byte, 8, 8+len(requestID))
	binary.BigEndian.PutUint64(k, uint64(updated.UnixNano()))
	return append(k, requestID...)
}

func payJobKey(requestID string, job []byte) []byte {
	return append(append([]byte(requestID), 0), job...)
}

// Path is the file the store uses.
func (s *Store) Path() string { return s.path }

// Commits is the number of write transactions committed since Open; each
// costs two fdatasync calls in bbolt (data pages, then the meta page).
func (s *Store) Commits() uint64 { return s.commits.Load() }

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }

// refusal reports whether err is a decision of this package rather than a
// failure to write.
func refusal(err error) bool {
	for _, e := range []error{ErrDuplicate, ErrSaleBusy, ErrSalePaid, ErrNotFound, ErrBadRecord, ErrCorrupt, ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// update runs fn in one write transaction. Failures to write — disk full,
// read-only file system, I/O errors, the size cap — come back as
// ErrUnwritable; refusals from fn come back as they are.
func (s *Store) update(fn func(tx *bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, r)
		}
	}()
	var fnErr error
	var dropped uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		if fnErr = fn(tx); fnErr != nil {
			return fnErr
		}
		// The events hook: delivered events go, the backlog stays bounded.
		dropped, fnErr = s.finishEvents(tx)
		return fnErr
	})
	if fnErr != nil && refusal(fnErr) {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnwritable, s.path, err)
	}
	s.commits.Add(1)
	if s.ev != nil {
		s.evDropped.Add(dropped)
		if dropped > 0 && s.evLog != nil {
			s.evLog.Error("events dropped undelivered: the backlog passed its bound (broker away too long); the payments are in the export",
				"file", s.path, "dropped", dropped, "droppedTotal", s.evDropped.Load())
		}
		select {
		case s.evReady <- struct{}{}:
		default:
		}
	}
	return nil
}

// view runs fn in a read transaction; a panic inside bbolt (damaged page)
// becomes ErrCorrupt naming the file.
func (s *Store) view(fn func(tx *bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, r)
		}
	}()
	return s.db.View(fn)
}

// Unwritable reports whether err means the database refused a write
// (disk full, read-only), as opposed to a refusal of the request.
func Unwritable(err error) bool {
	if errors.Is(err, ErrUnwritable) || errors.Is(err, berrors.ErrMaxSizeReached) || errors.Is(err, berrors.ErrDatabaseReadOnly) {
		return true
	}
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EROFS, syscall.EIO, syscall.EDQUOT} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func saleKey(saleID, requestID string) []byte {
	return append(append([]byte(saleID), 0), requestID...)
}

func getPayment(tx *bolt.Tx, id string) (Payment, error) {
	v := tx.Bucket(bucketPayments).Get([]byte(id))
	if v == nil {
		return Payment{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	p, err := decodePayment(v)
	if err != nil {
		return Payment{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return p, nil
}

func attempts(tx *bolt.Tx, saleID string) ([]Payment, error) {
	prefix := append([]byte(saleID), 0)
	var out []Payment
	c := tx.Bucket(bucketSales).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		p, err := getPayment(tx, string(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// appendFill is how full bbolt fills the pages it splits in the buckets
// whose keys grow with time (payment and sale ids, which start with the
// time, job and event numbers, the final index): a new key sorts after the
// others, so a page left behind by a split is never filled later. bbolt's
// default of one half would leave half of each of those pages empty, in
// the file and in every page of it the memory map keeps resident.
const appendFill = 0.9

// appending returns tx's bucket name set to fill split pages to appendFill
// (bbolt keeps the setting per transaction, not in the file).
func appending(tx *bolt.Tx, name []byte) *bolt.Bucket {
	b := tx.Bucket(name)
	if b != nil {
		b.FillPercent = appendFill
	}
	return b
}

func putPayment(tx *bolt.Tx, p *Payment) error {
	v, err := encodePayment(p)
	if err != nil {
		return err
	}
	id := []byte(p.RequestID)
	prev := tx.Bucket(bucketPayments).Get(id)
	if err := paymentEvents(tx, prev, p); err != nil {
		return err
	}
	if prev != nil {
		r, err := decodeRetention(prev)
		if err != nil {
			return fmt.Errorf("%w: record %q: %v", ErrCorrupt, id, err)
		}
		if r.Next == OpNone {
			if err := tx.Bucket(bucketFinal).Delete(finalKey(r.UpdatedAt, r.RequestID)); err != nil {
				return err
			}
		}
	}
	if err := appending(tx, bucketPayments).Put(id, v); err != nil {
		return err
	}
	if !p.Live() {
		if err := appending(tx, bucketFinal).Put(finalKey(p.UpdatedAt, p.RequestID), []byte(p.SaleID)); err != nil {
			return err
		}
	}
	if p.Live() {
		return tx.Bucket(bucketLive).Put(id, nil)
	}
	return tx.Bucket(bucketLive).Delete(id)
}

// Create commits a new payment attempt (with its exact request body) after
// checking that its sale may take one: no other attempt in flight, none
// paid. Nothing may be sent for p before Create returns nil.
func (s *Store) create(p Payment) error {
	if err := p.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPayments).Get([]byte(p.RequestID)) != nil {
			return fmt.Errorf("%w: %s", ErrDuplicate, p.RequestID)
		}
		prev, err := attempts(tx, p.SaleID)
		if err != nil {
			return err
		}
		if err := checkNewAttempt(p.SaleID, prev); err != nil {
			return err
		}
		if err := putPayment(tx, &p); err != nil {
			return err
		}
		return appending(tx, bucketSales).Put(saleKey(p.SaleID, p.RequestID), nil)
	})
}

// Save commits the new state of a payment together with the print jobs its
// transition created, in one transaction, and returns the jobs with their ids.
func (s *Store) save(p Payment, jobs []PrintJob) ([]PrintJob, error) {
	return s.saveAll([]Payment{p}, jobs)
}

// SaveAll commits many payments and print jobs in one transaction: one
// fsync for a whole recovery, or for the changes kept in memory while the
// disk was full.
func (s *Store) saveAll(ps []Payment, jobs []PrintJob) ([]PrintJob, error) {
	if len(ps) == 0 && len(jobs) == 0 {
		return nil, nil
	}
	out := append([]PrintJob(nil), jobs...)
	err := s.update(func(tx *bolt.Tx) error {
		for i := range ps {
			if err := putPayment(tx, &ps[i]); err != nil {
				return err
			}
		}
		for i := range out {
			if err := putNewJob(tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// probe commits a write to learn whether the file takes payments again.
func (s *Store) probe() error {
	// The probe is as large as a few payment records: on a nearly full disk a
	// tiny write still fits while every payment is refused, and the till would
	// flip between "writable again" and "disk full" at each retry.
	v := make([]byte, probeSize)
	copy(v, time.Now().UTC().Format(time.RFC3339))
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte("probe"), v)
	})
}

// probeSize is the room the disk must have before posd takes payments again.
const probeSize = 16 << 10

// Get returns the stored payment with that paymentRequestId.
func (s *Store) Get(requestID string) (Payment, error) {
	var p Payment
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		p, err = getPayment(tx, requestID)
		return err
	})
	return p, err
}

// Attempts returns every stored attempt for a sale.
func (s *Store) Attempts(saleID string) ([]Payment, error) {
	var out []Payment
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = attempts(tx, saleID)
		return err
	})
	return out, err
}

// Live returns every payment with calls left to make: what recovery resumes.
// It reads only those records, however many final ones the file holds.
func (s *Store) Live() ([]Payment, error) {
	var out []Payment
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLive).ForEach(func(k, _ []byte) error {
			p, err := getPayment(tx, string(k))
			if err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// ForEach calls fn for every stored payment in paymentRequestId order.
// fn runs inside a read transaction: it must not wait for a write to the
// same Store (an Engine call such as Refund or evAbort), which deadlocks as
// soon as bbolt has to grow its memory map. Collect, then act.
func (s *Store) ForEach(fn func(Payment) error) error {
	return s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPayments).ForEach(func(k, v []byte) error {
			p, err := decodePayment(v)
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorrupt, s.path, err)
			}
			return fn(p)
		})
	})
}

// Prune deletes final payments last changed before cutoff, with their
// printed jobs. Payments still live, and jobs not yet printed, stay. It
// reads the index of final payments by time, not the records.
func (s *Store) prune(cutoff time.Time) (int, error) {
	// Find the candidates in a read transaction first: most days there are
	// none, and an empty write would still cost two fdatasyncs.
	var gone []expiredEntry
	err := s.view(func(tx *bolt.Tx) error {
		gone = expired(tx, cutoff)
		return nil
	})
	if err != nil || len(gone) == 0 {
		return 0, err
	}
	n := 0
	err = s.update(func(tx *bolt.Tx) error {
		n = 0
		pays, final, payJobs, jobs := tx.Bucket(bucketPayments), tx.Bucket(bucketFinal), tx.Bucket(bucketPayJobs), tx.Bucket(bucketJobs)
		for _, g := range expired(tx, cutoff) {
			if err := final.Delete(g.key); err != nil {
				return err
			}
			// The record decides: an entry that no longer matches it (left
			// by an older posd that did not keep the index) only goes.
			v := pays.Get([]byte(g.id))
			if v == nil {
				continue
			}
			r, err := decodeRetention(v)
			if err != nil {
				return fmt.Errorf("%w: %s: record %q: %v", ErrCorrupt, s.path, g.id, err)
			}
			if r.Next != OpNone || !r.UpdatedAt.Before(cutoff) || !bytes.Equal(finalKey(r.UpdatedAt, r.RequestID), g.key) {
				continue
			}
			if err := pays.Delete([]byte(g.id)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketSales).Delete(saleKey(r.SaleID, g.id)); err != nil {
				return err
			}
			n++
			prefix := append([]byte(g.id), 0)
			var done [][]byte
			c := payJobs.Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				done = append(done, append([]byte(nil), k...))
			}
			for _, k := range done {
				id := k[len(prefix):]
				var j struct {
					Printed bool `json:"printed"`
				}
				if v := jobs.Get(id); v != nil {
					if err := json.Unmarshal(v, &j); err != nil {
						return fmt.Errorf("%w: %s: print job %x: %v", ErrCorrupt, s.path, id, err)
					}
					if !j.Printed {
						continue // not printed yet: it stays, with its index entry
					}
					if err := jobs.Delete(id); err != nil {
						return err
					}
				}
				if err := payJobs.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}

type expiredEntry struct {
	key []byte
	id  string
}

// expired lists the index entries of final payments last changed before
// cutoff, oldest first.
func expired(tx *bolt.Tx, cutoff time.Time) []expiredEntry {
	var out []expiredEntry
	b := tx.Bucket(bucketFinal)
	if b == nil { // an older file opened read-only: nothing is pruned then
		return nil
	}
	end := finalKey(cutoff, "")
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
		out = append(out, expiredEntry{key: append([]byte(nil), k...), id: string(k[8:])})
	}
	return out
}

func jobKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// Z numbers live in the meta bucket: "z:last" holds the last day closed
// and its number, "z:DAY" each closed day's number.
var keyZLast = []byte("z:last")

func (s *Store) closeDay(day string) (uint64, error) {
	var z uint64
	err := s.view(func(tx *bolt.Tx) error {
		z = zOf(tx.Bucket(bucketMeta).Get([]byte("z:" + day)))
		return nil
	})
	if err != nil || z > 0 {
		return z, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		last := m.Get(keyZLast)
		lastDay, lastZ := "", uint64(0)
		if len(last) > 8 {
			lastDay, lastZ = string(last[8:]), zOf(last[:8])
		}
		if day <= lastDay {
			return nil // a day passed over: it keeps no number
		}
		z = lastZ + 1
		v := binary.BigEndian.AppendUint64(nil, z)
		if err := m.Put([]byte("z:"+day), v); err != nil {
			return err
		}
		return m.Put(keyZLast, append(v, day...))
	})
	if err != nil {
		return 0, err
	}
	return z, nil
}

func zOf(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}
