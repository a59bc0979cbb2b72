package terminal

import "testing"

// A payment a customer starts on the entry page is followed by a free till
// and left alone by a busy one; in preset mode only the amount offered
// counts, once.
func TestCustomerStarted(t *testing.T) {
	cfg := baseConfig()
	s, effs, _ := run(t, cfg, seq(CustomerStarted{"E1", usd(1234)}))
	if s.Phase != Waiting || s.Payment.ID != "E1" || s.Payment.Amount != usd(1234) || s.Payment.Scenario != EntryCode || len(effs) != 0 {
		t.Fatalf("ready till: %v %+v %v", s.Phase, s.Payment, effs)
	}
	s, _, _ = run(t, cfg, seq(CustomerStarted{"E1", usd(1234)}, Succeeded{"E1", usd(1234)}))
	if s.Phase != Paid || s.Payment.Amount != usd(1234) {
		t.Fatalf("paid: %v %+v", s.Phase, s.Payment)
	}
	for name, prelude := range map[string][]Input{
		"typing":   keys("12"),
		"qr":       toQR,
		"waiting":  toWaiting,
		"menu":     toMenu,
		"nameless": nil,
	} {
		in := CustomerStarted{"E1", usd(1234)}
		if name == "nameless" {
			in.PaymentID = ""
		}
		before, _, _ := run(t, cfg, prelude)
		after, effs, _ := run(t, cfg, seq(prelude, in))
		if after.Phase != before.Phase || after.Payment.ID != before.Payment.ID || len(effs) != 0 {
			t.Errorf("%s: %v -> %v (%+v, %v)", name, before.Phase, after.Phase, after.Payment, effs)
		}
	}

	cfg.EntryPreset, cfg.Confirm = true, true
	if s, _, _ := run(t, cfg, seq(CustomerStarted{"E1", usd(1234)})); s.Phase != Ready {
		t.Errorf("preset: a till with nothing offered followed %v", s.Phase)
	}
	s, _, _ = run(t, cfg, seq("12.34<ENTER>"))
	if !s.Free(cfg, usd(1234)) || s.Free(cfg, usd(1235)) {
		t.Fatalf("preset offer: %v", s.Phase)
	}
	if s, _, _ := run(t, cfg, seq("12.34<ENTER>", CustomerStarted{"E1", usd(1235)})); s.Phase != Confirming {
		t.Errorf("preset: another amount was followed: %v", s.Phase)
	}
	s, _, _ = run(t, cfg, seq("12.34<ENTER>", CustomerStarted{"E1", usd(1234)}))
	if s.Phase != Waiting || s.Payment.ID != "E1" || s.Free(cfg, usd(1234)) {
		t.Fatalf("preset: %v %+v", s.Phase, s.Payment)
	}
}
