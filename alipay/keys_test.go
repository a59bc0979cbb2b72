package alipay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func pemBytes(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParsePrivateKeyForms(t *testing.T) {
	vf, keys := loadVectors(t)
	merchant := vf.Keys[0]
	if merchant.Role != "merchant" {
		t.Fatal("first vector key is not the merchant's")
	}
	pkcs1 := pemBytes("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(keys.merchant))
	wrapped := merchant.PrivateKeyPkcs8Base64[:64] + "\n" + merchant.PrivateKeyPkcs8Base64[64:] + "\n"
	for name, in := range map[string]string{
		"pkcs8 base64":              merchant.PrivateKeyPkcs8Base64,
		"pkcs8 base64 unpadded":     strings.TrimRight(merchant.PrivateKeyPkcs8Base64, "="),
		"pkcs8 base64 line-wrapped": wrapped,
		"pkcs8 pem":                 merchant.PrivateKeyPkcs8Pem,
		"pkcs1 pem":                 string(pkcs1),
	} {
		key, err := ParsePrivateKey([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !key.Equal(keys.merchant) {
			t.Errorf("%s: parsed a different key", name)
		}
	}
}

func TestParsePublicKeyForms(t *testing.T) {
	vf, keys := loadVectors(t)
	gw := vf.Keys[1]
	for name, in := range map[string]string{"spki base64": gw.PublicKeySpkiBase64, "spki pem": gw.PublicKeySpkiPem} {
		pub, err := ParsePublicKey([]byte(in))
		if err != nil || !pub.Equal(&keys.gateway.PublicKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	b64, err := PublicKeyBase64(&keys.gateway.PublicKey)
	if err != nil || b64 != gw.PublicKeySpkiBase64 {
		t.Errorf("PublicKeyBase64 = %q, %v", b64, err)
	}
}

// Every rejection names the problem and never echoes key material.
func TestParseKeyRejects(t *testing.T) {
	vf, _ := loadVectors(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPKCS8, _ := x509.MarshalPKCS8PrivateKey(small)
	smallSPKI, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecSPKI, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	m := vf.Keys[0]

	private := []struct {
		name string
		in   string
		err  error
	}{
		{"empty", "", ErrKeyFormat},
		{"garbage", "not a key at all!", ErrKeyFormat},
		{"public key base64", m.PublicKeySpkiBase64, ErrKeyFormat},
		{"public key pem", m.PublicKeySpkiPem, ErrKeyFormat},
		{"truncated base64", m.PrivateKeyPkcs8Base64[:200], ErrKeyFormat},
		{"pkcs8 bytes under pkcs1 label", string(pemBytes("RSA PRIVATE KEY", mustBase64(t, m.PrivateKeyPkcs8Base64))), ErrKeyFormat},
		{"1024-bit", base64.StdEncoding.EncodeToString(smallPKCS8), ErrKeyTooSmall},
		{"ecdsa", string(pemBytes("PRIVATE KEY", ecPKCS8)), ErrKeyFormat},
		{"certificate label", string(pemBytes("CERTIFICATE", []byte{1, 2, 3})), ErrKeyFormat},
	}
	for _, tt := range private {
		_, err := ParsePrivateKey([]byte(tt.in))
		if !errors.Is(err, tt.err) {
			t.Errorf("ParsePrivateKey(%s) = %v, want %v", tt.name, err, tt.err)
			continue
		}
		assertNoKeyMaterial(t, err, tt.in)
	}
	public := []struct {
		name string
		in   string
		err  error
	}{
		{"empty", "", ErrKeyFormat},
		{"private key base64", m.PrivateKeyPkcs8Base64, ErrKeyFormat},
		{"private key pem", m.PrivateKeyPkcs8Pem, ErrKeyFormat},
		{"1024-bit", base64.StdEncoding.EncodeToString(smallSPKI), ErrKeyTooSmall},
		{"ecdsa", string(pemBytes("PUBLIC KEY", ecSPKI)), ErrKeyFormat},
		{"pkcs1 public label", string(pemBytes("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&small.PublicKey))), ErrKeyFormat},
	}
	for _, tt := range public {
		_, err := ParsePublicKey([]byte(tt.in))
		if !errors.Is(err, tt.err) {
			t.Errorf("ParsePublicKey(%s) = %v, want %v", tt.name, err, tt.err)
			continue
		}
		assertNoKeyMaterial(t, err, tt.in)
	}
}

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertNoKeyMaterial fails if any 12-character run of the key text shows up in err.
func assertNoKeyMaterial(t *testing.T, err error, key string) {
	t.Helper()
	msg := err.Error()
	compact := strings.NewReplacer("\n", "", "-----BEGIN", "", "-----END", "", "PRIVATE KEY-----", "", "PUBLIC KEY-----", "").Replace(key)
	for i := 0; i+12 <= len(compact); i += 4 {
		if strings.Contains(msg, compact[i:i+12]) {
			t.Fatalf("error %q quotes key material %q", msg, compact[i:i+12])
		}
	}
}

func TestLoadPrivateKeyPermissions(t *testing.T) {
	vf, keys := loadVectors(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "merchant.pem")
	if err := os.WriteFile(path, []byte(vf.Keys[0].PrivateKeyPkcs8Pem), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := LoadPrivateKey(path)
	if err != nil || !key.Equal(keys.merchant) {
		t.Fatalf("LoadPrivateKey(0600) = %v", err)
	}
	for _, mode := range []os.FileMode{0o640, 0o644, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadPrivateKey(path)
		if !errors.Is(err, ErrKeyPermissions) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: %v; want ErrKeyPermissions naming the file and the fix", mode, err)
		}
	}
	if _, err := LoadPrivateKey(filepath.Join(dir, "absent.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte(vf.Keys[0].PublicKeySpkiPem), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivateKey(bad); !errors.Is(err, ErrKeyFormat) || !strings.Contains(err.Error(), bad) {
		t.Errorf("public key in private file: %v", err)
	}
}

func TestLoadPublicKey(t *testing.T) {
	vf, keys := loadVectors(t)
	path := filepath.Join(t.TempDir(), "platform.pub")
	if err := os.WriteFile(path, []byte(vf.Keys[1].PublicKeySpkiBase64+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(path)
	if err != nil || !pub.Equal(&keys.gateway.PublicKey) {
		t.Fatalf("LoadPublicKey = %v", err)
	}
}

func TestCheckKeyPair(t *testing.T) {
	_, keys := loadVectors(t)
	if err := CheckKeyPair(keys.merchant, &keys.gateway.PublicKey); err != nil {
		t.Errorf("correct pair: %v", err)
	}
	if err := CheckKeyPair(keys.merchant, &keys.merchant.PublicKey); !errors.Is(err, ErrKeyMixup) {
		t.Errorf("own public key as platform key: %v, want ErrKeyMixup", err)
	}
	if err := CheckKeyPair(keys.merchant, nil); !errors.Is(err, ErrKeyFormat) {
		t.Errorf("nil platform key: %v", err)
	}
}

// checkFuzzedKey holds for any input: either a key of at least MinKeyBits
// or an error of a known class.
func checkFuzzedKey(t *testing.T, bits int, err error) {
	if err == nil && bits < MinKeyBits {
		t.Fatalf("accepted a %d-bit key", bits)
	}
	if err != nil && !errors.Is(err, ErrKeyFormat) && !errors.Is(err, ErrKeyTooSmall) {
		t.Fatalf("unexpected error class: %v", err)
	}
}

func FuzzParsePrivateKey(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := ParsePrivateKey(data)
		if err != nil {
			checkFuzzedKey(t, 0, err)
			return
		}
		checkFuzzedKey(t, key.N.BitLen(), nil)
	})
}

func FuzzParsePublicKey(f *testing.F) {
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := ParsePublicKey(data)
		if err != nil {
			checkFuzzedKey(t, 0, err)
			return
		}
		checkFuzzedKey(t, key.N.BitLen(), nil)
	})
}

// A FIFO as a key path used to block posd's start forever (open waits for
// a writer, read for data); a directory read as an odd I/O error. Both are
// refused before opening, by kind.
func TestLoadKeyRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "merchant.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	keyDir := filepath.Join(dir, "keys")
	if err := os.Mkdir(keyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path, want string
	}{
		{fifo, "is not a regular file (a FIFO)"},
		{keyDir, "is a directory"},
		{os.DevNull, "is not a regular file (a character device)"},
	}
	for _, c := range cases {
		for name, load := range map[string]func(string) error{
			"private": func(p string) error { _, err := LoadPrivateKey(p); return err },
			"public":  func(p string) error { _, err := LoadPublicKey(p); return err },
		} {
			done := make(chan error, 1)
			go func() { done <- load(c.path) }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrKeyFile) || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s key %s: %v; want ErrKeyFile naming the file and %q", name, c.path, err, c.want)
				}
			case <-time.After(10 * time.Second):
				// Unblock the stuck open so the test can end.
				if w, err := os.OpenFile(c.path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					w.Close()
				}
				t.Fatalf("%s key %s: still loading after 10s: a non-regular file blocks the start", name, c.path)
			}
		}
	}
}
