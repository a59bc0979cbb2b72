package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/money"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/terminal"
)

// DefaultPath is where the .deb installs the configuration.
const DefaultPath = "/etc/posd/posd.toml"

// Config is posd.toml. Every field is documented, with its default, in
// posd.example.toml; a test checks that the example names each one.
type Config struct {
	Merchant Merchant `toml:"merchant"`
	Till     Till     `toml:"till"`
	Alipay   Alipay   `toml:"alipay"`
	Outbox   Outbox   `toml:"outbox"`
	Keypad   Keypad   `toml:"keypad"`
	Printer  Printer  `toml:"printer"`
	Display  Display  `toml:"display"`
	// Cashier is the display facing the cashier: a [[display]] entry with
	// role = "cashier"; Kind "none" when there is none.
	Cashier Display `toml:"-"`
	API     API     `toml:"api"`
	Metrics Metrics `toml:"metrics"`
	Log     Log     `toml:"log"`
	Events  Events  `toml:"events"`
	// EntryCode is [entry_code] (entrycode.go).
	EntryCode EntryCode `toml:"entry_code"`

	file          string   // what Load read, for errors
	extraDisplays []string // roles of display tables beyond one per role
}

// Merchant is what appears on receipts and screens.
type Merchant struct {
	Name       string `toml:"name"`
	ID         string `toml:"id"`
	MCC        string `toml:"mcc"`
	Store      string `toml:"store"`
	StoreID    string `toml:"store_id"`
	TerminalID string `toml:"terminal_id"`
	Footer     string `toml:"footer"`
	// Language of receipts and the cashier's screens: zh-CN, zh-TW or en.
	Language string `toml:"language"`
}

// Lang is the merchant's language; English when unset or invalid (Check
// refuses an invalid one).
func (m Merchant) Lang() lang.Lang {
	l, err := lang.Parse(m.Language)
	if err != nil {
		return lang.New(lang.English)
	}
	return l
}

// Till is the cashier flow.
type Till struct {
	Currency       string   `toml:"currency"`
	MinAmount      string   `toml:"min_amount"`
	MaxAmount      string   `toml:"max_amount"`
	Confirm        bool     `toml:"confirm"`
	ImpliedDecimal bool     `toml:"implied_decimal"`
	ManagerPIN     string   `toml:"manager_pin"`
	ResultHold     Duration `toml:"result_hold"`
	OrderTitle     string   `toml:"order_title"`
	PaymentExpiry  Duration `toml:"payment_expiry"`
}

// Alipay is the gateway and the keys.
type Alipay struct {
	ClientID            string   `toml:"client_id"`
	PrivateKeyFile      string   `toml:"private_key_file"`
	AlipayPublicKeyFile string   `toml:"alipay_public_key_file"`
	KeyVersion          int      `toml:"key_version"`
	Gateway             string   `toml:"gateway"`
	PathPrefix          string   `toml:"path_prefix"`
	AgentToken          string   `toml:"agent_token"`
	PinSHA256           string   `toml:"pin_sha256"`
	PayTimeout          Duration `toml:"pay_timeout"`
	CallTimeout         Duration `toml:"call_timeout"`
	ConnectTimeout      Duration `toml:"connect_timeout"`
	NotifyURL           string   `toml:"notify_url"`
	NotifyListen        string   `toml:"notify_listen"`
}

// Outbox is the bbolt file.
type Outbox struct {
	Path      string   `toml:"path"`
	Retention Duration `toml:"retention"`
}

// Keypad lists the key sources merged into one stream.
type Keypad struct {
	TTY    bool     `toml:"tty"`
	Evdev  []string `toml:"evdev"`
	Matrix Matrix   `toml:"matrix"`
}

// Matrix is a GPIO row/column keypad; empty rows means none.
type Matrix struct {
	Layout string   `toml:"layout"`
	Rows   []string `toml:"rows"`
	Cols   []string `toml:"cols"`
}

