package queue

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestStepRandomSequences feeds arbitrary event sequences to a shop of a
// few sales — answers in time, duplicated, late and out of order, cashier
// aborts, voids and refunds, new attempts, restarts — and checks the
// invariants after every step.
func TestStepRandomSequences(t *testing.T) {
	runs, steps := 400, 300
	if testing.Short() {
		runs = 50
	}
	evs := allEvents()
	byKind := map[Op][]event{}
	want := map[eventKind]Op{evPayAnswer: OpPay, evInquiryAnswer: OpInquire, evCancelAnswer: OpCancel,
		evRefundAnswer: OpRefund, evRefundInquiryAnswer: OpInquireRefund}
	for _, ev := range evs {
		if op, ok := want[ev.Kind]; ok {
			byKind[op] = append(byKind[op], ev)
		}
	}
	for run := range runs {
		seed := uint64(run)
		if msg := randomRun(rand.New(rand.NewPCG(seed, 42)), steps, evs, byKind); msg != "" {
			t.Fatalf("seed %d: %s", seed, msg)
		}
	}
}

func randomRun(rng *rand.Rand, steps int, evs []event, byKind map[Op][]event) string {
	pol := DefaultPolicy()
	now := t0
	var recs []Payment
	receipts := map[string]int{}
	var sent []event // answers already delivered, for duplicates and late replays
	var trace []string
	nextID := 0

	apply := func(i int, ev event) string {
		ev.At = now
		before := recs[i]
		after, acts, err := step(before, ev, &pol)
		if err != nil {
			if after.Seq != before.Seq || after.State != before.State || len(acts) != 0 {
				return "refused event changed the record"
			}
			return ""
		}
		trace = append(trace, fmt.Sprintf("%s %s seq=%d -> %s", before.RequestID, ev.Kind, ev.Seq, summary(after, acts)))
		if msg := checkStep(before, after, ev, acts); msg != "" {
			return msg
		}
		for _, a := range acts {
			if a.Kind == actPrint && a.Receipt == SaleReceipt {
				receipts[after.RequestID]++
			}
		}
		recs[i] = after
		return ""
	}

	for range steps {
		now = now.Add(time.Duration(rng.IntN(90_000)) * time.Millisecond)
		var msg string
		switch k := rng.IntN(100); {
		case k < 10 || len(recs) == 0: // a new attempt for one of three sales
			sale := fmt.Sprintf("sale-%d", rng.IntN(3))
			if checkNewAttempt(sale, recs) != nil {
				continue
			}
			nextID++
			sc := PaymentCode
			if rng.IntN(2) == 0 {
				sc = OrderCode
			}
			id := fmt.Sprintf("P%d", nextID)
			p, err := newPayment(PaymentRequest{
				RequestID: id, SaleID: sale, Scenario: sc, Amount: usd(1000),
				Body: testBody(id, sc, 1000), ExpiresAt: now.Add(2 * time.Minute),
			}, now, &pol)
			if err != nil {
				return err.Error()
			}
			recs = append(recs, p)
		case k < 65: // the answer to a record's pending call
			i := rng.IntN(len(recs))
			if recs[i].Next == OpNone {
				continue
			}
			choices := byKind[recs[i].Next]
			ev := choices[rng.IntN(len(choices))]
			ev.Seq = recs[i].Seq
			ev.Kind = kindFor(recs[i].Next)
			ev = about(recs[i], ev)
			sent = append(sent, ev)
			msg = apply(i, ev)
		case k < 78 && len(sent) > 0: // a duplicate or late answer to any record
			i := rng.IntN(len(recs))
			msg = apply(i, sent[rng.IntN(len(sent))])
		case k < 84:
			msg = apply(rng.IntN(len(recs)), cashier(evAbort))
		case k < 87:
			msg = apply(rng.IntN(len(recs)), cashier(evVoid))
		case k < 93:
			msg = apply(rng.IntN(len(recs)), refundReq(int64(1+rng.IntN(1000))))
		case k < 95: // a verified success notification, late or not
			msg = apply(rng.IntN(len(recs)), cashier(evPaidNotice))
		default: // restart: every record sees evRestart
			for i := range recs {
				if msg = apply(i, cashier(evRestart)); msg != "" {
					break
				}
			}
		}
		if msg == "" {
			msg = checkShop(recs, receipts)
		}
		if msg != "" {
			if len(trace) > 8 {
				trace = trace[len(trace)-8:]
			}
			return fmt.Sprintf("%s\nlast steps:\n%v", msg, trace)
		}
	}
	return ""
}

func kindFor(op Op) eventKind {
	return map[Op]eventKind{OpPay: evPayAnswer, OpInquire: evInquiryAnswer, OpCancel: evCancelAnswer,
		OpRefund: evRefundAnswer, OpInquireRefund: evRefundInquiryAnswer}[op]
}

// checkShop checks the invariants that span records: per sale at most one
// live attempt and at most one paid attempt; at most one sale receipt per
// payment.
func checkShop(recs []Payment, receipts map[string]int) string {
	live := map[string]int{}
	paid := map[string]int{}
	for _, p := range recs {
		if msg := checkRecord(p); msg != "" {
			return p.RequestID + ": " + msg
		}
		if !p.State.IsFinal() && p.Reopened == "" { // a reopened check is no new attempt
			live[p.SaleID]++
		}
		if p.State.Paid() || p.State == Refunded {
			paid[p.SaleID]++
		}
		if receipts[p.RequestID] > 1 {
			return p.RequestID + ": more than one sale receipt"
		}
	}
	for sale, n := range live {
		if n > 1 {
			return fmt.Sprintf("sale %s has %d live attempts", sale, n)
		}
	}
	for sale, n := range paid {
		if n > 1 {
			return fmt.Sprintf("sale %s paid %d times", sale, n)
		}
	}
	return ""
}
