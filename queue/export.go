package queue

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ExportHeader is the first row exportCSV writes.
var ExportHeader = []string{
	"type", "paymentRequestId", "paymentId", "refundRequestId", "refundId", "saleId",
	"state", "currency", "amount", "amountMinor", "createdAt", "updatedAt", "resultCode",
}

// exportCSV writes one row per payment and one per refund created in
// [from, to), oldest first, for reconciliation with Alipay's settlement
// files (which carry paymentId, paymentRequestId and refundRequestId).
// Amounts are exact: major units as text ("12.34") and integer minor units.
// Times are RFC 3339 in UTC. This is what `posctl export --format csv` prints.
func exportCSV(w io.Writer, s *Store, from, to time.Time) error {
	type row struct {
		at   time.Time
		cols []string
	}
	var rows []row
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	err := s.ForEach(func(p Payment) error {
		if in(p.CreatedAt) {
			rows = append(rows, row{p.CreatedAt, []string{
				"payment", p.RequestID, p.PaymentID, "", "", p.SaleID, string(p.State),
				string(p.Amount.Currency), p.Amount.Decimal(), strconv.FormatInt(p.Amount.Value, 10),
				stamp(p.CreatedAt), stamp(p.UpdatedAt), p.ResultCode,
			}})
		}
		for _, r := range p.Refunds {
			if !in(r.CreatedAt) {
				continue
			}
			rows = append(rows, row{r.CreatedAt, []string{
				"refund", p.RequestID, p.PaymentID, r.RequestID, r.RefundID, p.SaleID, string(r.State),
				string(r.Amount.Currency), r.Amount.Decimal(), strconv.FormatInt(r.Amount.Value, 10),
				stamp(r.CreatedAt), stamp(r.UpdatedAt), r.ResultCode,
			}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportHeader); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, r := range rows {
		for i, c := range r.cols {
			r.cols[i] = csvCell(c)
		}
		if err := cw.Write(r.cols); err != nil {
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
