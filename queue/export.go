package queue

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/posd/posd/money"
)

// ExportHeader is the first row exportCSV writes. The columns after
// resultCode say what an operator checks: the scenario, whether the row
// is final, whether it needs attention (and why), how much of a payment
// was refunded, and whether its receipt was printed.
var ExportHeader = []string{
	"type", "paymentRequestId", "paymentId", "refundRequestId", "refundId", "saleId",
	"state", "currency", "amount", "amountMinor", "createdAt", "updatedAt", "resultCode",
	"scenario", "final", "needsAttention", "attention", "refunded", "refundedMinor", "receiptPrinted", "voided",
}

// ExportRow is one payment or one refund of a payment, for reconciliation
// (posctl export --format json gives these; csv the same as columns).
type ExportRow struct {
	Type             string       `json:"type"` // payment or refund
	PaymentRequestID string       `json:"paymentRequestId"`
	PaymentID        string       `json:"paymentId,omitempty"`
	RefundRequestID  string       `json:"refundRequestId,omitempty"`
	RefundID         string       `json:"refundId,omitempty"`
	SaleID           string       `json:"saleId"`
	Scenario         Scenario     `json:"scenario"`
	State            string       `json:"state"`
	Final            bool         `json:"final"`          // nothing left to do: a verified outcome
	NeedsAttention   bool         `json:"needsAttention"` // an operator should look (Attention says why)
	Attention        string       `json:"attention,omitempty"`
	Amount           money.Amount `json:"amount"`
	Refunded         money.Amount `json:"refunded"` // payment rows: the refunds that succeeded
	ReceiptPrinted   bool         `json:"receiptPrinted"`
	// Voided: a payment row whose money was taken and given back by
	// cancel (state CANCELLED after a void); posctl report counts it apart
	// from a payment cancelled before it was paid.
	Voided     bool      `json:"voided"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	ResultCode string    `json:"resultCode,omitempty"`
}

// exportRows returns one row per payment and one per refund created in
// [from, to), oldest first.
func exportRows(s *Store, from, to time.Time) ([]ExportRow, error) {
	printed, err := s.printedSlips()
	if err != nil {
		return nil, err
	}
	var rows []ExportRow
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	err = s.ForEach(func(p Payment) error {
		attention := p.Attention != "" || p.State == NeedsAttention
		if in(p.CreatedAt) {
			var done int64
			for _, r := range p.Refunds {
				if r.State == RefundSucceeded {
					done += r.Amount.Value
				}
			}
			rows = append(rows, ExportRow{
				Type: "payment", PaymentRequestID: p.RequestID, PaymentID: p.PaymentID, SaleID: p.SaleID,
				Scenario: p.Scenario, State: string(p.State), Final: p.State.IsFinal() && !p.Live(),
				NeedsAttention: attention, Attention: p.Attention, Amount: p.Amount,
				Refunded:       money.Amount{Currency: p.Amount.Currency, Value: done},
				ReceiptPrinted: printed[slipKey{p.RequestID, ""}],
				Voided:         p.State == Cancelled && (p.Reversal || p.VoidSlip),
				CreatedAt:      p.CreatedAt, UpdatedAt: p.UpdatedAt, ResultCode: p.ResultCode,
			})
		}
		for _, r := range p.Refunds {
			if !in(r.CreatedAt) {
				continue
			}
			rows = append(rows, ExportRow{
				Type: "refund", PaymentRequestID: p.RequestID, PaymentID: p.PaymentID, RefundRequestID: r.RequestID,
				RefundID: r.RefundID, SaleID: p.SaleID, Scenario: p.Scenario, State: string(r.State),
				Final:          r.State == RefundSucceeded || r.State == RefundFailed,
				NeedsAttention: r.ResultCode == CodeRepeatReqInconsistent || r.ResultCode == CodeLocalInvalid,
				Amount:         r.Amount, Refunded: money.Amount{Currency: r.Amount.Currency},
				ReceiptPrinted: printed[slipKey{p.RequestID, r.RequestID}],
				CreatedAt:      r.CreatedAt, UpdatedAt: r.UpdatedAt, ResultCode: r.ResultCode,
			})
			if r.State == RefundSucceeded {
				rows[len(rows)-1].Refunded = r.Amount
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].CreatedAt.Before(rows[j].CreatedAt) })
	return rows, nil
}

// slipKey names a payment's sale slip (refund "") or a refund's slip.
type slipKey struct{ payment, refund string }

// printedSlips reads every print job once and returns the slips the
// printer confirmed: sale slips by payment, refund slips by refund.
func (s *Store) printedSlips() (map[slipKey]bool, error) {
	out := map[slipKey]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var j PrintJob
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("%w: print job %x: %v", ErrCorrupt, k, err)
			}
			switch {
			case !j.Printed:
			case j.Kind == SaleReceipt:
				out[slipKey{j.RequestID, ""}] = true
			case j.Kind == RefundReceipt:
				out[slipKey{j.RequestID, j.RefundID}] = true
			}
			return nil
		})
	})
	return out, err
}

// exportCSV writes exportRows as CSV under ExportHeader, for
// reconciliation with Alipay's settlement files (which carry paymentId,
// paymentRequestId and refundRequestId). Amounts are exact: major units as
// text ("12.34") and integer minor units. Times are RFC 3339 in UTC. This
// is what `posctl export --format csv` prints.
func exportCSV(w io.Writer, s *Store, from, to time.Time) error {
	rows, err := exportRows(s, from, to)
	if err != nil {
		return err
	}
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportHeader); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, r := range rows {
		cols := []string{
			r.Type, r.PaymentRequestID, r.PaymentID, r.RefundRequestID, r.RefundID, r.SaleID,
			r.State, string(r.Amount.Currency), r.Amount.Decimal(), strconv.FormatInt(r.Amount.Value, 10),
			stamp(r.CreatedAt), stamp(r.UpdatedAt), r.ResultCode,
			string(r.Scenario), strconv.FormatBool(r.Final), strconv.FormatBool(r.NeedsAttention), r.Attention,
			r.Refunded.Decimal(), strconv.FormatInt(r.Refunded.Value, 10), strconv.FormatBool(r.ReceiptPrinted),
			strconv.FormatBool(r.Voided),
		}
		for i, c := range cols {
			cols[i] = csvCell(c)
		}
		if err := cw.Write(cols); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// csvCell defuses a cell a spreadsheet would run as a formula: one that
// begins with =, +, -, @, a tab or a carriage return gets a leading
// single quote (https://owasp.org/www-community/attacks/CSV_Injection).
// encoding/csv then quotes what needs quoting. Amounts are never
// negative, so no number changes.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
