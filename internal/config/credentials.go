package config

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
	path, err := merchantKeyPath(cfg.PrivateKeyFile, getenv)
	if err != nil {
		return nil, nil, err
	}
	priv, err := alipay.LoadPrivateKey(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	pub, err := alipay.LoadPublicKey(cfg.AlipayPublicKeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if err := alipay.CheckKeyPair(priv, pub); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return priv, pub, nil
}
