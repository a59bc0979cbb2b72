package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/powercut"
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
	conf := startupConfig(b, dir, "https://127.0.0.1:9", strings.Repeat("ab", 32), nil, "[printer]\nkind = \"none\"")
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
//
// With a simulator (sim, created here when nil) the gateway is its own.
func startupConfig(b *testing.B, dir, gateway, pin string, sim **amssim.Simulator, printer string) string {
	keyFile := filepath.Join(dir, "merchant-key.pem")
	key := writeMerchantKey(b, keyFile)
	gw, err := amssim.New(amssim.Config{Merchants: []amssim.MerchantKey{{ClientID: "SANDBOX_STARTUP", PublicKey: &key.PublicKey}}})
	if err != nil {
		b.Fatal(err)
	}
	if sim != nil {
		*sim = gw
	}
	platform := filepath.Join(dir, "alipay-public-key.txt")
	if err := os.WriteFile(platform, []byte(gw.GatewayPublicKeyBase64()), 0o644); err != nil {
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
gateway = %q
pin_sha256 = %q
notify_url = "https://pos.example.com/alipay/notify"
[outbox]
path = %q
%s
[display]
kind = "kiosk"
listen = %q
[api]
socket = %q
[metrics]
listen = ""
`, keyFile, platform, gateway, pin, filepath.Join(dir, "posd.db"), printer, testenv.FreeAddr(b), filepath.Join(dir, "posd.sock"))
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

// BenchmarkRSS is posd's resident memory after 2,000 payments paid at
// once by a scanned customer code, as /proc reports it: rss-MiB now,
// hwm-MiB the peak, anon-MiB (heap, stacks, runtime) and file-MiB (binary
// pages, the outbox's map), outbox-map-MiB the outbox's part of file-MiB
// and outbox-file-MiB the size of its file.
// The gateway is amssim in the benchmark's own process, so only posd is
// measured. Two printers:
//
//   - escpos: a counter's receipt printer, ESC/POS over TCP to the printer
//     emulation (tcpPrinter) in the benchmark's process;
//   - png: the demo's virtual printer, which renders each slip to a PNG
//     file inside posd.
//
// POSD_STARTUP_BINARY and POSD_STARTUP_EXEC as for BenchmarkStartup.
//
//	go test -run '^$' -bench RSS -benchtime 1x ./cmd/posd
func BenchmarkRSS(b *testing.B) {
	needBinaries(b)
	bin := binaries.posd
	if p := os.Getenv("POSD_STARTUP_BINARY"); p != "" {
		bin = p
	}
	const payments = 2000
	b.Run("escpos", func(b *testing.B) {
		for b.Loop() {
			addr, dev := tcpPrinter(b)
			measureRSS(b, bin, payments, fmt.Sprintf("[printer]\nkind = \"tcp\"\naddress = %q", addr), func() int { return dev.State().Cuts })
		}
		b.ReportMetric(0, "ns/op")
	})
	b.Run("png", func(b *testing.B) {
		for b.Loop() {
			receipts := filepath.Join(b.TempDir(), "receipts")
			measureRSS(b, bin, payments, fmt.Sprintf("[printer]\nkind = \"virtual\"\ndir = %q", receipts), func() int {
				n, _ := filepath.Glob(filepath.Join(receipts, "*.png"))
				return len(n)
			})
		}
		b.ReportMetric(0, "ns/op")
	})
}

// measureRSS runs posd (bin) with printer as its [printer] section, pays
// payments sales through its API and reports its memory. slips counts the
// receipts printed, so a run that printed nothing cannot pass for one
// that did.
func measureRSS(b *testing.B, bin string, payments int, printer string, slips func() int) {
	dir := b.TempDir()
	var sim *amssim.Simulator
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sim.ServeHTTP(w, r) }))
	srv.StartTLS()
	defer srv.Close()
	pin := sha256.Sum256(srv.Certificate().Raw)
	conf := startupConfig(b, dir, srv.URL, hex.EncodeToString(pin[:]), &sim, printer)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = sim.Run(ctx) }()
	cmd := exec.Command(bin, "-config", conf)
	if r := os.Getenv("POSD_STARTUP_EXEC"); r != "" {
		cmd = exec.Command(r, bin, "-config", conf)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	api := posapi.NewClient(filepath.Join(dir, "posd.sock"))
	status := func(what string, ok func(posapi.Status) bool) posapi.Status {
		deadline := time.Now().Add(time.Minute)
		for {
			st, err := api.Status(context.Background())
			if err == nil && ok(st) {
				return st
			}
			select {
			case err := <-exited:
				b.Fatalf("posd exited waiting for %s: %v", what, err)
			case <-time.After(2 * time.Millisecond): // polling the API: there is no event to wait on
			}
			if time.Now().After(deadline) {
				b.Fatalf("no %s after a minute (last %+v, %v)", what, st, err)
			}
		}
	}
	status("the API", func(posapi.Status) bool { return true })
	cpuBefore := procCPUTicks(b, cmd.Process.Pid)
	for i := range payments {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := api.ScannedSale(ctx, fmt.Sprintf("%d.%02d", 1+i%50, i%100), amssim.CodePaid, 2*time.Millisecond)
		cancel()
		if err != nil {
			b.Fatalf("payment %d: %v", i+1, err)
		}
	}
	status("every receipt printed", func(posapi.Status) bool { return slips() >= payments })
	proc := cmd.Process.Pid
	rss, hwm := procStatusKiB(b, proc, "VmRSS"), procStatusKiB(b, proc, "VmHWM")
	anon, file := procStatusKiB(b, proc, "RssAnon"), procStatusKiB(b, proc, "RssFile")
	outbox := mappedRssKiB(b, proc, filepath.Join(dir, "posd.db"))
	cpu := procCPUTicks(b, proc) - cpuBefore
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		b.Fatalf("posd after SIGTERM: %v", err)
	}
	b.ReportMetric(float64(rss)/1024, "rss-MiB")
	b.ReportMetric(float64(hwm)/1024, "hwm-MiB")
	b.ReportMetric(float64(anon)/1024, "anon-MiB")
	b.ReportMetric(float64(file)/1024, "file-MiB") // binary pages and the outbox's memory map
	b.ReportMetric(float64(outbox)/1024, "outbox-map-MiB")
	if fi, err := os.Stat(filepath.Join(dir, "posd.db")); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "outbox-file-MiB")
	}
	b.ReportMetric(float64(cpu)*10/float64(payments), "cpu-ms/payment") // what the garbage collector's setting costs
}

// procCPUTicks is the CPU time pid has used, user and system, in clock
// ticks: 10 ms each on Linux (USER_HZ 100, as proc(5) reports them).
func procCPUTicks(tb testing.TB, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The command name may hold spaces: the fields that follow start after its ')'.
	i := strings.LastIndexByte(string(data), ')')
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		tb.Fatalf("/proc/%d/stat: %d fields after the name", pid, len(fields))
	}
	var utime, stime int
	if _, err := fmt.Sscan(fields[11], &utime); err != nil {
		tb.Fatal(err)
	}
	if _, err := fmt.Sscan(fields[12], &stime); err != nil {
		tb.Fatal(err)
	}
	return utime + stime
}

// mappedRssKiB is the resident part of pid's mappings of file (smaps),
// read with the power-cut rig's parser, which its tests check against the
// kernel's own totals.
func mappedRssKiB(tb testing.TB, pid int, file string) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		tb.Fatal(err)
	}
	return powercut.ParseSmaps(data, "Rss")[file]
}

// procStatusKiB reads one kB field of /proc/PID/status.
func procStatusKiB(tb testing.TB, pid int, field string) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	n, ok := powercut.ParseStatusKiB(data)[field]
	if !ok {
		tb.Fatalf("no %s in /proc/%d/status", field, pid)
	}
	return n
}