// Printer is the receipt printer.
type Printer struct {
	Kind     string `toml:"kind"`
	Device   string `toml:"device"`
	Address  string `toml:"address"`
	Baud     int    `toml:"baud"`
	Parity   string `toml:"parity"`
	DataBits int    `toml:"data_bits"`
	StopBits int    `toml:"stop_bits"`
	Flow     string `toml:"flow"`
	Paper    string `toml:"paper"`
	CodePage string `toml:"code_page"`
	Chinese  bool   `toml:"chinese"`
	NativeQR bool   `toml:"native_qr"`
	Dir      string `toml:"dir"`
	// MerchantCopy prints a second slip for the shop after each one.
	MerchantCopy bool `toml:"merchant_copy"`
	// Status is "dle-eot" (ask the printer before and while printing) or
	// "none" (a printer that answers nothing: print blind).
	Status string `toml:"status"`
}

// Display is one display. A single [display] table is the customer
// display; an array of [[display]] tables lists every display, each with
// its role.
type Display struct {
	// Role is "customer" (the default) or "cashier": the cashier's display
	// shows the till's own view (amount typed, state, hints, alerts).
	Role         string `toml:"role"`
	Kind         string `toml:"kind"`
	Device       string `toml:"device"`
	Listen       string `toml:"listen"`
	Width        int    `toml:"width"`
	Height       int    `toml:"height"`
	I2CBus       int    `toml:"i2c_bus"`
	I2CAddr      int    `toml:"i2c_addr"`
	SPIBus       int    `toml:"spi_bus"`
	SPIChip      int    `toml:"spi_chip"`
	SPIHz        int64  `toml:"spi_hz"`
	DC           string `toml:"dc"`
	Reset        string `toml:"reset"`
	Backlight    string `toml:"backlight"`
	ColumnOffset int    `toml:"column_offset"`
	RowOffset    int    `toml:"row_offset"`
	MADCTL       int    `toml:"madctl"`
	Font         string `toml:"font"`
	// Languages of the customer display, main first; empty: the
	// merchant's language.
	Languages []string `toml:"languages"`
	// Logo is a PNG acceptance mark for the idle and amount screens.
	Logo string `toml:"logo"`
}

// DisplayLangs are the customer display's languages: [display] languages, or
// the merchant's language alone.
func (c Config) DisplayLangs() []lang.Lang { return c.LangsOf(c.Display) }

// LangsOf are display d's languages: its languages key, or the merchant's
// language alone.
func (c Config) LangsOf(d Display) []lang.Lang {
	var out []lang.Lang
	for _, name := range d.Languages {
		if l, err := lang.Parse(name); err == nil {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []lang.Lang{c.Merchant.Lang()}
	}
	return out
}

// API is the local control socket posctl talks to.
type API struct {
	Socket string `toml:"socket"`
}

// Metrics is the Prometheus endpoint.
type Metrics struct {
	Listen string `toml:"listen"`
}

// Log is the slog handler on stdout.
type Log struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

// Duration is a time.Duration written as "15s" or "3m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"15s\" or \"3m\"", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default holds every default; decoding overwrites what the file sets.
func Default() Config {
	return Config{
		Merchant: Merchant{TerminalID: "T01", MCC: "5812", StoreID: "S01", Language: "en"},
		Till: Till{
			ResultHold:    Duration{10 * time.Second},
			OrderTitle:    "In-store purchase",
			PaymentExpiry: Duration{3 * time.Minute},
		},
		Alipay: Alipay{
			PrivateKeyFile: "/etc/posd/merchant-key.pem",
			KeyVersion:     1,
			Gateway:        alipay.HostAsia,
			PayTimeout:     Duration{alipay.DefaultPayTimeout},
			CallTimeout:    Duration{alipay.DefaultCallTimeout},
			ConnectTimeout: Duration{alipay.DefaultConnectTimeout},
		},
		Outbox:  Outbox{Path: "/var/lib/posd/posd.db", Retention: Duration{90 * 24 * time.Hour}},
		Keypad:  Keypad{Matrix: Matrix{Layout: "4x4"}},
		Printer: Printer{Kind: "none", Baud: 9600, Parity: "none", DataBits: 8, StopBits: 1, Flow: "status", Paper: "80", CodePage: "PC858", NativeQR: true, Status: "dle-eot"},
		Display: defaultDisplay,
		Cashier: noDisplay,
		API:     API{Socket: "/run/posd/posd.sock"},
		Metrics: Metrics{Listen: "127.0.0.1:9464"},
		Log:     Log{Level: "info", Format: "text"},
		Events:  DefaultEvents(),
	}
}

// defaultDisplay is a [display] or [[display]] table's defaults.
var defaultDisplay = Display{Role: "customer", Kind: "kiosk", Listen: "127.0.0.1:8080", Width: 800, Height: 480, I2CBus: 1, I2CAddr: 0x3C, SPIHz: 32_000_000}

// noDisplay is a role no table fills.
var noDisplay = func() Display { d := defaultDisplay; d.Kind = "none"; return d }()

// multiDisplay is the file's shape when it lists [[display]] tables: the
// outer field hides Config's single table.
type multiDisplay struct {
	Config
	Display []Display `toml:"display"`
}

// Load reads and validates the file at path. Every problem is
// reported, one per line, as "FILE: [section] key: why".
func Load(path string) (Config, error) {
	// A FIFO or a device would block the read: refuse it first.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return Config{}, &Error{File: path, Why: "not a regular file (" + fi.Mode().Type().String() + ")"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, &Error{File: path, Why: err.Error()}
	}
	cfg, err := Parse(filepath.Base(path), data)
	cfg.file = filepath.Base(path)
	return cfg, err
}

