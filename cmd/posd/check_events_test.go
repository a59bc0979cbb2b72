package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// posd -check validates [events]: a good broker URL passes, a bad one is
// refused naming the file, the section and the key.
func TestCheckValidatesEvents(t *testing.T) {
	example, err := os.ReadFile("posd.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ url, want string }{
		{"mqtts://broker.example.com:8883", "ok"},
		{"https://broker.example.com", "posd.toml: [events] mqtt_url:"},
	} {
		path := filepath.Join(t.TempDir(), "posd.toml")
		text := strings.Replace(string(example), `mqtt_url = ""`, `mqtt_url = "`+c.url+`"`, 1)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb strings.Builder
		code := posd([]string{"-config", path, "-check"}, &out, &errb, env(nil))
		if got := out.String() + errb.String(); !strings.Contains(got, c.want) || (code == exitOK) != (c.want == "ok") {
			t.Errorf("%s: exit %d\n%s", c.url, code, got)
		}
	}
}
