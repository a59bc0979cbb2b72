package daemon

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzHostPolicy feeds arbitrary Host headers to the listeners' check: it
// never panics, always accepts an IP literal, and accepts a name only if
// it is one of the policy's (never a name that merely contains one).
func FuzzHostPolicy(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8080", "[::1]:9464", "localhost", "pos.example.com", "evil.example:8080",
		"127.0.0.1.evil.example", "LOCALHOST.", "", ":", "[", "pos.example.com.evil", "xn--80ak6aa92e.com"} {
		f.Add(s)
	}
	p := newHostPolicy("127.0.0.1:8080", "pos.example.com")
	f.Fuzz(func(t *testing.T, host string) {
		ok := p.allows(host)
		h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
		if _, err := netip.ParseAddr(h); err == nil && !ok {
			t.Fatalf("IP literal %q refused", host)
		}
		if ok && strings.Contains(strings.ToLower(host), "evil") {
			t.Fatalf("%q accepted", host)
		}
	})
}

// FuzzLockoutFile loads arbitrary manager-lockout.json contents: never a
// panic, and anything not understood locks the menu (fail closed).
func FuzzLockoutFile(f *testing.F) {
	for _, s := range []string{`{"failures":2,"until":"2026-11-29T03:05:00Z"}`, `{"failures":0,"until":"0001-01-01T00:00:00Z"}`,
		"", "{", `{"failures":-1}`, `{"failures":1e9}`, `{"until":"tomorrow"}`, "null", `{"failures":1}{"failures":2}`} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data string) {
		path := filepath.Join(t.TempDir(), lockoutName)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := lockoutFile{path: path}.load(now, 5*time.Minute)
		if err != nil && !l.Until.Equal(now.Add(5*time.Minute)) {
			t.Fatalf("%q: unreadable but not locked: %+v", data, l)
		}
		if err == nil && (l.Failures < 0 || l.Failures > 1000) {
			t.Fatalf("%q: %d failures accepted", data, l.Failures)
		}
	})
}
