package config

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/posd/posd/alipay"
)

// credentialName is the LoadCredential= name in systemd/posd.service.
const credentialName = "merchant-key"

// merchantKeyPath picks the merchant key: the systemd credential
// $CREDENTIALS_DIRECTORY/merchant-key when systemd passed one
// (https://systemd.io/CREDENTIALS/), else the configured file.
func merchantKeyPath(configured string, getenv func(string) string) (string, error) {
	if dir := getenv("CREDENTIALS_DIRECTORY"); dir != "" {
		p := filepath.Join(dir, credentialName)
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%w: credential %s: %w", ErrKey, p, err)
		}
	}
	if configured == "" {
		return "", fmt.Errorf("%w: no credential %q and no [alipay] private_key_file", ErrKey, credentialName)
	}
	return configured, nil
}

// LoadKeys reads the merchant private key and Antom's public key. The
// errors name the files, never their contents.
func LoadKeys(cfg Alipay, getenv func(string) string) (*rsa.PrivateKey, *rsa.PublicKey, error) {
	priv, pub, _, err := loadKeys(cfg, getenv)
	return priv, pub, err
}

// Keys is LoadKeys for posd and posd -check: a problem is an *Error
// "posd.toml: [alipay] private_key_file: why" that still matches ErrKey
// and alipay's key errors.
func (c *Config) Keys(getenv func(string) string) (*rsa.PrivateKey, *rsa.PublicKey, error) {
	priv, pub, key, err := loadKeys(c.Alipay, getenv)
	if err != nil {
		why := strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrKey.Error()+": "), "alipay: ")
		return nil, nil, &Error{File: c.FileName(), Where: "[alipay] " + key, Why: why, Err: err}
	}
	return priv, pub, nil
}

// loadKeys also says which key a problem is about.
func loadKeys(cfg Alipay, getenv func(string) string) (_ *rsa.PrivateKey, _ *rsa.PublicKey, key string, _ error) {
	const privKey, pubKey = "private_key_file", "alipay_public_key_file"
	path, err := merchantKeyPath(cfg.PrivateKeyFile, getenv)
	if err != nil {
		return nil, nil, privKey, err
	}
	priv, err := alipay.LoadPrivateKey(path)
	if err != nil {
		return nil, nil, privKey, fmt.Errorf("%w: %w", ErrKey, err)
	}
	pub, err := alipay.LoadPublicKey(cfg.AlipayPublicKeyFile)
	if err != nil {
		return nil, nil, pubKey, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if err := alipay.CheckKeyPair(priv, pub); err != nil {
		return nil, nil, pubKey, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return priv, pub, "", nil
}
