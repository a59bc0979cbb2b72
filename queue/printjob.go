package queue

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/posd/posd/internal/events"
	bolt "go.etcd.io/bbolt"
)

// PrintJob is a receipt waiting for (or done by) the printer. The payload
// is opaque to the outbox: the receipt as JSON, built when the job is
// created so a reprint shows exactly what the first print showed.
type PrintJob struct {
	ID        uint64      `json:"id"`
	RequestID string      `json:"paymentRequestId"`
	RefundID  string      `json:"refundRequestId,omitempty"`
	Kind      ReceiptKind `json:"kind"`
	Copy      bool        `json:"copy,omitempty"` // a reprint, marked as a copy on paper
	// Attempted is set once bytes of the job may have reached the printer;
	// the printer then prints it again only as a copy.
	Attempted bool            `json:"attempted,omitempty"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
	Printed   bool            `json:"printed,omitempty"`
	PrintedAt time.Time       `json:"printedAt,omitempty"`
}

// ReceiptFunc builds the payload of a print job from the payment it is
// for: the printed slip (posd stores a printer.Receipt), built when the
// job is committed so a reprint shows exactly what the first print showed.
type ReceiptFunc func(p *Payment, kind ReceiptKind, refundID string) (json.RawMessage, error)

func putNewJob(tx *bolt.Tx, j *PrintJob) error {
	b := appending(tx, bucketJobs)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	j.ID = id
	v, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if err := b.Put(jobKey(id), v); err != nil {
		return err
	}
	if err := appending(tx, bucketPayJobs).Put(payJobKey(j.RequestID, jobKey(id)), nil); err != nil {
		return err
	}
	if err := jobEvent(tx, j, events.ReceiptQueued, j.CreatedAt); err != nil {
		return err
	}
	return tx.Bucket(bucketUnprinted).Put(jobKey(id), nil)
}

func getJob(tx *bolt.Tx, id uint64) (PrintJob, error) {
	v := tx.Bucket(bucketJobs).Get(jobKey(id))
	if v == nil {
		return PrintJob{}, fmt.Errorf("%w: print job %d", ErrNotFound, id)
	}
	var j PrintJob
	if err := json.Unmarshal(v, &j); err != nil {
		return PrintJob{}, fmt.Errorf("%w: print job %d: %v", ErrCorrupt, id, err)
	}
	return j, nil
}

// Unprinted returns the print jobs not yet confirmed printed, oldest first.
func (s *Store) Unprinted() ([]PrintJob, error) {
	var out []PrintJob
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUnprinted).ForEach(func(k, _ []byte) error {
			j, err := getJob(tx, beUint64(k))
			if err != nil {
				return err
			}
			out = append(out, j)
			return nil
		})
	})
	return out, err
}

// Jobs returns every print job of a payment, oldest first.
func (s *Store) Jobs(requestID string) ([]PrintJob, error) {
	var out []PrintJob
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var j PrintJob
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("%w: print job %x: %v", ErrCorrupt, k, err)
			}
			if j.RequestID == requestID {
				out = append(out, j)
			}
			return nil
		})
	})
	return out, err
}

// MarkAttempted records, before the first byte goes to the printer, that
// job id may be on paper from now on.
func (s *Store) markAttempted(id uint64) error {
	return s.updateJob(id, func(j *PrintJob) bool {
		if j.Attempted {
			return false
		}
		j.Attempted = true
		return true
	})
}

// MarkPrinted records that the printer confirmed job id complete. Marking
// a job twice is harmless.
func (s *Store) markPrinted(id uint64, at time.Time) error {
	return s.updateJob(id, func(j *PrintJob) bool {
		if j.Printed {
			return false
		}
		j.Printed, j.PrintedAt = true, at
		return true
	})
}

// updateJob applies change to a job in one transaction; change reports
// whether there is anything to write.
func (s *Store) updateJob(id uint64, change func(*PrintJob) bool) error {
	return s.update(func(tx *bolt.Tx) error {
		j, err := getJob(tx, id)
		if err != nil {
			return err
		}
		if !change(&j) {
			return nil
		}
		v, err := json.Marshal(j)
		if err != nil {
			return err
		}
		if err := appending(tx, bucketJobs).Put(jobKey(id), v); err != nil {
			return err
		}
		status, at := events.ReceiptAttempted, time.Now()
		if j.Printed {
			status, at = events.ReceiptPrinted, j.PrintedAt
		}
		if err := jobEvent(tx, &j, status, at); err != nil {
			return err
		}
		if j.Printed {
			return tx.Bucket(bucketUnprinted).Delete(jobKey(id))
		}
		return nil
	})
}

// Reprint queues a copy of an earlier job (same payload, marked as a copy).
func (s *Store) reprint(id uint64, at time.Time) (PrintJob, error) {
	var out PrintJob
	err := s.update(func(tx *bolt.Tx) error {
		j, err := getJob(tx, id)
		if err != nil {
			return err
		}
		out = PrintJob{RequestID: j.RequestID, RefundID: j.RefundID, Kind: j.Kind, Copy: true,
			Payload: j.Payload, CreatedAt: at}
		return putNewJob(tx, &out)
	})
	return out, err
}

func beUint64(k []byte) uint64 {
	if len(k) == 8 {
		return binary.BigEndian.Uint64(k)
	}
	return 0
}
