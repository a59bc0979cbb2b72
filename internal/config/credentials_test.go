package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/alipay"
)

// writeKeyPair writes a merchant key (mode 0600) and a platform public key
// into dir and returns their paths and the private key's PEM.
func writeKeyPair(t testing.TB, dir string) (privPath, pubPath string, privPEM []byte) {
	t.Helper()
	merchant, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	platform, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(merchant)
	if err != nil {
		t.Fatal(err)
	}
	privPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	privPath = filepath.Join(dir, "merchant-key.pem")
	if err := os.WriteFile(privPath, privPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := alipay.PublicKeyBase64(&platform.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPath = filepath.Join(dir, "alipay-public-key.txt")
	if err := os.WriteFile(pubPath, []byte(pub), 0o644); err != nil {
		t.Fatal(err)
	}
	return privPath, pubPath, privPEM
}

func TestMerchantKeyPath(t *testing.T) {
	creds := t.TempDir()
	if err := os.WriteFile(filepath.Join(creds, credentialName), []byte("x"), 0o400); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, c := range []struct {
		name, configured, credDir, want string
		fails                           bool
	}{
		{"systemd credential wins", "/etc/posd/merchant-key.pem", creds, filepath.Join(creds, credentialName), false},
		{"credential dir without the key", "/etc/posd/merchant-key.pem", empty, "/etc/posd/merchant-key.pem", false},
		{"no systemd", "/etc/posd/merchant-key.pem", "", "/etc/posd/merchant-key.pem", false},
		{"nothing at all", "", "", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := merchantKeyPath(c.configured, env(map[string]string{"CREDENTIALS_DIRECTORY": c.credDir}))
			if (err != nil) != c.fails || got != c.want {
				t.Fatalf("got %q, %v", got, err)
			}
			if err != nil && !errors.Is(err, ErrKey) {
				t.Fatalf("%v is not ErrKey", err)
			}
		})
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	privPath, pubPath, privPEM := writeKeyPair(t, dir)
	priv, pub, err := LoadKeys(Alipay{PrivateKeyFile: privPath, AlipayPublicKeyFile: pubPath}, env(nil))
	if err != nil || priv == nil || pub == nil {
		t.Fatalf("LoadKeys: %v", err)
	}

	// The merchant's own public key where Antom's belongs: refused.
	own, err := alipay.PublicKeyBase64(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	mixed := filepath.Join(dir, "own.txt")
	if err := os.WriteFile(mixed, []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadKeys(Alipay{PrivateKeyFile: privPath, AlipayPublicKeyFile: mixed}, env(nil)); !errors.Is(err, alipay.ErrKeyMixup) {
		t.Fatalf("mix-up: %v", err)
	}

	// A key others can read: refused, naming the file, never quoting it.
	if err := os.Chmod(privPath, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadKeys(Alipay{PrivateKeyFile: privPath, AlipayPublicKeyFile: pubPath}, env(nil))
	if !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), privPath) {
		t.Fatalf("loose mode: %v", err)
	}
	body := strings.Split(string(privPEM), "\n")[1]
	if strings.Contains(err.Error(), body[:20]) {
		t.Fatal("key bytes in the error")
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
