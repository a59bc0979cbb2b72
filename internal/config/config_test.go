package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// examplePath is the documented example, installed by the package as
// /etc/posd/posd.toml.example.
const examplePath = "../../cmd/posd/posd.example.toml"

func readExample(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExampleConfigIsValid(t *testing.T) {
	cfg, err := Parse("posd.example.toml", readExample(t))
	if err != nil {
		t.Fatalf("the example does not load:\n%v", err)
	}
	if cfg.Merchant.Name != "Golden Noodle Bar" || cfg.Till.Currency != "USD" || cfg.Printer.Baud != 9600 {
		t.Errorf("example decoded to %+v", cfg)
	}
}

// tomlPaths lists every key of Config as the file spells it.
func tomlPaths(t reflect.Type, prefix []string) [][]string {
	var out [][]string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("toml")
		if tag == "" || tag == "-" {
			continue
		}
		path := append(append([]string(nil), prefix...), tag)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Duration]() {
			out = append(out, tomlPaths(f.Type, path)...)
			continue
		}
		out = append(out, path)
	}
	return out
}

func TestExampleDocumentsEveryOption(t *testing.T) {
	var cfg Config
	md, err := toml.Decode(string(readExample(t)), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	paths := tomlPaths(reflect.TypeFor[Config](), nil)
	if len(paths) < 40 {
		t.Fatalf("found only %d options: the walk is broken", len(paths))
	}
	for _, p := range paths {
		if !md.IsDefined(p...) {
			t.Errorf("posd.example.toml does not set %s", strings.Join(p, "."))
		}
	}
	// Every key in the example carries a comment line somewhere above it in
	// its section; a bare key is undocumented.
	lines := strings.Split(string(readExample(t)), "\n")
	for i, line := range lines {
		key, _, ok := strings.Cut(line, " = ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.Contains(line, "#") {
			continue // documented inline
		}
		if i == 0 || !strings.HasPrefix(lines[i-1], "#") && !strings.Contains(lines[i-1], "=") {
			t.Errorf("line %d: key %s has no comment", i+1, key)
		}
	}
}

func TestConfigErrorsArePrecise(t *testing.T) {
	base := string(readExample(t))
	cases := []struct {
		name, from, to, want string
	}{
		{"baud", "baud = 9600", "baud = 9601", "posd.toml: [printer] baud: 9601 is not a standard rate"},
		{"unknown key", "baud = 9600", "baudrate = 9600", "posd.toml: [printer] baudrate: unknown key"},
		{"currency", `currency = "USD"`, `currency = "XYZ"`, `posd.toml: [till] currency: "XYZ" is not an ISO 4217 currency code`},
		{"amount", `max_amount = "5000.00"`, `max_amount = "50.001"`, `posd.toml: [till] max_amount: "50.001" is not a positive USD amount`},
		{"duration", `pay_timeout = "15s"`, `pay_timeout = "fifteen"`, `fifteen`},
		{"syntax", `kind = "none"`, `kind = "none`, "posd.toml: line "},
		{"metrics off the box", `listen = "127.0.0.1:9464"`, `listen = "0.0.0.0:9464"`, `posd.toml: [metrics] listen: "0.0.0.0:9464" is not a loopback address`},
		{"gateway", `gateway = "https://open-sea-global.alipay.com"`, `gateway = "http://example.com"`, `posd.toml: [alipay] gateway: "http://example.com" must be https`},
		{"pin", `manager_pin = ""`, `manager_pin = "12a4"`, "posd.toml: [till] manager_pin: must be 4 to 12 digits"},
		{"matrix", "rows = []", `rows = ["GPIO5"]`, "posd.toml: [keypad.matrix] rows: 1 pins given, a 4x4 pad has 4 rows"},
		{"notify", `notify_url = "https://pos.example.com/alipay/notify"`, `notify_url = "/alipay/notify"`, "posd.toml: [alipay] notify_url: \"/alipay/notify\" must be an absolute http(s) URL"},
		{"printer device", `kind = "none"`, `kind = "serial"`, "posd.toml: [printer] device: required for a serial printer"},
		{"wrong type", "baud = 9600", `baud = "fast"`, "baud"},
		{"min above max", `min_amount = "0.01"`, `min_amount = "6000"`, `posd.toml: [till] min_amount: 6000 is more than max_amount 5000.00`},
		{"negative result hold", `result_hold = "10s"`, `result_hold = "-5s"`, `posd.toml: [till] result_hold: -5s must be between 0`},
		{"gateway with a password", `gateway = "https://open-sea-global.alipay.com"`, `gateway = "https://u:secret@open-sea-global.alipay.com"`, `posd.toml: [alipay] gateway: "https://u:xxxxx@open-sea-global.alipay.com" must be https://host[:port] without a user`},
		{"gateway with a query", `gateway = "https://open-sea-global.alipay.com"`, `gateway = "https://open-sea-global.alipay.com?x=1"`, `posd.toml: [alipay] gateway: `},
		{"notify URL with a user", `notify_url = "https://pos.example.com/alipay/notify"`, `notify_url = "https://me@pos.example.com/alipay/notify"`, `posd.toml: [alipay] notify_url: `},
		{"control character in a name", `footer = "Thank you!"`, `footer = "Thank you!\u001b@"`, `posd.toml: [merchant] footer: contains the control character U+001B`},
		{"bidi override in a name", `footer = "Thank you!"`, `footer = "\u202eThank you!"`, `posd.toml: [merchant] footer: contains the control character U+202E`},
		// Issue 12, rules 5 and 6: ids the gateway cannot take, expiries it refuses.
		{"terminal id characters", `terminal_id = "T01"`, `terminal_id = "T 01"`, `posd.toml: [merchant] terminal_id: "T 01": only letters, digits, '_' and '-' are allowed in ids`},
		{"terminal id slash", `terminal_id = "T01"`, `terminal_id = "T/01"`, `[merchant] terminal_id: "T/01": only letters`},
		{"terminal id too long", `terminal_id = "T01"`, `terminal_id = "T0123456789012345678901234567890123"`, `[merchant] terminal_id: "T0123456789012345678901234567890123" must be 1 to 32 characters`},
		{"store id characters", `store_id = "S01"`, `store_id = "S.01"`, `[merchant] store_id: "S.01": only letters`},
		{"merchant id characters", `id = "M0001"`, `id = "M 0001"`, `[merchant] id: "M 0001": only letters`},
		{"expiry 30m", `payment_expiry = "3m"`, `payment_expiry = "30m"`, `posd.toml: [till] payment_expiry: 30m0s must be at least 1m and under 30m`},
		// The owning packages' rules: paper and code page names are the
		// printer's, what a display driver needs is the display's.
		{"paper", `paper = "80"`, `paper = "57"`, `posd.toml: [printer] paper: printer: unknown paper: "57"`},
		{"code page", `code_page = "PC858"`, `code_page = "PC999"`, `posd.toml: [printer] code_page: `},
		{"SPI panel without dc", `kind = "kiosk"`, `kind = "st7789"`, `posd.toml: [display] dc: required for an SPI panel`},
		{"expiry 2h", `payment_expiry = "3m"`, `payment_expiry = "2h"`, `[till] payment_expiry: 2h0m0s must be at least 1m and under 30m`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.from) {
				t.Fatalf("example lacks %q", c.from)
			}
			_, err := Parse("posd.toml", []byte(strings.Replace(base, c.from, c.to, 1)))
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got\n%v\nwant it to contain\n%s", err, c.want)
			}
		})
	}
}

