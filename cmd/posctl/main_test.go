package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
)

func loadVectors(t *testing.T) alipaytest.Vectors { return alipaytest.Load(t) }

// posctl runs the command in-process with body on stdin.
func posctl(body string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, stdio{strings.NewReader(body), &out, &errb})
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKeygen(t *testing.T) {
	out := filepath.Join(t.TempDir(), "merchant.pem")
	code, stdout, stderr := posctl("", "keygen", "--out", out)
	if code != 0 {
		t.Fatalf("keygen: %d %s", code, stderr)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", fi.Mode(), err)
	}
	data, _ := os.ReadFile(out)
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("not PKCS#8 PEM: %q", data[:30])
	}
	key, err := alipay.LoadPrivateKey(out)
	if err != nil || key.N.BitLen() != 2048 {
		t.Fatalf("generated key: %v", err)
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSuffix(stdout, "\n")
	if strings.ContainsAny(line, "\n -") {
		t.Fatalf("public key is not one line of base64: %q", stdout)
	}
	pub, err := alipay.ParsePublicKey([]byte(line))
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("printed public key does not match: %v", err)
	}
	if strings.Contains(stdout+stderr, string(block.Bytes[:16])) || strings.Contains(stdout, "PRIVATE") {
		t.Fatal("private key material printed")
	}
	code, _, stderr = posctl("", "keygen", "--out", out)
	after, _ := os.ReadFile(out)
	if code != 1 || !strings.Contains(stderr, "refusing to overwrite") || !bytes.Equal(after, data) {
		t.Fatalf("second keygen: %d %s", code, stderr)
	}
	if code, _, _ := posctl("", "keygen"); code != 2 {
		t.Errorf("keygen without --out: %d", code)
	}
}

func TestSignVectorsEveryKeyForm(t *testing.T) {
	v := loadVectors(t)
	m := v.Keys[0]
	key, err := alipay.ParsePrivateKey([]byte(m.PrivateKeyPkcs8Base64))
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{
		"pkcs8 base64": m.PrivateKeyPkcs8Base64,
		"pkcs8 pem":    m.PrivateKeyPkcs8Pem,
		"pkcs1 pem":    string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
	}
	for form, text := range forms {
		keyFile := writeFile(t, "key", text, 0o600)
		for _, sv := range v.SigningVectors {
			code, stdout, stderr := posctl(sv.Body, "sign", "--key", keyFile, "--client-id", sv.ClientID, "--time", sv.RequestTime,
				"--path", sv.Path, "--method", sv.Method, "--key-version", sv.KeyVersion)
			if code != 0 || stdout != sv.SignatureHeader+"\n" {
				t.Errorf("%s %s: %d %q %s", form, sv.ID, code, stdout, stderr)
			}
		}
	}
	loose := writeFile(t, "key", m.PrivateKeyPkcs8Pem, 0o644)
	code, _, stderr := posctl("{}", "sign", "--key", loose, "--client-id", "C", "--time", "1", "--path", "/p")
	if code != 1 || !strings.Contains(stderr, "chmod 600") || strings.Contains(stderr, m.PrivateKeyPkcs8Base64[30:50]) {
		t.Errorf("world-readable key: %d %s", code, stderr)
	}
	if code, _, _ := posctl("", "sign", "--key", loose); code != 2 {
		t.Errorf("missing flags: %d", code)
	}
}

func TestVerifyCases(t *testing.T) {
	v := loadVectors(t)
	pubFiles := map[string][]string{}
	for _, k := range v.Keys {
		pubFiles[k.Role] = []string{writeFile(t, k.Role+".b64", k.PublicKeySpkiBase64, 0o644), writeFile(t, k.Role+".pem", k.PublicKeySpkiPem, 0o644)}
	}
	for _, c := range v.VerificationCases {
		for _, f := range pubFiles[c.VerifyWithKey] {
			code, stdout, stderr := posctl(c.Body, "verify", "--pubkey", f, "--client-id", c.ClientID, "--time", c.TimeHeaderValue,
				"--path", c.Path, "--signature", c.SignatureHeader, "--method", c.Method)
			switch {
			case c.ExpectedValid && (code != 0 || stdout != "valid\n"):
				t.Errorf("%s: %d %q %s", c.ID, code, stdout, stderr)
			case !c.ExpectedValid && (code != 1 || stdout != "" || !strings.HasPrefix(stderr, "posctl: invalid: ")):
				t.Errorf("%s: %d %q %q", c.ID, code, stdout, stderr)
			}
		}
	}
}