// FileName is the name the configuration was loaded from, for errors.
func (c *Config) FileName() string {
	if c.file == "" {
		return "posd.toml"
	}
	return c.file
}

// Parse decodes data (named name in errors) over the defaults and
// validates the result. Unknown keys are errors: a typo must not silently
// leave a default in place.
func Parse(name string, data []byte) (Config, error) {
	cfg := Default()
	var probe map[string]any
	md, err := toml.Decode(string(data), &probe)
	var tables []map[string]any
	if err == nil {
		tables, _ = probe["display"].([]map[string]any)
		if tables != nil {
			// Every listed display starts from the defaults; the roles
			// are sorted out below, after the unknown keys.
			m := multiDisplay{Config: cfg, Display: make([]Display, len(tables))}
			for i := range m.Display {
				m.Display[i] = defaultDisplay
			}
			if md, err = toml.Decode(string(data), &m); err == nil {
				cfg = m.Config
				cfg.placeDisplays(m.Display)
			}
		} else if md, err = toml.Decode(string(data), &cfg); err == nil && cfg.Display.Role == "cashier" {
			cfg.placeDisplays([]Display{cfg.Display})
		}
	}
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Config{}, &Error{File: name, Where: fmt.Sprintf("line %d", pe.Position.Line), Why: pe.Message}
		}
		// Type mismatches name the key in the message itself.
		return Config{}, &Error{File: name, Why: err.Error()}
	}
	var problems []error
	for _, k := range md.Undecoded() {
		problems = append(problems, &Error{File: name, Where: keyName(k), Why: "unknown key"})
	}
	if err := cfg.Validate(name); err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return Config{}, errors.Join(problems...)
	}
	return cfg, nil
}

// placeDisplays puts display tables in their roles: a role no table
// names has no display. check reports a second table of a role.
func (c *Config) placeDisplays(ds []Display) {
	c.Display, c.Cashier = noDisplay, noDisplay
	seen := map[string]bool{}
	for _, d := range ds {
		if seen[d.Role] {
			c.extraDisplays = append(c.extraDisplays, d.Role)
			continue
		}
		seen[d.Role] = true
		if d.Role == "cashier" {
			c.Cashier = d
		} else { // "customer", or a bad role check reports
			c.Display = d
		}
	}
}

// Validate reports every problem in c as an *Error naming the file name,
// joined; nil when c can run.
func (c *Config) Validate(name string) error {
	var problems []error
	for _, p := range c.check() {
		problems = append(problems, &Error{File: name, Where: p.where, Why: p.why})
	}
	return errors.Join(problems...)
}

// keyName writes a key as "[section] key", the way the file shows it.
func keyName(k toml.Key) string {
	if len(k) == 1 {
		return k[0]
	}
	return "[" + strings.Join(k[:len(k)-1], ".") + "] " + k[len(k)-1]
}

