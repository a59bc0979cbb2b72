package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
)

// TestRegister registers a store with amssim over TLS, then follows it with --status.
func TestRegister(t *testing.T) {
	merchant, gateway := alipaytest.Keys(t)
	const clientID = "SANDBOX_REGTEST"
	sim, err := amssim.New(amssim.Config{
		Merchants:  []amssim.MerchantKey{{ClientID: clientID, PublicKey: &merchant.PublicKey}},
		GatewayKey: gateway,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(sim)
	defer srv.Close()
	pin := sha256.Sum256(srv.Certificate().Raw)

	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(merchant)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "merchant.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := alipay.PublicKeyBase64(&gateway.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubFile := filepath.Join(dir, "alipay.pub")
	if err := os.WriteFile(pubFile, []byte(pub), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"--key", keyFile, "--alipay-pubkey", pubFile, "--client-id", clientID,
		"--gateway", srv.URL, "--pin-sha256", hex.EncodeToString(pin[:]), "--merchant-id", "M0001", "--store-id", "S01"}

	var out, errb bytes.Buffer
	code := runRegister(append(common, "--merchant-name", "Golden Noodle Bar", "--store-name", "Main Street"), stdio{strings.NewReader(""), &out, &errb})
	if code != exitOK {
		t.Fatalf("register exit %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
	regs := sim.Ledger().Registrations
	if len(regs) != 1 || regs[0].ReferenceMerchantID != "M0001" || regs[0].ReferenceStoreID != "S01" || regs[0].RegistrationRequestID != "REG-M0001-S01" {
		t.Fatalf("gateway holds %+v", regs)
	}

	out.Reset()
	errb.Reset()
	if code := runRegister(append(common, "--status"), stdio{strings.NewReader(""), &out, &errb}); code != exitOK {
		t.Fatalf("register --status exit %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "registration ") {
		t.Errorf("--status printed no registration status:\n%s", out.String())
	}

	// The merchant's own public key in place of Alipay's is refused before anything is sent.
	own, err := alipay.PublicKeyBase64(&merchant.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubFile, []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := runRegister(append(common, "--status"), stdio{strings.NewReader(""), &out, &errb}); code != exitFail {
		t.Fatalf("swapped keys: exit %d, want %d", code, exitFail)
	}
	if len(sim.Ledger().Registrations) != 1 {
		t.Error("a second registration appeared")
	}
}
