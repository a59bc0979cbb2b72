package amssim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// postJSON sends a control request and decodes the reply.
func (e *env) postJSON(method, path string, in, out any) int {
	e.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	resp, data := e.do(req)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

func (e *env) addFault(f map[string]any) {
	e.t.Helper()
	if status := e.postJSON(http.MethodPost, "/sim/faults", f, nil); status != http.StatusOK {
		e.t.Fatalf("POST /sim/faults %v: %d", f, status)
	}
}

func TestFaultKinds(t *testing.T) {
	cases := []struct {
		kind      amssim.FaultKind
		processed bool           // the payment exists afterwards
		errIs     error          // why the client's outcome is unknown
		outcome   alipay.Outcome // the client's outcome
	}{
		{amssim.FaultDropRequest, false, alipay.ErrTransport, alipay.OutcomeUnknown},
		{amssim.FaultDropResponse, true, alipay.ErrTransport, alipay.OutcomeUnknown},
		{amssim.FaultHTTP500, true, alipay.ErrHTTPStatus, alipay.OutcomeUnknown},
		{amssim.FaultHTTP503, false, alipay.ErrHTTPStatus, alipay.OutcomeUnknown},
		// A signed U that names no payment could be a replay: unknown, not in process.
		{amssim.FaultUnknown, false, alipay.ErrReplyMismatch, alipay.OutcomeUnknown},
		{amssim.FaultUnsigned, true, alipay.ErrUnverified, alipay.OutcomeUnknown},
		{amssim.FaultBadSignature, true, alipay.ErrUnverified, alipay.OutcomeUnknown},
		{amssim.FaultTruncate, true, alipay.ErrTransport, alipay.OutcomeUnknown},
		{amssim.FaultDelay, true, nil, alipay.OutcomeSuccess},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			e := newEnv(t)
			e.addFault(map[string]any{"endpoint": "pay", "kind": c.kind, "count": 1, "delayMs": 20})
			_, r := e.pay("P1", usd(1000), amssim.CodePaid)
			if r.Outcome != c.outcome || c.errIs != nil && !errors.Is(r.Err, c.errIs) {
				t.Fatalf("outcome %v err %v; want %v %v", r.Outcome, r.Err, c.outcome, c.errIs)
			}
			l := e.ledger()
			if got := len(l.Payments) == 1; got != c.processed {
				t.Fatalf("processed %v, want %v: %+v", got, c.processed, l.Payments)
			}
			// The fault fired once; the retry with the same id goes through
			// and the ledger counts both calls, however the first one ended.
			_, r = e.pay("P1", usd(1000), amssim.CodePaid)
			expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
			p := e.ledgerPayment("P1")
			if p.Calls.Pay != 2 || p.Status != amssim.StatusSuccess {
				t.Fatalf("after retry: %+v", p)
			}
			var listed struct{ Faults []amssim.Fault }
			e.postJSON(http.MethodGet, "/sim/faults", nil, &listed)
			if len(listed.Faults) != 1 || listed.Faults[0].Fired != 1 {
				t.Fatalf("faults %+v", listed.Faults)
			}
		})
	}
}

