package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/posd/posd/alipay/alipaytest"
)

// checkSetup writes the example configuration with real key files and an
// outbox path in a temporary directory, and returns the file and its
// directory; edit changes the configuration text.
func checkSetup(t *testing.T, edit func(string) string) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	v := alipaytest.Load(t)
	merchant, gateway := v.Pair(t, "merchant"), v.Pair(t, "gateway")
	if err := os.WriteFile(filepath.Join(dir, "merchant-key.pem"), []byte(merchant.PrivateKeyPkcs8Pem), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alipay-public-key.pem"), []byte(gateway.PublicKeySpkiPem), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "merchant-public-key.pem"), []byte(merchant.PublicKeySpkiPem), 0o644); err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("posd.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.NewReplacer(
		`"/etc/posd/merchant-key.pem"`, `"`+filepath.Join(dir, "merchant-key.pem")+`"`,
		`"/etc/posd/alipay-public-key.pem"`, `"`+filepath.Join(dir, "alipay-public-key.pem")+`"`,
		`"/var/lib/posd/posd.db"`, `"`+filepath.Join(dir, "posd.db")+`"`,
	).Replace(string(example))
	if edit != nil {
		conf = edit(conf)
	}
	path = filepath.Join(dir, "posd.toml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// posd -check used to read the file only: posd then refused to start on
// the keys or the outbox that -check had passed. It now checks what the
// start checks (without devices or ports), every problem once, as
// "FILE: [section] key: why".
func TestCheckChecksWhatTheStartChecks(t *testing.T) {
	fifo := func(dir string) {
		p := filepath.Join(dir, "merchant-key.pem")
		os.Remove(p)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	for _, c := range []struct {
		name  string
		edit  func(string) string
		setup func(dir string)
		want  string // on stderr, once; "" means -check passes
	}{
		{name: "all good"},
		{name: "key readable by others", setup: func(dir string) { os.Chmod(filepath.Join(dir, "merchant-key.pem"), 0o644) },
			want: "posd.toml: [alipay] private_key_file: "},
		{name: "key missing", setup: func(dir string) { os.Remove(filepath.Join(dir, "merchant-key.pem")) },
			want: "posd.toml: [alipay] private_key_file: "},
		{name: "key is a FIFO", setup: fifo, want: "posd.toml: [alipay] private_key_file: "},
		{name: "key is a directory", setup: func(dir string) {
			os.Remove(filepath.Join(dir, "merchant-key.pem"))
			os.Mkdir(filepath.Join(dir, "merchant-key.pem"), 0o700)
		}, want: "is a directory"},
		{name: "swapped pair", edit: func(s string) string {
			return strings.Replace(s, "alipay-public-key.pem", "merchant-public-key.pem", 1)
		},
			want: "posd.toml: [alipay] alipay_public_key_file: "},
		{name: "public key is garbage", setup: func(dir string) { os.WriteFile(filepath.Join(dir, "alipay-public-key.pem"), []byte("hello"), 0o644) },
			want: "posd.toml: [alipay] alipay_public_key_file: "},
		{name: "empty outbox", setup: func(dir string) { os.WriteFile(filepath.Join(dir, "posd.db"), nil, 0o600) },
			want: "posd.toml: [outbox] path: "},
		{name: "min above max", edit: func(s string) string { return strings.Replace(s, `min_amount = "0.01"`, `min_amount = "9000"`, 1) },
			want: "posd.toml: [till] min_amount: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, dir := checkSetup(t, c.edit)
			if c.setup != nil {
				c.setup(dir)
			}
			var out, errb strings.Builder
			code := posd([]string{"-config", path, "-check"}, &out, &errb, env(nil))
			if c.want == "" {
				if code != exitOK || !strings.Contains(out.String(), path+": ok") {
					t.Fatalf("-check: %d %q %q", code, out.String(), errb.String())
				}
				return
			}
			if code != exitFail || strings.Count(errb.String(), c.want) != 1 {
				t.Fatalf("-check: exit %d, stderr %q; want %q once", code, errb.String(), c.want)
			}
			if strings.Contains(out.String(), c.want) {
				t.Fatalf("the problem is also on stdout: %q", out.String())
			}
		})
	}
}

// The start refuses what -check refuses, in the same words, printed once.
func TestStartRefusalPrintedOnce(t *testing.T) {
	path, dir := checkSetup(t, nil)
	os.Chmod(filepath.Join(dir, "merchant-key.pem"), 0o640)
	var out, errb strings.Builder
	code := posd([]string{"-config", path}, &out, &errb, env(nil))
	const want = "posd.toml: [alipay] private_key_file: "
	if code != exitFail || strings.Count(errb.String()+out.String(), want) != 1 || !strings.Contains(errb.String(), "chmod 600") {
		t.Fatalf("start: exit %d\nstdout %q\nstderr %q\nwant %q once", code, out.String(), errb.String(), want)
	}
}

// A customer display page on a non-loopback address is allowed but
// warned about, by -check and at the start.
func TestCheckWarnsAboutAnOpenDisplay(t *testing.T) {
	path, _ := checkSetup(t, func(s string) string {
		return strings.Replace(s, `listen = "127.0.0.1:8080"`, `listen = "0.0.0.0:8080"`, 1)
	})
	var out, errb strings.Builder
	if code := posd([]string{"-config", path, "-check"}, &out, &errb, env(nil)); code != exitOK ||
		!strings.Contains(out.String(), `posd.toml: [display] listen: "0.0.0.0:8080" is not a loopback address`) {
		t.Fatalf("-check: %d %q %q", code, out.String(), errb.String())
	}
}