func TestVerifyHints(t *testing.T) {
	v := loadVectors(t)
	sv := v.SigningVectors[0] // merchant-signed, production path
	pub := writeFile(t, "merchant.pub", v.Keys[0].PublicKeySpkiBase64, 0o644)
	verify := func(body, path string) (int, string) {
		code, _, stderr := posctl(body, "verify", "--pubkey", pub, "--client-id", sv.ClientID, "--time", sv.RequestTime, "--path", path, "--signature", sv.SignatureHeader)
		return code, stderr
	}
	if code, stderr := verify(sv.Body+"\n", sv.Path); code != 1 || !strings.Contains(stderr, "trailing newline") {
		t.Errorf("echo without -n: %d %s", code, stderr)
	}
	sandbox := strings.Replace(sv.Path, "/ams/api/", "/ams/sandbox/api/", 1)
	if code, stderr := verify(sv.Body, sandbox); code != 1 || !strings.Contains(stderr, "valid for path "+sv.Path) {
		t.Errorf("wrong prefix: %d %s", code, stderr)
	}
	priv := writeFile(t, "merchant.key", v.Keys[0].PrivateKeyPkcs8Pem, 0o600)
	code, _, stderr := posctl(sv.Body, "verify", "--pubkey", priv, "--client-id", "C", "--time", "1", "--path", "/p", "--signature", sv.SignatureHeader)
	if code != 1 || !strings.Contains(stderr, "private key") {
		t.Errorf("private key given as --pubkey: %d %s", code, stderr)
	}
}

func TestDispatch(t *testing.T) {
	if code, _, stderr := posctl("", "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") || !strings.Contains(stderr, "keygen") {
		t.Errorf("unknown command: %d %s", code, stderr)
	}
	if code, _, stderr := posctl(""); code != 2 || !strings.Contains(stderr, "usage") {
		t.Errorf("no command: %d %s", code, stderr)
	}
	if code, _, _ := posctl("", "help"); code != 0 {
		t.Errorf("help: %d", code)
	}
	if code, stdout, _ := posctl("", "sign", "-h"); code != 0 || !strings.Contains(stdout, "-key-version") {
		t.Errorf("sign -h: %d %s", code, stdout)
	}
	if code, _, _ := posctl("", "verify", "--pubkey", "x", "extra"); code != 2 {
		t.Errorf("stray argument: %d", code)
	}
}

// Issue 15, item 8: posctl -h and --help list every command with its line;
// posctl CMD -h (and posctl help CMD) show the command's arguments and
// flags on stdout and exit 0.
func TestHelp(t *testing.T) {
	cmds := commands()
	for _, h := range [][]string{{"-h"}, {"--help"}, {"help"}, {"--socket", "/nowhere", "-h"}} {
		code, stdout, _ := posctl("", h...)
		if code != 0 {
			t.Errorf("%q: exit %d", h, code)
		}
		for name, c := range cmds {
			if !strings.Contains(stdout, "  "+name+strings.Repeat(" ", 17-len(name))+c.summary+"\n") {
				t.Errorf("%q does not list %s with its line:\n%s", h, name, stdout)
			}
		}
	}
	for name := range cmds {
		if _, ok := synopses[name]; !ok {
			t.Errorf("%s has no synopsis", name)
		}
		for _, args := range [][]string{{name, "-h"}, {name, "--help"}, {"help", name}} {
			code, stdout, _ := posctl("", args...)
			if code != 0 || !strings.Contains(stdout, "usage: posctl "+name+" "+synopses[name]+"\n") || !strings.Contains(stdout, "flags:") {
				t.Errorf("%q: exit %d\n%s", args, code, stdout)
			}
		}
	}
	if code, stdout, _ := posctl("", "--version"); code != 0 || stdout != "posctl dev\n" {
		t.Errorf("--version: %d %q", code, stdout)
	}
}
