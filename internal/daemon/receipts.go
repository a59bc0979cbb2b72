package daemon

import (
	"encoding/json"
	"fmt"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
)

// receiptFunc builds each print job's payload as a printer.Receipt, so a
// reprint shows exactly what the first print showed.
func receiptFunc(m config.Merchant) queue.ReceiptFunc {
	return func(p *queue.Payment, kind queue.ReceiptKind, refundID string) (json.RawMessage, error) {
		r := printer.Receipt{
			MerchantName: m.Name, StoreName: m.Store, TerminalID: m.TerminalID, Footer: m.Footer,
			MerchantID: m.ID, StoreID: m.StoreID, Language: m.Lang().String(),
			PaymentMethod: p.Wallet, CustomerID: p.CustomerID,
			Time: p.UpdatedAt, Amount: p.Amount, PaymentID: p.PaymentID, PaymentRequestID: p.RequestID,
		}
		switch kind {
		case queue.SaleReceipt:
			r.Kind, r.Result = printer.KindSale, printer.ResultPaid
		case queue.VoidReceipt:
			r.Kind, r.Result = printer.KindVoid, printer.ResultCancelled
		case queue.RefundReceipt:
			r.Kind, r.Result = printer.KindRefund, printer.ResultRefunded
			for _, rf := range p.Refunds {
				if rf.RequestID == refundID {
					r.Amount, r.RefundID, r.RefundRequestID, r.Time = rf.Amount, rf.RefundID, rf.RequestID, rf.UpdatedAt
				}
			}
		default:
			return nil, fmt.Errorf("unknown receipt kind %q", kind)
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		return json.Marshal(r)
	}
}

// refundLines are the payment's verified refunds, oldest first.
func refundLines(p queue.Payment) []printer.RefundLine {
	var out []printer.RefundLine
	for _, rf := range p.Refunds {
		if rf.State == queue.RefundSucceeded {
			out = append(out, printer.RefundLine{RefundID: rf.RefundID, Amount: rf.Amount, Time: rf.UpdatedAt})
		}
	}
	return out
}

// jobReceipt decodes a print job's payload.
func jobReceipt(j queue.PrintJob) (printer.Receipt, error) {
	var r printer.Receipt
	if err := json.Unmarshal(j.Payload, &r); err != nil {
		return r, fmt.Errorf("print job %d: %w", j.ID, err)
	}
	return r, nil
}
