package amssim_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "amssim.json")
	withState := func(c *amssim.Config) { c.StatePath = path; c.GatewayKey = nil }
	e := newEnv(t, withState)
	resp, _ := e.pay("P1", usd(1000), amssim.CodePaid)
	e.refund("P1-R1", resp.PaymentID, usd(250))
	oc, _ := e.payOrderCode("OC1", usd(300))
	before := e.ledger()
	if err := e.sim.Close(); err != nil { // writes are batched: make sure the last one is on disk
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v", fi.Mode().Perm())
	}

	// A new simulator on the same file: same gateway key, same ledger,
	// and the order code issued before the restart can still be paid.
	e2 := newEnv(t, withState)
	if !e2.sim.GatewayPublicKey().Equal(e.sim.GatewayPublicKey()) {
		t.Fatal("gateway key changed across restart")
	}
	after := e2.ledger()
	if len(after.Payments) != 2 || len(after.Refunds) != 1 || !sameJSON(t, after, before) {
		t.Fatalf("ledger changed:\n%+v\n%+v", before, after)
	}
	cv, _ := oc.OrderCodeForm.QRText()
	if _, err := e2.sim.Customer(cv, amssim.ActionPay); err != nil {
		t.Fatal(err)
	}
	_, r := e2.pay("P1", usd(1000), amssim.CodePaid)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e2.refund("P1-R2", resp.PaymentID, usd(751))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRefundAmountExceed)
	resp2, _ := e2.pay("P2", usd(1), amssim.CodePaid)
	if resp2.PaymentID == resp.PaymentID {
		t.Fatal("payment id reused after restart")
	}
}

func TestStateFileRefusals(t *testing.T) {
	loadKeys(t)
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage.json": "{not json",
		"version.json": `{"version": 99, "book": {}}`,
		"key.json":     `{"version": 1, "gatewayKey": "!!", "book": {}}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := amssim.New(amssim.Config{
			Merchants: []amssim.MerchantKey{{ClientID: testClientID, PublicKey: &merchantKey.PublicKey}},
			StatePath: path,
		})
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// Writes are batched off the request path; Flush writes at once and Close
// writes last.
func TestStateFlushAndClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "amssim.json")
	e := newEnv(t, func(c *amssim.Config) { c.StatePath = path })
	read := func() int {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			Book struct {
				Payments map[string]json.RawMessage `json:"payments"`
			} `json:"book"`
		}
		if err := json.Unmarshal(data, &st); err != nil {
			t.Fatal(err)
		}
		return len(st.Book.Payments)
	}
	e.pay("P1", usd(1000), amssim.CodePaid)
	if err := e.sim.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := read(); n != 1 {
		t.Fatalf("after Flush: %d payments on disk", n)
	}
	e.pay("P2", usd(1000), amssim.CodePaid)
	if err := e.sim.Close(); err != nil {
		t.Fatal(err)
	}
	if n := read(); n != 2 {
		t.Fatalf("after Close: %d payments on disk", n)
	}
	e.pay("P3", usd(1000), amssim.CodePaid) // still answered, no longer saved
	if err := e.sim.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := read(); n != 2 {
		t.Fatalf("a change after Close was written: %d payments on disk", n)
	}
}
