package alipay

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
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
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	if err := checkPrivateFileMode(path); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("alipay: private key: %w", err)
	}
	key, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

func checkPrivateFileMode(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("alipay: private key: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s", ErrKeyPermissions, path, perm, path)
	}
	return nil
}

// LoadPublicKey reads and parses the platform public key file.
func LoadPublicKey(path string) (*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("alipay: public key: %w", err)
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