func TestFaultsDeterministicPerSeed(t *testing.T) {
	run := func(seed uint64) []string {
		e := newEnv(t, func(c *amssim.Config) {
			c.Seed = seed
			c.Faults = []amssim.Fault{{Endpoint: "*", Kind: amssim.FaultUnknown, Probability: 0.5}}
		})
		var out []string
		for range 16 {
			_, r := e.inquire("none")
			out = append(out, r.Result.ResultCode)
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("different seeds, same faults: %v", a)
	}
	hits := 0
	for _, o := range a {
		if o == alipay.CodeUnknownException {
			hits++
		}
	}
	if hits == 0 || hits == len(a) {
		t.Fatalf("probability 0.5 hit %d of %d", hits, len(a))
	}
}

func TestFaultsClearAndEndpoint(t *testing.T) {
	e := newEnv(t)
	e.addFault(map[string]any{"endpoint": "cancel", "kind": "http-503"})
	_, r := e.pay("P1", usd(1000), amssim.CodePaid) // other endpoint: untouched
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e.cancel("P1")
	if !errors.Is(r.Err, alipay.ErrHTTPStatus) {
		t.Fatalf("cancel under 503 fault: %v", r.Err)
	}
	if status := e.postJSON(http.MethodDelete, "/sim/faults", nil, nil); status != http.StatusOK {
		t.Fatalf("DELETE: %d", status)
	}
	_, r = e.cancel("P1")
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if p := e.ledgerPayment("P1"); p.Calls.Cancel != 2 || !p.Reversed {
		t.Fatalf("%+v", p)
	}
	for _, bad := range []map[string]any{
		{"endpoint": "paid", "kind": "unknown"},
		{"endpoint": "pay", "kind": "explode"},
		{"endpoint": "pay", "kind": "unknown", "probability": 1.5},
		{"endpoint": "pay", "kind": "delay"},
		{"endpoint": "pay", "kind": "unknown", "count": -1},
	} {
		var out struct{ Error string }
		if status := e.postJSON(http.MethodPost, "/sim/faults", bad, &out); status != http.StatusBadRequest || out.Error == "" {
			t.Errorf("%v: status %d %q", bad, status, out.Error)
		}
	}
}

func TestParseFaults(t *testing.T) {
	got, err := amssim.ParseFaults("pay:drop-response:0.5:3, *:delay:1:0:2000,inquiryPayment:unknown")
	if err != nil {
		t.Fatal(err)
	}
	want := []amssim.Fault{
		{Endpoint: "pay", Kind: amssim.FaultDropResponse, Probability: 0.5, Count: 3},
		{Endpoint: "*", Kind: amssim.FaultDelay, Probability: 1, DelayMs: 2000},
		{Endpoint: "inquiryPayment", Kind: amssim.FaultUnknown, Probability: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"pay", "pay:nope", "pay:unknown:x", "pay:unknown:1:x", "pay:delay:1:0:x", "pay:unknown:1:1:1:1", "pay:unknown:-0.1"} {
		if _, err := amssim.ParseFaults(bad); !errors.Is(err, amssim.ErrFaultSpec) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestCustomerEndpoint(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.payOrderCode("OC1", usd(100))
	cv, _ := resp.OrderCodeForm.QRText()
	var p amssim.Payment
	if status := e.postJSON(http.MethodPost, "/sim/customer", map[string]string{"codeValue": cv, "action": "pay"}, &p); status != http.StatusOK || p.Status != amssim.StatusSuccess {
		t.Fatalf("pay: %d %+v", status, p)
	}
	var out struct{ Error string }
	for _, c := range []struct {
		body   map[string]string
		status int
	}{
		{map[string]string{"codeValue": cv, "action": "pay"}, http.StatusConflict},
		{map[string]string{"codeValue": cv, "action": "dance"}, http.StatusBadRequest},
		{map[string]string{"codeValue": e.srv.URL + "/sim/wallet/0000", "action": "pay"}, http.StatusNotFound},
	} {
		if status := e.postJSON(http.MethodPost, "/sim/customer", c.body, &out); status != c.status || out.Error == "" {
			t.Errorf("%v: %d %q, want %d", c.body, status, out.Error, c.status)
		}
	}
	inq, _ := e.inquire("OC1")
	if inq.PaymentStatus != amssim.StatusSuccess {
		t.Fatalf("%s", inq.PaymentStatus)
	}
}

func TestDroppedRefundIsCounted(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.pay("P1", usd(1000), amssim.CodePaid)
	e.addFault(map[string]any{"endpoint": "refund", "kind": "drop-request", "count": 1})
	e.addFault(map[string]any{"endpoint": "inquiryRefund", "kind": "drop-response", "count": 1})
	_, r := e.refund("P1-R1", resp.PaymentID, usd(100))
	if r.Outcome != alipay.OutcomeUnknown {
		t.Fatalf("dropped refund: %v", r.Outcome)
	}
	_, r, _ = e.client.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: "P1-R1"})
	if r.Outcome != alipay.OutcomeUnknown {
		t.Fatalf("dropped inquiry: %v", r.Outcome)
	}
	_, r = e.refund("P1-R1", resp.PaymentID, usd(100))
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	l := e.ledger()
	if len(l.Refunds) != 1 || l.Refunds[0].Calls != (amssim.RefundCalls{Refund: 2, InquiryRefund: 1}) ||
		l.Payments[0].Calls.Refund != 2 || l.Payments[0].Refunded != usd(100) {
		t.Fatalf("ledger %+v %+v", l.Refunds, l.Payments[0])
	}
}