// A paper name the printer takes is one the configuration takes.
func TestConfigTakesThePrintersPaperNames(t *testing.T) {
	base := string(readExample(t))
	for _, name := range []string{"58", "58mm", "80mm", "tm-t88"} {
		if _, err := Parse("posd.toml", []byte(strings.Replace(base, `paper = "80"`, `paper = "`+name+`"`, 1))); err != nil {
			t.Errorf("paper %q: %v", name, err)
		}
	}
}

func TestConfigReportsEveryProblem(t *testing.T) {
	_, err := Parse("posd.toml", []byte("[printer]\nbaud = 1\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"[merchant] name: required", "[till] currency", "[alipay] client_id: required", "[printer] baud: 1 is not a standard rate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}

func TestLoadConfigNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.toml")
	_, err := Load(path)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(readExampleF(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		// Whatever was accepted must pass validation again.
		if p := cfg.check(); len(p) != 0 {
			t.Fatalf("accepted a config with problems: %v", p)
		}
	})
}

func readExampleF(f *testing.F) []byte {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// -check and the start both warn about a customer display page open to
// the network; it is not an error (the demo on a LAN does it on purpose).
func TestConfigWarnsAboutAnOpenDisplay(t *testing.T) {
	base := string(readExample(t))
	cfg, err := Parse("posd.toml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	// The example names no keypad: posd says so at the start.
	if w := cfg.Warnings("posd.toml"); len(w) != 1 || !strings.HasPrefix(w[0].Error(), "posd.toml: [keypad]: no keypad configured") {
		t.Fatalf("the example warns: %v", w)
	}
	cfg.Keypad.Evdev = []string{"/dev/input/by-id/usb-keypad-event-kbd"}
	if w := cfg.Warnings("posd.toml"); len(w) != 0 {
		t.Fatalf("with a keypad: %v", w)
	}
	cfg.Display.Kind, cfg.Display.Listen = "kiosk", "0.0.0.0:8080"
	w := cfg.Warnings("posd.toml")
	if len(w) != 1 || !strings.HasPrefix(w[0].Error(), `posd.toml: [display] listen: "0.0.0.0:8080" is not a loopback address`) {
		t.Fatalf("warnings %v", w)
	}
}

// The display tables: one [display] is the customer's unless its role says
// otherwise; [[display]] lists every display, at most one per role.
func TestDisplayTables(t *testing.T) {
	base := string(readExample(t))
	many := strings.Replace(base, "[display]\n", "[[display]]\n", 1)
	cashier := "\n[[display]]\nrole = \"cashier\"\nkind = \"png\"\ndevice = \"/run/posd/cashier.png\"\nwidth = 320\nheight = 240\n"
	cases := []struct {
		name, file         string
		customer, cashierK string // kinds wanted, when the file loads
		err                string // the whole first error line, when it does not
	}{
		{"single table", base, "kiosk", "none", ""},
		{"single cashier table", strings.Replace(base, `role = "customer"`, `role = "cashier"`, 1), "none", "kiosk", ""},
		{"one entry", many, "kiosk", "none", ""},
		{"customer and cashier", many + cashier, "kiosk", "png", ""},
		{"cashier alone", strings.Replace(strings.Replace(many, `role = "customer"`, `role = "cashier"`, 1), `kind = "kiosk"`, `kind = "terminal"`, 1), "none", "terminal", ""},
		{"two cashiers", many + cashier + cashier, "", "", `posd.toml: [display] role: more than one display with role "cashier"`},
		{"two customers", many + strings.Replace(cashier, `"cashier"`, `"customer"`, 1), "", "", `posd.toml: [display] role: more than one display with role "customer"`},
		{"unknown role", strings.Replace(many, `role = "customer"`, `role = "manager"`, 1), "", "", `posd.toml: [display] role: "manager" is not one of customer, cashier`},
		{"cashier kiosk", many + strings.Replace(cashier, `kind = "png"`, `kind = "kiosk"`, 1), "kiosk", "kiosk", ""},
		{"cashier kiosk on the network", many + strings.Replace(cashier, `kind = "png"`, "kind = \"kiosk\"\nlisten = \"0.0.0.0:8081\"", 1), "", "",
			`posd.toml: [display] listen: cashier display: "0.0.0.0:8081" is not a loopback address`},
		{"cashier kiosk on the LAN address", many + strings.Replace(cashier, `kind = "png"`, "kind = \"kiosk\"\nlisten = \"192.168.1.20:8080\"", 1), "", "",
			`posd.toml: [display] listen: cashier display: "192.168.1.20:8080" is not a loopback address`},
		{"cashier kiosk on localhost", many + strings.Replace(cashier, `kind = "png"`, "kind = \"kiosk\"\nlisten = \"localhost:8081\"", 1), "kiosk", "kiosk", ""},
		{"cashier kiosk on the customer's port, spelled another way", many + strings.Replace(cashier, `kind = "png"`, "kind = \"kiosk\"\nlisten = \"localhost:8080\"", 1), "", "",
			`posd.toml: [display] listen: cashier display "localhost:8080" and customer display "127.0.0.1:8080" take the same port`},
		{"cashier kiosk sharing the customer's listener", many + strings.Replace(cashier, `kind = "png"`, "kind = \"kiosk\"\nlisten = \"127.0.0.1:8080\"", 1), "kiosk", "kiosk", ""},
		{"cashier png without a file", many + strings.Replace(cashier, "device = \"/run/posd/cashier.png\"\n", "", 1), "", "", `posd.toml: [display] device: cashier display: `},
		{"unknown key in an entry", many + cashier + "colour = \"red\"\n", "", "", `posd.toml: [display] colour: unknown key`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("posd.toml", []byte(c.file))
			if c.err != "" {
				if err == nil {
					t.Fatalf("loaded; want %q", c.err)
				}
				if first, _, _ := strings.Cut(err.Error(), "\n"); !strings.HasPrefix(first, c.err) {
					t.Fatalf("error %q, want %q", err, c.err)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("%v does not match ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Display.Kind != c.customer || cfg.Cashier.Kind != c.cashierK {
				t.Errorf("customer %q, cashier %q; want %q, %q", cfg.Display.Kind, cfg.Cashier.Kind, c.customer, c.cashierK)
			}
			if c.cashierK == "png" && (cfg.Cashier.Width != 320 || cfg.Cashier.Listen != "127.0.0.1:8080" || cfg.Cashier.I2CAddr != 0x3C) {
				t.Errorf("cashier entry = %+v: set keys and the defaults", cfg.Cashier)
			}
		})
	}
}
