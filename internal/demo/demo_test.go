package demo

import (
	"testing"
)

func TestWalletLink(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/sim/wallet/ab": "http://127.0.0.1:8080/sim/wallet/ab",
		"https://qr.alipay.com/bax01234":      "https://qr.alipay.com/bax01234",
		"281234567890":                        "",
		"javascript:alert(1)":                 "",
		"":                                    "",
	} {
		if got := walletLink(in); got != want {
			t.Errorf("walletLink(%q) = %q", in, got)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	for _, c := range []struct{ addr, lan, want string }{
		{"127.0.0.1:8080", "192.168.1.20", "127.0.0.1:8080"},
		{"0.0.0.0:8080", "192.168.1.20", "192.168.1.20:8080"},
		{":8080", "192.168.1.20", "192.168.1.20:8080"},
		{"[::]:8080", "192.168.1.20", "192.168.1.20:8080"},
		{"0.0.0.0:8080", "", "0.0.0.0:8080"},
		{"pos.local:8080", "192.168.1.20", "pos.local:8080"},
	} {
		if got := publicAddr(c.addr, c.lan); got != c.want {
			t.Errorf("publicAddr(%q, %q) = %q, want %q", c.addr, c.lan, got, c.want)
		}
	}
}

// The demo's configuration is one posd accepts: a field added to the
// configuration keeps its default here too.
func TestDemoConfigIsValid(t *testing.T) {
	cfg := demoConfig(Options{HTTP: "127.0.0.1:8080", Gateway: "127.0.0.1:9443"}, t.TempDir(), "")
	if err := cfg.Validate("demo"); err != nil {
		t.Fatal(err)
	}
}
