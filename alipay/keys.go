package alipay

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"syscall"
)

// MinKeyBits is the smallest RSA modulus accepted for either key. AMS keys
// are RSA-2048 (https://docs.antom.com/ac/ams/digital_signature).
const MinKeyBits = 2048

// ParsePrivateKey reads the merchant private key in any form integrators
// are handed: PKCS#8 DER as one line of base64 without armour (what the
// Antom dashboard and the Go/Java SDKs take), PKCS#8 PEM ("BEGIN PRIVATE
// KEY") or PKCS#1 PEM ("BEGIN RSA PRIVATE KEY", what the Python SDK loads).
// The key must be RSA of at least MinKeyBits. Errors never quote the input.
func ParsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	data = bytes.TrimSpace(data)
	var key any
	if block, _ := pem.Decode(data); block != nil {
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
			return nil, fmt.Errorf("%w: found a PEM %q block where the merchant private key belongs", ErrKeyFormat, block.Type)
		default:
			return nil, fmt.Errorf("%w: unsupported PEM block %q (want PRIVATE KEY or RSA PRIVATE KEY)", ErrKeyFormat, block.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: PEM %q: %v", ErrKeyFormat, block.Type, err)
		}
	} else {
		der, err := decodeBase64Key(data)
		if err != nil {
			return nil, fmt.Errorf("%w: private key is neither PEM nor base64 PKCS#8", ErrKeyFormat)
		}
		key, err = x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			if _, pubErr := x509.ParsePKIXPublicKey(der); pubErr == nil {
				return nil, fmt.Errorf("%w: this base64 is a public key; the merchant private key belongs here", ErrKeyFormat)
			}
			return nil, fmt.Errorf("%w: base64 text is not a PKCS#8 private key: %v", ErrKeyFormat, err)
		}
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: private key is %T, AMS needs RSA", ErrKeyFormat, key)
	}
	if bits := rsaKey.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("%w: private key has %d bits", ErrKeyTooSmall, bits)
	}
	rsaKey.Precompute()
	return rsaKey, nil
}

// ParsePublicKey reads the platform public key: X.509 SubjectPublicKeyInfo
// DER as one line of base64 (how Antom hands it out) or as PEM ("BEGIN
// PUBLIC KEY"). The key must be RSA of at least MinKeyBits.
func ParsePublicKey(data []byte) (*rsa.PublicKey, error) {
	data = bytes.TrimSpace(data)
	var der []byte
	if block, _ := pem.Decode(data); block != nil {
		switch block.Type {
		case "PUBLIC KEY":
			der = block.Bytes
		case "PRIVATE KEY", "RSA PRIVATE KEY":
			return nil, fmt.Errorf("%w: found a private key where the platform public key belongs", ErrKeyFormat)
		default:
			return nil, fmt.Errorf("%w: unsupported PEM block %q (want PUBLIC KEY)", ErrKeyFormat, block.Type)
		}
	} else {
		var err error
		if der, err = decodeBase64Key(data); err != nil {
			return nil, fmt.Errorf("%w: public key is neither PEM nor base64 SubjectPublicKeyInfo", ErrKeyFormat)
		}
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if _, privErr := x509.ParsePKCS8PrivateKey(der); privErr == nil {
			return nil, fmt.Errorf("%w: this base64 is a private key; the platform public key belongs here", ErrKeyFormat)
		}
		return nil, fmt.Errorf("%w: not a SubjectPublicKeyInfo public key: %v", ErrKeyFormat, err)
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: public key is %T, AMS needs RSA", ErrKeyFormat, key)
	}
	if bits := rsaKey.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("%w: public key has %d bits", ErrKeyTooSmall, bits)
	}
	return rsaKey, nil
}

// decodeBase64Key accepts standard base64 with or without padding and with
// line breaks, as keys get pasted from dashboards and e-mails.
func decodeBase64Key(data []byte) ([]byte, error) {
	compact := bytes.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, data)
	if len(compact) == 0 {
		return nil, fmt.Errorf("empty")
	}
	return base64.StdEncoding.WithPadding(base64.NoPadding).DecodeString(string(bytes.TrimRight(compact, "=")))
}

// LoadPrivateKey reads and parses the merchant private key file. A file
// that group or others may access is refused: the key authorises payments.
// So is anything but a regular file: a FIFO would block the read forever.
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := readKeyFile(path, "private key", true)
	if err != nil {
		return nil, err
	}
	key, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// maxKeyFile bounds a key file: an RSA-4096 PEM is about 3 KiB.
const maxKeyFile = 64 << 10

// readKeyFile reads a key file that must be a regular file. It is checked
// before opening (a FIFO or a device would block open or read), opened
// without blocking, and checked again on the open file in case it was
// swapped in between.
func readKeyFile(path, what string, private bool) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("alipay: %s: %w", what, err)
	}
	if err := checkKeyFile(path, what, fi, private); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("alipay: %s: %w", what, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("alipay: %s: %w", what, err)
	}
	if err := checkKeyFile(path, what, fi, private); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("alipay: %s: %w", what, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%w: %s %s is larger than %d bytes", ErrKeyFormat, what, path, maxKeyFile)
	}
	return data, nil
}

func checkKeyFile(path, what string, fi os.FileInfo, private bool) error {
	switch m := fi.Mode(); {
	case m.IsDir():
		return fmt.Errorf("%w: %s %s is a directory, not a key file", ErrKeyFile, what, path)
	case !m.IsRegular():
		return fmt.Errorf("%w: %s %s is not a regular file (%s)", ErrKeyFile, what, path, fileKind(m))
	case private && m.Perm()&0o077 != 0:
		return fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s", ErrKeyPermissions, path, m.Perm(), path)
	}
	return nil
}

// fileKind names a non-regular file's type for the operator.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	}
	return "mode " + m.String()
}

// LoadPublicKey reads and parses the platform public key file.
func LoadPublicKey(path string) (*rsa.PublicKey, error) {
	data, err := readKeyFile(path, "public key", false)
	if err != nil {
		return nil, err
	}
	key, err := ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// CheckKeyPair catches the classic configuration mix-up: the merchant's own
// public key configured where the platform public key belongs. With it
// every reply fails verification, so posd refuses to start instead
// (https://docs.antom.com/ac/ams/digital_signature).
func CheckKeyPair(merchant *rsa.PrivateKey, platform *rsa.PublicKey) error {
	if merchant == nil || platform == nil {
		return fmt.Errorf("%w: both the merchant private key and the platform public key are required", ErrKeyFormat)
	}
	if merchant.PublicKey.Equal(platform) {
		return ErrKeyMixup
	}
	return nil
}

// PublicKeyBase64 returns a public key as one line of base64 SPKI DER, the
// form the Antom dashboard takes when the merchant uploads its key.
func PublicKeyBase64(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("alipay: encode public key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}
