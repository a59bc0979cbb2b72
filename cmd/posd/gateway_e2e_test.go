package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// writeMerchantKey writes a new merchant key to path as posd reads it
// (PKCS#8 PEM, mode 0600) and returns it.
func writeMerchantKey(t testing.TB, path string) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, alipay.MinKeyBits)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return key
}

// testGateway is amssim over TLS for a posd the test configures itself.
type testGateway struct {
	sim      *amssim.Simulator
	srv      *httptest.Server
	keyFile  string // the merchant's private key, in dir
	platform string // the gateway's public key, in dir
	pin      string // hex SHA-256 of the gateway's TLS certificate
}

// startTestGateway writes a merchant key for clientID into dir and serves
// amssim (configured further by simCfg, if given) over TLS until the test ends.
func startTestGateway(t testing.TB, dir, clientID string, simCfg func(*amssim.Config)) *testGateway {
	t.Helper()
	g := &testGateway{keyFile: filepath.Join(dir, "merchant-key.pem"), platform: filepath.Join(dir, "alipay-public-key.txt")}
	key := writeMerchantKey(t, g.keyFile)
	cfg := amssim.Config{Merchants: []amssim.MerchantKey{{ClientID: clientID, PublicKey: &key.PublicKey}}}
	if simCfg != nil {
		simCfg(&cfg)
	}
	var err error
	if g.sim, err = amssim.New(cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = g.sim.Run(ctx) }()
	g.srv = httptest.NewTLSServer(g.sim)
	t.Cleanup(g.srv.Close)
	pin := sha256.Sum256(g.srv.Certificate().Raw)
	g.pin = hex.EncodeToString(pin[:])
	if err := os.WriteFile(g.platform, []byte(g.sim.GatewayPublicKeyBase64()), 0o644); err != nil {
		t.Fatal(err)
	}
	return g
}