// standardBauds are the rates serial printers and Linux termios accept.
var standardBauds = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400}

// Error is one problem in posd.toml. It prints as
// "posd.toml: [printer] baud: 9601 is not a standard rate" and matches
// ErrInvalid.
type Error struct {
	File  string
	Where string // "[section] key", "line N", or empty
	Why   string
	Err   error // the cause, when there is one (ErrKey and alipay's key errors)
}

func (e *Error) Error() string {
	if e.Where == "" {
		return e.File + ": " + e.Why
	}
	return e.File + ": " + e.Where + ": " + e.Why
}

// Unwrap lets errors.Is(err, ErrInvalid) match, and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

type problem struct{ where, why string }

// unprintable says why s cannot be printed or displayed as it is, or "".
func unprintable(s string) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return fmt.Sprintf("contains the control character %U", r)
		}
	}
	return ""
}

// Warnings are settings posd runs with that an operator should know about,
// as *Error naming the file name; posd logs them and -check prints them.
func (c *Config) Warnings(name string) []error {
	var out []error
	if c.Display.Kind == "kiosk" {
		if host, _, err := net.SplitHostPort(c.Display.Listen); err == nil {
			if !loopbackHost(host) {
				out = append(out, &Error{File: name, Where: "[display] listen",
					Why: fmt.Sprintf("%q is not a loopback address: anyone on the network can open the customer display (warning)", c.Display.Listen)})
			}
		}
	}
	if k := c.Keypad; !k.TTY && len(k.Evdev) == 0 && len(k.Matrix.Rows) == 0 {
		out = append(out, &Error{File: name, Where: "[keypad]",
			Why: "no keypad configured (tty, evdev or matrix): the cashier cannot type an amount; sales start only from posctl keys or the API (warning)"})
	}
	return append(out, c.entryWarnings(name)...)
}

// badFunc records one problem: section, key and why.
type badFunc func(section, key, format string, args ...any)

