package alipay

import (
	"encoding/json"
	"testing"
)

func TestOutcomeStrings(t *testing.T) {
	want := map[Outcome]string{
		OutcomeUnknown: "unknown", OutcomeNotSent: "not_sent", OutcomeInProcess: "in_process",
		OutcomeSuccess: "success", OutcomeFailure: "failure",
	}
	for o, s := range want {
		if o.String() != s {
			t.Errorf("%d.String() = %q, want %q", o, o.String(), s)
		}
		back, err := ParseOutcome(s)
		if err != nil || back != o {
			t.Errorf("ParseOutcome(%q) = %v, %v", s, back, err)
		}
		b, err := json.Marshal(struct{ O Outcome }{o})
		if err != nil || string(b) != `{"O":"`+s+`"}` {
			t.Errorf("JSON of %v = %s, %v", o, b, err)
		}
		var v struct{ O Outcome }
		if err := json.Unmarshal(b, &v); err != nil || v.O != o {
			t.Errorf("JSON round trip of %v = %v, %v", o, v.O, err)
		}
	}
	var zero Outcome
	if zero != OutcomeUnknown || zero.Final() || zero.RetrySafe() {
		t.Error("the zero outcome must be unknown, not final, not retry-safe")
	}
	for o := range want {
		if o.Final() != (o == OutcomeSuccess || o == OutcomeFailure) || o.RetrySafe() != (o == OutcomeNotSent) {
			t.Errorf("%v: Final %v RetrySafe %v", o, o.Final(), o.RetrySafe())
		}
	}
	if _, err := ParseOutcome("SUCCESS"); err == nil {
		t.Error("ParseOutcome accepted SUCCESS")
	}
	if _, err := Outcome(42).MarshalText(); err == nil {
		t.Error("MarshalText accepted 42")
	}
}
