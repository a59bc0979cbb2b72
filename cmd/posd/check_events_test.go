package main

import (
	"strings"
	"testing"
)

// posd -check validates [events]: a good broker URL passes, a bad one is
// refused naming the file, the section and the key. The configuration is
// the example with real key files (checkSetup): -check also checks them.
func TestCheckValidatesEvents(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"mqtts://broker.example.com:8883", "ok"},
		{"https://broker.example.com", "posd.toml: [events] mqtt_url:"},
	} {
		path, _ := checkSetup(t, func(s string) string {
			return strings.Replace(s, `mqtt_url = ""`, `mqtt_url = "`+c.url+`"`, 1)
		})
		var out, errb strings.Builder
		code := posd([]string{"-config", path, "-check"}, &out, &errb, env(nil))
		if got := out.String() + errb.String(); !strings.Contains(got, c.want) || (code == exitOK) != (c.want == "ok") {
			t.Errorf("%s: exit %d\n%s", c.url, code, got)
		}
	}
}
