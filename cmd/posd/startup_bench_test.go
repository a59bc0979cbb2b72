package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/posapi"
)

// BenchmarkStartup is posd's start-up as a supervisor sees it: from exec
// to the API socket answering, with an outbox of 10,000 final and 1,000
// pending payments (queue's writeOutboxFixture), the kiosk display with the
// default font setting and the key files of a real install. Each run gets a
// fresh copy of the outbox; ms-median and ms-p90 are the figures.
//
//	go test -run '^$' -bench Startup -benchtime 10x ./cmd/posd
//
// POSD_STARTUP_BINARY runs another build instead (an older posd, or an
// ARM one), POSD_STARTUP_EXEC a runner in front of it (qemu-arm-static).
func BenchmarkStartup(b *testing.B) {
	needBinaries(b)
	bin := binaries.posd
	if p := os.Getenv("POSD_STARTUP_BINARY"); p != "" {
		bin = p
	}
	dir := b.TempDir()
	fixture := filepath.Join(dir, "fixture.db")
	seed := exec.Command("go", "test", "-count=1", "-run", "^TestWriteOutboxFixture$", "../../queue")
	seed.Env = append(os.Environ(), "POSD_OUTBOX_FIXTURE="+fixture)
	if out, err := seed.CombinedOutput(); err != nil {
		b.Fatalf("writing the outbox fixture: %v\n%s", err, out)
	}
	conf := startupConfig(b, dir)
	socket := filepath.Join(dir, "posd.sock")
	api := posapi.NewClient(socket)
	var took []time.Duration
	for b.Loop() {
		b.StopTimer()
		copyFile(b, fixture, filepath.Join(dir, "posd.db"))
		cmd := exec.Command(bin, "-config", conf)
		if r := os.Getenv("POSD_STARTUP_EXEC"); r != "" {
			cmd = exec.Command(r, bin, "-config", conf)
		}
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		exited := make(chan error, 1)
		b.StartTimer()
		begin := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		go func() { exited <- cmd.Wait() }()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := api.Status(ctx)
			cancel()
			if err == nil {
				break
			}
			select {
			case err := <-exited:
				b.Fatalf("posd exited during start-up: %v", err)
			case <-time.After(time.Millisecond): // the socket does not exist yet; nothing to wait on
			}
			if time.Since(begin) > 2*time.Minute {
				b.Fatal("posd did not answer within 2 minutes")
			}
		}
		took = append(took, time.Since(begin))
		b.StopTimer()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := <-exited; err != nil {
			b.Fatalf("posd after SIGTERM: %v", err)
		}
		b.StartTimer()
	}
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)/2]), "ms-median")
	b.ReportMetric(ms(took[min(len(took)-1, len(took)*9/10)]), "ms-p90")
	b.ReportMetric(0, "ns/op") // the percentiles are the figures
}

// startupConfig writes keys and a posd.toml for a till with a kiosk
// display, no printer, and a gateway that is never called during the run.
func startupConfig(b *testing.B, dir string) string {
	key, err := rsa.GenerateKey(rand.Reader, alipay.MinKeyBits)
	if err != nil {
		b.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		b.Fatal(err)
	}
	keyFile := filepath.Join(dir, "merchant-key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		b.Fatal(err)
	}
	sim, err := amssim.New(amssim.Config{Merchants: []amssim.MerchantKey{{ClientID: "SANDBOX_STARTUP", PublicKey: &key.PublicKey}}})
	if err != nil {
		b.Fatal(err)
	}
	platform := filepath.Join(dir, "alipay-public-key.txt")
	if err := os.WriteFile(platform, []byte(sim.GatewayPublicKeyBase64()), 0o644); err != nil {
		b.Fatal(err)
	}
	conf := fmt.Sprintf(`
[merchant]
name = "Golden Dragon 金龙茶馆"
id = "M-START"
[till]
currency = "USD"
[alipay]
client_id = "SANDBOX_STARTUP"
private_key_file = %q
alipay_public_key_file = %q
gateway = "https://127.0.0.1:9"
pin_sha256 = %q
notify_url = "https://pos.example.com/alipay/notify"
[outbox]
path = %q
[printer]
kind = "none"
[display]
kind = "kiosk"
listen = %q
[api]
socket = %q
[metrics]
listen = ""
`, keyFile, platform, strings.Repeat("ab", 32), filepath.Join(dir, "posd.db"), testenv.FreeAddr(b), filepath.Join(dir, "posd.sock"))
	path := filepath.Join(dir, "posd.toml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

func copyFile(tb testing.TB, from, to string) {
	data, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}
