package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
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
	e := newRegisterEnv(t)
	sim, pubFile := e.sim, e.pubFile
	common := []string{"--key", e.key, "--alipay-pubkey", pubFile, "--client-id", e.clientID,
		"--gateway", e.url, "--pin-sha256", e.pin, "--merchant-id", "M0001", "--store-id", "S01"}

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
	own, err := alipay.PublicKeyBase64(&e.merchant.PublicKey)
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

// registerEnv is amssim over TLS and the key files a till has.
type registerEnv struct {
	sim                    *amssim.Simulator
	merchant               *rsa.PrivateKey
	url, pin, key, pubFile string
	clientID               string
}

func newRegisterEnv(t *testing.T) registerEnv {
	t.Helper()
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
	t.Cleanup(srv.Close)
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
	return registerEnv{sim: sim, merchant: merchant, url: srv.URL, pin: hex.EncodeToString(pin[:]), key: keyFile, pubFile: pubFile, clientID: clientID}
}

// The daemon's own configuration is enough to register and to follow the registration; flags override it.
func TestRegisterFromConfig(t *testing.T) {
	e := newRegisterEnv(t)
	conf := filepath.Join(t.TempDir(), "posd.toml")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`
[merchant]
name = "Golden Noodle Bar"
id = "M0042"
mcc = "5814"
store = "Harbour Front"
store_id = "S07"
[till]
currency = "SGD"
[alipay]
client_id = %q
private_key_file = %q
alipay_public_key_file = %q
gateway = %q
pin_sha256 = %q
notify_url = "https://pos.example.com/alipay/notify"
[display]
kind = "none"
`, e.clientID, e.key, e.pubFile, e.url, e.pin)), 0o640); err != nil {
		t.Fatal(err)
	}
	register := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runRegister(args, stdio{strings.NewReader(""), &out, &errb})
		return code, out.String(), errb.String()
	}
	if code, out, errb := register("--config", conf); code != exitOK {
		t.Fatalf("register --config: exit %d\n%s%s", code, out, errb)
	}
	regs := e.sim.Ledger().Registrations
	if len(regs) != 1 || regs[0].ReferenceMerchantID != "M0042" || regs[0].ReferenceStoreID != "S07" || regs[0].RegistrationRequestID != "REG-M0042-S07" {
		t.Fatalf("gateway holds %+v", regs)
	}
	if code, out, errb := register("--config", conf, "--status"); code != exitOK || !strings.Contains(out, "registration ") {
		t.Fatalf("register --config --status: exit %d\n%s%s", code, out, errb)
	}
	// A flag overrides the file.
	if code, out, errb := register("--config", conf, "--merchant-id", "M0043", "--store-id", "S08"); code != exitOK {
		t.Fatalf("register --config --store-id: exit %d\n%s%s", code, out, errb)
	}
	if regs := e.sim.Ledger().Registrations; len(regs) != 2 || regs[1].ReferenceMerchantID != "M0043" || regs[1].ReferenceStoreID != "S08" {
		t.Fatalf("override: gateway holds %+v", regs)
	}

	// A certificate that is not the pinned one is named as such, never as the network.
	code, out, errb := register("--config", conf, "--pin-sha256", strings.Repeat("ab", 32), "--status")
	if code != exitFail || !strings.Contains(errb, "does not match the pin") || strings.Contains(strings.ToLower(errb), "network") {
		t.Fatalf("pin mismatch: exit %d\nstdout: %s\nstderr: %s", code, out, errb)
	}

	// Without --config the gateway flags are still required.
	if code, _, errb := register("--merchant-id", "M1"); code != exitUsage || !strings.Contains(errb, "--key is required") {
		t.Fatalf("no config, no key: exit %d %s", code, errb)
	}
	// A configuration posd would refuse is refused here too, with its reasons.
	bad := filepath.Join(t.TempDir(), "posd.toml")
	if err := os.WriteFile(bad, []byte("[till]\ncurrency = \"SGD\"\nbogus = 1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if code, _, errb := register("--config", bad); code != exitFail || !strings.Contains(errb, "bogus") {
		t.Fatalf("bad config: exit %d %s", code, errb)
	}
}
