package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/posd/posd/alipay"
)

// runKeygen writes a new RSA-2048 private key as PKCS#8 PEM with mode 0600,
// never over an existing file, and prints the public key as the one-line
// SPKI base64 the Antom dashboard takes.
func runKeygen(args []string, s stdio) int {
	flags := newFlags("keygen", s)
	out := flags.String("out", "", "file to create for the private key (PKCS#8 PEM, mode 0600)")
	if code := parseFlags(flags, args, "out"); code >= 0 {
		return code
	}
	key, err := rsa.GenerateKey(rand.Reader, alipay.MinKeyBits)
	if err != nil {
		return fail(s, "generate key: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fail(s, "encode key: %v", err)
	}
	if err := writeNewFile(*out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return fail(s, "%v", err)
	}
	pub, err := alipay.PublicKeyBase64(&key.PublicKey)
	if err != nil {
		return fail(s, "%v", err)
	}
	fmt.Fprintln(s.out, pub)
	return exitOK
}

// writeNewFile creates path with mode 0600, refusing to replace anything,
// and syncs it; a partial file is removed.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; refusing to overwrite a key", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