// oneOf records a problem unless v is one of allowed.
func (bad badFunc) oneOf(section, key, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		bad(section, key, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

// check returns every problem found in c, section by section.
func (c *Config) check() []problem {
	var out []problem
	bad := badFunc(func(section, key, format string, args ...any) {
		out = append(out, problem{"[" + section + "] " + key, fmt.Sprintf(format, args...)})
	})
	c.checkMerchant(bad)
	c.checkTill(bad)
	c.checkAlipay(bad)
	c.checkOutbox(bad)
	c.checkKeypad(bad)
	c.checkPrinter(bad)
	c.checkDisplay(bad)
	c.checkLocal(bad)
	c.checkListeners(bad)
	c.checkEvents(bad)
	c.checkEntryCode(bad)
	return out
}

// checkMerchant checks [merchant] and every name that is printed, drawn or sent.
func (c *Config) checkMerchant(bad badFunc) {
	if c.Merchant.Name == "" {
		bad("merchant", "name", "required: it is printed on every receipt")
	}
	if _, err := lang.Parse(c.Merchant.Language); err != nil {
		bad("merchant", "language", "%v", err)
	}
	// Id parts: letters, digits, '_' and '-' only. terminal_id is part of
	// every paymentRequestId (and so of every refundRequestId), which the
	// gateway takes only in that set and at most 64 long
	// (https://docs.antom.com/ac/ams/upm, https://docs.antom.com/ac/ams/ir):
	// an id that cannot be sent must stop posd here, not sit in the outbox.
	idChars := func(key, v string) {
		if v != "" && strings.IndexFunc(v, func(r rune) bool { return r > 0x7f || !alipay.IDChar(byte(r)) }) >= 0 {
			bad("merchant", key, "%q: only letters, digits, '_' and '-' are allowed in ids", v)
		}
	}
	if c.Merchant.ID == "" || len(c.Merchant.ID) > 64 {
		bad("merchant", "id", "%q must be 1 to 64 characters: the referenceMerchantId registered with Alipay", c.Merchant.ID)
	}
	idChars("id", c.Merchant.ID)
	idChars("store_id", c.Merchant.StoreID)
	idChars("terminal_id", c.Merchant.TerminalID)
	if len(c.Merchant.MCC) != 4 || strings.Trim(c.Merchant.MCC, "0123456789") != "" {
		bad("merchant", "mcc", "%q is not a 4-digit merchant category code", c.Merchant.MCC)
	}
	if c.Merchant.StoreID == "" || len(c.Merchant.StoreID) > 32 {
		bad("merchant", "store_id", "%q must be 1 to 32 characters: the referenceStoreId", c.Merchant.StoreID)
	}
	if c.Merchant.TerminalID == "" || len(c.Merchant.TerminalID) > 32 {
		bad("merchant", "terminal_id", "%q must be 1 to 32 characters", c.Merchant.TerminalID)
	}

	// Names printed on receipts, drawn on the displays or sent to Alipay:
	// a control character could move the printer's head, cut paper, or
	// turn text around (bidi overrides).
	for _, f := range []struct{ section, key, v string }{
		{"merchant", "name", c.Merchant.Name}, {"merchant", "id", c.Merchant.ID}, {"merchant", "store", c.Merchant.Store},
		{"merchant", "store_id", c.Merchant.StoreID}, {"merchant", "terminal_id", c.Merchant.TerminalID},
		{"merchant", "footer", c.Merchant.Footer}, {"till", "order_title", c.Till.OrderTitle},
	} {
		if why := unprintable(f.v); why != "" {
			bad(f.section, f.key, "%s", why)
		}
	}
}

// checkTill checks [till]: currency, amounts, the PIN (terminal's rule), expiry.
func (c *Config) checkTill(bad badFunc) {
	cur, err := money.LookupCurrency(c.Till.Currency)
	if err != nil {
		bad("till", "currency", "%q is not an ISO 4217 currency code", c.Till.Currency)
	} else {
		var values [2]int64
		for i, a := range []struct{ key, v string }{{"min_amount", c.Till.MinAmount}, {"max_amount", c.Till.MaxAmount}} {
			if a.v == "" {
				continue
			}
			if amt, err := money.Parse(cur, a.v); err != nil || amt.Value <= 0 {
				bad("till", a.key, "%q is not a positive %s amount", a.v, cur)
			} else {
				values[i] = amt.Value
			}
		}
		if values[0] > 0 && values[1] > 0 && values[0] > values[1] {
			bad("till", "min_amount", "%s is more than max_amount %s: no amount could be charged", c.Till.MinAmount, c.Till.MaxAmount)
		}
	}
	if d := c.Till.ResultHold.Duration; d < 0 || d > time.Hour {
		bad("till", "result_hold", "%v must be between 0 (until a key) and 1h", d)
	}
	if err := terminal.CheckPIN(c.Till.ManagerPIN); err != nil {
		bad("till", "manager_pin", "%v", err)
	}
	if c.Till.OrderTitle == "" || len(c.Till.OrderTitle) > 256 {
		bad("till", "order_title", "must be 1 to 256 characters (sent as order.orderDescription)")
	}
	// The Order Code page allows paymentExpiryTime under 30 minutes
	// (https://docs.antom.com/ac/ams/oc).
	if d := c.Till.PaymentExpiry.Duration; d < time.Minute || d >= 30*time.Minute {
		bad("till", "payment_expiry", "%v must be at least 1m and under 30m (Alipay refuses a longer order code expiry)", d)
	}
}

// checkAlipay checks [alipay]: the client, the keys, the gateway and notifications.
func (c *Config) checkAlipay(bad badFunc) {
	if c.Alipay.ClientID == "" {
		bad("alipay", "client_id", "required: the client id from the Antom dashboard")
	}
	if c.Alipay.PrivateKeyFile == "" {
		bad("alipay", "private_key_file", "required (or a systemd credential named merchant-key)")
	}
	if c.Alipay.AlipayPublicKeyFile == "" {
		bad("alipay", "alipay_public_key_file", "required: Antom's public key from the dashboard")
	}
	if c.Alipay.KeyVersion < 1 {
		bad("alipay", "key_version", "%d must be 1 or more", c.Alipay.KeyVersion)
	}
	if u, err := url.Parse(c.Alipay.Gateway); err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		shown := c.Alipay.Gateway
		if u != nil {
			shown = u.Redacted() // never echo a password
		}
		bad("alipay", "gateway", "%q must be https://host[:port] without a user, path or query, e.g. %s", shown, alipay.HostAsia)
	}
	if p := c.Alipay.PathPrefix; p != "" && p != alipay.PrefixProduction && p != alipay.PrefixSandbox {
		bad("alipay", "path_prefix", "%q is not one of \"\", %s, %s", p, alipay.PrefixProduction, alipay.PrefixSandbox)
	}
	if pin := strings.ReplaceAll(c.Alipay.PinSHA256, ":", ""); pin != "" && (len(pin) != 64 || strings.Trim(strings.ToLower(pin), "0123456789abcdef") != "") {
		bad("alipay", "pin_sha256", "must be 64 hex digits (colons allowed)")
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"pay_timeout", c.Alipay.PayTimeout.Duration}, {"call_timeout", c.Alipay.CallTimeout.Duration}, {"connect_timeout", c.Alipay.ConnectTimeout.Duration}} {
		if d.v <= 0 || d.v > 2*time.Minute {
			bad("alipay", d.key, "%v must be between 1ms and 2m", d.v)
		}
	}
	// paymentNotifyUrl is required in every pay (https://docs.antom.com/ac/ams/oc).
	if u, err := url.Parse(c.Alipay.NotifyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		bad("alipay", "notify_url", "%q must be an absolute http(s) URL without a user or query: AMS requires paymentNotifyUrl in every pay", c.Alipay.NotifyURL)
	}
	if c.Alipay.NotifyListen != "" {
		if _, _, err := net.SplitHostPort(c.Alipay.NotifyListen); err != nil {
			bad("alipay", "notify_listen", "%q is not host:port", c.Alipay.NotifyListen)
		}
	}
}

