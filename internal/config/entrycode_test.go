package config

import (
	"errors"
	"strings"
	"testing"
)

func TestEntryCodeChecks(t *testing.T) {
	base := strings.Replace(string(readExample(t)), `notify_listen = ""`, `notify_listen = "127.0.0.1:8443"`, 1)
	on := strings.Replace(base, "enabled = false\n# What the static QR", "enabled = true\n# What the static QR", 1)
	if on == base {
		t.Fatal("example's [entry_code] enabled line moved")
	}
	cfg, err := Parse("posd.toml", []byte(on))
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := cfg.EntryURL(); !ok || u.Path != "/entry/T01" || cfg.EntryListen() != "127.0.0.1:8443" {
		t.Fatalf("entry url %v %v listen %q", u, ok, cfg.EntryListen())
	}
	for _, c := range []struct{ name, from, to, want string }{
		{"query", `url = "https://pos.example.com/entry/T01"`, `url = "https://pos.example.com/entry/T01?x=1"`, `[entry_code] url: "https://pos.example.com/entry/T01?x=1" must be`},
		{"root", `url = "https://pos.example.com/entry/T01"`, `url = "https://pos.example.com/"`, `[entry_code] url: `},
		{"relative", `url = "https://pos.example.com/entry/T01"`, `url = "/entry/T01"`, `[entry_code] url: `},
		{"user", `url = "https://pos.example.com/entry/T01"`, `url = "https://u:p@pos.example.com/entry/T01"`, `[entry_code] url: `},
		{"notify path", `url = "https://pos.example.com/entry/T01"`, `url = "https://pos.example.com/alipay"`, `[entry_code] url: path "/alipay" overlaps notify_url's "/alipay/notify"`},
		{"listen", "listen = \"\"\n# true: the cashier", "listen = \"nonsense\"\n# true: the cashier", `[entry_code] listen: "nonsense" is not host:port`},
		{"nothing serves it", `notify_listen = "127.0.0.1:8443"`, `notify_listen = ""`, `[entry_code] listen: empty and [alipay] notify_listen is empty too`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(on, c.from) {
				t.Fatalf("example lacks %q", c.from)
			}
			_, err := Parse("posd.toml", []byte(strings.Replace(on, c.from, c.to, 1)))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %s", err, c.want)
			}
		})
	}
	// Off, the URL is not looked at.
	if _, err := Parse("posd.toml", []byte(strings.Replace(base, `url = "https://pos.example.com/entry/T01"`, `url = "nonsense"`, 1))); err != nil {
		t.Fatal(err)
	}
	before := len(cfg.Warnings("posd.toml"))
	cfg.EntryCode.URL = "http://pos.example.com/entry/T01"
	if w := cfg.Warnings("posd.toml"); len(w) != before+1 || !strings.Contains(w[len(w)-1].Error(), "[entry_code] url: is http") {
		t.Fatalf("warnings %v", w)
	}
}
