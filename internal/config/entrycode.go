package config

import (
	"net"
	"net/url"
	"strings"
)

// EntryCode is the [entry_code] section: a static QR at the till that opens
// posd's entry page in the Alipay wallet, where the customer types the
// amount (https://docs.antom.com/ac/ams/ec).
type EntryCode struct {
	Enabled bool   `toml:"enabled"`
	URL     string `toml:"url"`
	Listen  string `toml:"listen"`
	Preset  bool   `toml:"preset"`
}

// EntryURL is the parsed entry page URL; ok is false when Entry Code is off
// or the URL is unusable (Check says why).
func (c *Config) EntryURL() (u *url.URL, ok bool) {
	if !c.EntryCode.Enabled {
		return nil, false
	}
	u, err := url.Parse(c.EntryCode.URL)
	if err != nil || !entryURLUsable(u) {
		return nil, false
	}
	return u, true
}

// EntryListen is the address that serves the entry page: its own, or the
// notification listener's.
func (c *Config) EntryListen() string {
	if c.EntryCode.Listen != "" {
		return c.EntryCode.Listen
	}
	return c.Alipay.NotifyListen
}

// entryURLUsable: an absolute http(s) URL with a path of its own and no
// user, query or fragment; the result page is that path + "/result/ID" and
// AMS takes paymentRedirectUrl without a query (https://docs.antom.com/ac/ams/ec).
func entryURLUsable(u *url.URL) bool {
	return (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil &&
		u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery &&
		strings.HasPrefix(u.Path, "/") && strings.Trim(u.Path, "/") != "" && !strings.HasSuffix(u.Path, "/") &&
		!strings.ContainsAny(u.Path, "%?#\\")
}

// checkEntryCode checks [entry_code].
func (c *Config) checkEntryCode(bad badFunc) {
	e := c.EntryCode
	if e.Listen != "" {
		if _, _, err := net.SplitHostPort(e.Listen); err != nil {
			bad("entry_code", "listen", "%q is not host:port", e.Listen)
		}
	}
	if !e.Enabled {
		return
	}
	u, err := url.Parse(e.URL)
	if err != nil || !entryURLUsable(u) {
		bad("entry_code", "url", "%q must be an absolute http(s) URL with a path, no trailing '/', user, query or fragment: the static QR encodes it", e.URL)
	} else if n, err := url.Parse(c.Alipay.NotifyURL); err == nil && (n.Path == u.Path || strings.HasPrefix(n.Path, u.Path+"/")) {
		bad("entry_code", "url", "path %q overlaps notify_url's %q", u.Path, n.Path)
	}
	if c.EntryListen() == "" {
		bad("entry_code", "listen", "empty and [alipay] notify_listen is empty too: nothing would serve the entry page")
	}
}

// entryWarnings: a page where money is typed should be https.
func (c *Config) entryWarnings(name string) []error {
	if u, ok := c.EntryURL(); ok && u.Scheme == "http" {
		return []error{&Error{File: name, Where: "[entry_code] url",
			Why: "is http: customers' amounts and the wallet redirect travel in clear; serve it as https behind the reverse proxy (warning)"}}
	}
	return nil
}