// checkOutbox checks [outbox].
func (c *Config) checkOutbox(bad badFunc) {
	if c.Outbox.Path == "" {
		bad("outbox", "path", "required")
	}
	if c.Outbox.Retention.Duration < 24*time.Hour {
		bad("outbox", "retention", "%v is less than 24h: settlement reconciliation needs the records", c.Outbox.Retention.Duration)
	} else if c.Outbox.Retention.Duration > 10*365*24*time.Hour {
		bad("outbox", "retention", "%v is more than 10 years", c.Outbox.Retention.Duration)
	}
}

// checkKeypad checks [keypad].
func (c *Config) checkKeypad(bad badFunc) {
	bad.oneOf("keypad.matrix", "layout", c.Keypad.Matrix.Layout, "4x4", "4x3")
	if m := c.Keypad.Matrix; len(m.Rows) > 0 || len(m.Cols) > 0 {
		wantCols := 4
		if m.Layout == "4x3" {
			wantCols = 3
		}
		if len(m.Rows) != 4 {
			bad("keypad.matrix", "rows", "%d pins given, a %s pad has 4 rows", len(m.Rows), m.Layout)
		}
		if len(m.Cols) != wantCols {
			bad("keypad.matrix", "cols", "%d pins given, a %s pad has %d columns", len(m.Cols), m.Layout, wantCols)
		}
	}
}

