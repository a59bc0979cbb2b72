package demo

import (
	"strings"
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

// TestDemoConfigChinese: -demo-lang zh-CN gives a configuration the daemon
// accepts, with Chinese receipts and cashier screens and a bilingual
// customer display.
func TestDemoConfigChinese(t *testing.T) {
	for _, name := range []string{"zh-CN", "zh-TW", "en", ""} {
		cfg := demoConfig(Options{HTTP: "127.0.0.1:8080", Gateway: "127.0.0.1:9443", Lang: name}, t.TempDir(), strings.Repeat("ab", 32))
		if err := cfg.Validate("demo"); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		want := name
		if want == "" {
			want = "en"
		}
		if got := cfg.Merchant.Lang().String(); got != want {
			t.Errorf("%q: merchant language %s", name, got)
		}
		if langs := cfg.DisplayLangs(); name != "en" && name != "" && (len(langs) != 2 || langs[0].String() != name || langs[1].String() != "en") {
			t.Errorf("%q: display languages %v", name, langs)
		}
	}
}
