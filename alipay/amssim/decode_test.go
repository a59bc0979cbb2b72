package amssim

import (
	"errors"
	"testing"
)

func TestParseBody(t *testing.T) {
	cases := []struct {
		body string
		want string // "" accepted, else the PARAM_ILLEGAL message
	}{
		{`{"a":"1","b":{"c":"2","d":["x","y"]},"e":null}`, ""},
		// Bare numbers and booleans parse; the field rules decide where
		// they are allowed.
		{`{"b":{"z":"1","a":true},"list":[{"k":1.5}]}`, ""},
		{`["x"]`, "body is not a JSON object"},
		{`"x"`, "body is not a JSON object"},
		{`{"a":"1"}{"b":"2"}`, "data after the JSON object"},
		{`{"a":`, "body is not valid JSON"},
		{"{\"a\":\"\xff\"}", "body is not UTF-8"},
		{``, "body is not valid JSON"},
	}
	for _, c := range cases {
		_, err := parseBody([]byte(c.body))
		var pe *errParam
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.body, err)
		case c.want != "" && (!errors.As(err, &pe) || pe.msg != c.want):
			t.Errorf("%s: %v, want %q", c.body, err, c.want)
		}
	}
	deep := ""
	for range maxDepth + 2 {
		deep += `{"a":`
	}
	deep += `"x"`
	for range maxDepth + 2 {
		deep += `}`
	}
	if _, err := parseBody([]byte(deep)); err == nil {
		t.Error("accepted nesting beyond maxDepth")
	}
}

func TestBehaviourOf(t *testing.T) {
	for _, tc := range TestCodes() {
		if got := behaviourOf(tc.Code); got != tc.Behaviour {
			t.Errorf("%s: %s, want %s", tc.Code, got, tc.Behaviour)
		}
	}
	for code, want := range map[string]Behaviour{
		"281234567890123456":  BehaviourPaid,
		"28123456789012345":   BehaviourInvalidCode, // 17 digits
		"2812345678901234567": BehaviourInvalidCode, // 19 digits
		"28123456789012345a":  BehaviourInvalidCode,
		"":                    BehaviourInvalidCode,
	} {
		if got := behaviourOf(code); got != want {
			t.Errorf("%q: %s, want %s", code, got, want)
		}
	}
}