// checkPrinter checks [printer]; paper and code page names are the printer package's.
func (c *Config) checkPrinter(bad badFunc) {
	p := c.Printer
	bad.oneOf("printer", "kind", p.Kind, "none", "serial", "usb", "tcp", "virtual")
	switch p.Kind {
	case "serial", "usb":
		if p.Device == "" {
			bad("printer", "device", "required for a %s printer, e.g. %s", p.Kind, map[string]string{"serial": "/dev/ttyUSB0", "usb": "/dev/usb/lp0"}[p.Kind])
		}
	case "tcp":
		if _, _, err := net.SplitHostPort(p.Address); err != nil {
			bad("printer", "address", "%q is not host:port (usually port 9100)", p.Address)
		}
	case "virtual":
		if p.Dir == "" {
			bad("printer", "dir", "required for the virtual printer: where receipt PNGs go")
		}
	}
	if !slices.Contains(standardBauds, p.Baud) {
		bad("printer", "baud", "%d is not a standard rate", p.Baud)
	}
	bad.oneOf("printer", "parity", p.Parity, "none", "even", "odd")
	if p.DataBits != 7 && p.DataBits != 8 {
		bad("printer", "data_bits", "%d must be 7 or 8", p.DataBits)
	}
	if p.StopBits != 1 && p.StopBits != 2 {
		bad("printer", "stop_bits", "%d must be 1 or 2", p.StopBits)
	}
	bad.oneOf("printer", "flow", p.Flow, "status", "cts", "dsr")
	if p.Status != "" { // "" (a Config built in code) is the default, dle-eot
		bad.oneOf("printer", "status", p.Status, "dle-eot", "none")
	}
	if _, err := printer.PaperByName(p.Paper); err != nil {
		bad("printer", "paper", "%v", err)
	}
	if _, err := printer.CodePageByName(p.CodePage); err != nil {
		bad("printer", "code_page", "%v", err)
	}
}

// checkDisplay checks the display tables; what a driver needs is the
// display package's rule.
func (c *Config) checkDisplay(bad badFunc) {
	for _, role := range c.extraDisplays {
		bad("display", "role", "more than one display with role %q", role)
	}
	bad.oneOf("display", "role", c.Display.Role, "customer", "cashier")
	checkOneDisplay(c.Display, bad)
	if c.Cashier.Kind == "none" {
		return
	}
	checkOneDisplay(c.Cashier, func(section, key, format string, args ...any) {
		bad(section, key, "cashier display: "+format, args...)
	})
	// The cashier's page carries the till's own view (alerts, the
	// manager menu): only a browser on this machine may open it.
	if host, _, err := net.SplitHostPort(c.Cashier.Listen); c.Cashier.Kind == "kiosk" && err == nil && !loopbackHost(host) {
		bad("display", "listen", "cashier display: %q is not a loopback address: the cashier's page is for a browser on this machine", c.Cashier.Listen)
	}
}

// loopbackHost reports whether host (from host:port) is this machine only.
func loopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func checkOneDisplay(d Display, bad badFunc) {
	if d.Kind != "none" {
		for _, p := range (display.Config{Driver: d.Kind, Device: d.Device, Width: d.Width, Height: d.Height, DC: d.DC}).Problems() {
			if p.Field == "driver" {
				p.Field = "kind"
			}
			bad("display", p.Field, "%s", p.Why)
		}
	}
	for _, name := range d.Languages {
		if _, err := lang.Parse(name); err != nil {
			bad("display", "languages", "%v", err)
		}
	}
	if len(d.Languages) > 3 {
		bad("display", "languages", "at most 3 languages fit a screen, got %d", len(d.Languages))
	}
	if d.I2CAddr < 0 || d.I2CAddr > 0x7F {
		bad("display", "i2c_addr", "%#x is not a 7-bit I2C address", d.I2CAddr)
	}
	if d.MADCTL < 0 || d.MADCTL > 0xFF {
		bad("display", "madctl", "%#x does not fit a byte", d.MADCTL)
	}
	if d.Kind == "kiosk" {
		if _, _, err := net.SplitHostPort(d.Listen); err != nil {
			bad("display", "listen", "%q is not host:port", d.Listen)
		}
	}
}

// checkLocal checks [api], [metrics] and [log]: what stays on the box.
func (c *Config) checkLocal(bad badFunc) {
	if c.API.Socket == "" || !filepath.IsAbs(c.API.Socket) {
		bad("api", "socket", "%q must be an absolute path", c.API.Socket)
	}
	if c.Metrics.Listen != "" {
		if host, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			bad("metrics", "listen", "%q is not host:port", c.Metrics.Listen)
		} else if !loopbackHost(host) {
			bad("metrics", "listen", "%q is not a loopback address: metrics stay on the box", c.Metrics.Listen)
		}
	}
	bad.oneOf("log", "level", c.Log.Level, "debug", "info", "warn", "error")
	bad.oneOf("log", "format", c.Log.Format, "text", "json")
}
