package powercut

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
)

var (
	cutsFlag = flag.Int("cuts", 0, "power cuts to make (0: the power-cut tests are skipped unless POSD_POWERCUT is set)")
	archFlag = flag.String("arch", "arm64", "guest board: arm64 or armhf")
	seedFlag = flag.Uint64("seed", 0, "seed of the cut moments and delays (0: from the clock, printed)")
)

// cuts is how many cuts a test makes, or 0 when power-cut tests were not
// asked for: they boot emulated machines for minutes, too slow for a
// newcomer's go test ./...
func cuts(def int) int {
	if *cutsFlag > 0 {
		return *cutsFlag
	}
	if os.Getenv("POSD_POWERCUT") != "" {
		return def
	}
	return 0
}

func skipUnlessAsked(t *testing.T, def int) int {
	t.Helper()
	n := cuts(def)
	if n == 0 {
		t.Skip("power-cut suite: boots an emulated ARM board under qemu for minutes; run with -cuts N or POSD_POWERCUT=1 (README \"Power-cut tests\")")
	}
	needTools(t)
	return n
}

// needTools fails tb when a tool the rig runs on the host is missing.
func needTools(tb testing.TB) {
	tb.Helper()
	for _, tool := range []string{"e2fsck", "debugfs", "mke2fs", "apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Fatalf("%s is needed (apt-get install e2fsprogs qemu-system-arm)", tool)
		}
	}
}

const (
	clientID  = "SANDBOX_POWERCUT"
	guestSock = "/run/posd/posd.sock"
	// guestVectors is where the crash child reads alipaytest's vectors.
	guestVectors = "/etc/posd-test/signature.json"
	// The test codes of amssim (README): paid at once, paid after a wait,
	// declined.
	codePaid     = "280000000000000001"
	codeLater    = "280000000000000005"
	codeDeclined = "280000000000000002"
)

// rig is one arch's guest, its data disk and the gateway on the host.
type rig struct {
	t       testing.TB
	arch    Arch
	kernel  Kernel
	dir     string
	initrd  string
	disk    string
	epoch   int
	gw      *Gateway
	simStop context.CancelFunc
	gwKey   *rsa.PrivateKey
	merch   *rsa.PrivateKey
	rng     *rand.Rand
	m       *Machine
	console *os.File
	pin     string // SHA-256 of the gateway's certificate
	// gatewayURL is the gateway as the guest reaches it.
	gatewayURL string
	opts       rigOptions
	dbName     string // the outbox file at the data disk's root
	scen       []scenario

	mu    sync.Mutex
	paper []Slip
}

// rigOptions choose what runs in the guest.
type rigOptions struct {
	tags  []string // build tags of posd
	crash bool     // the queue crash test's child instead of posd
	// counter configures posd as a shop's counter rather than for cuts:
	// the result screen held until Enter (posd's default 10 s, not 1 s)
	// and a kiosk customer display, as cmd/posd's BenchmarkRSS.
	counter bool
}

// newRig fetches the kernel, builds posd (or the queue test binary) and the
// initramfs, starts the gateway and creates the first data disk.
func newRig(t testing.TB, opts rigOptions) *rig {
	t.Helper()
	a, ok := Arches[*archFlag]
	if !ok {
		t.Fatalf("-arch %q: want arm64 or armhf", *archFlag)
	}
	if _, err := exec.LookPath(a.QEMU); err != nil {
		t.Fatalf("%s is needed (apt-get install qemu-system-arm)", a.QEMU)
	}
	ctx := t.Context()
	k, err := FetchKernel(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	if !opts.counter { // a counter's run has no random moments
		t.Logf("arch=%s seed=%d (rerun the same moments with -seed %d)", a.Name, seed, seed)
	}
	r := &rig{t: t, arch: a, kernel: k, dir: t.TempDir(), rng: rand.New(rand.NewPCG(seed, 0x90C0)), epoch: -1,
		opts: opts, dbName: "posd.db", scen: scenarios}
	if opts.crash {
		r.dbName = "crash.db"
	}
	r.merch, r.gwKey = alipaytest.Keys(t)
	r.newSim()

	cert, pin, err := amssim.SelfSignedCertificate([]string{"10.0.2.2", "127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(r.gw)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the till dies mid-handshake on purpose
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "https://"), ":")

	r.pin, r.gatewayURL = pin, "https://10.0.2.2:"+port
	bin := filepath.Join(r.dir, "bin")
	builds := []struct {
		name, pkg string
		tags      []string
	}{{"posd", "./cmd/posd", opts.tags}, {"posctl", "./cmd/posctl", nil}, {"agent", "./build/powercut/agent", nil}}
	names := []string{"posd", "posctl"}
	if opts.crash {
		builds, names = builds[2:], []string{"queue.test"}
		if err := CrossTestBinary(ctx, a, filepath.Join(bin, "queue.test"), "./queue"); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range builds {
		if err := CrossBuild(ctx, a, filepath.Join(bin, b.name), b.pkg, b.tags...); err != nil {
			t.Fatal(err)
		}
	}
	var files []GuestFile
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(bin, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, GuestFile{Path: "/bin/" + name, Perm: 0o755, Data: data})
	}
	if opts.crash {
		// The child's keys come from alipaytest's test vectors. They go to
		// a fixed path the child is told (alipaytest.VectorsEnv): the
		// source tree's path may lie under /tmp or /run, which the guest
		// mounts over with tmpfs.
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(root, "alipay", "testdata", "signature.json"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, GuestFile{Path: guestVectors, Perm: 0o644, Data: data})
	}
	der, err := x509.MarshalPKCS8PrivateKey(r.merch)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files,
		GuestFile{Path: "/etc/posd/merchant-key.pem", Perm: 0o600, Data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})},
		GuestFile{Path: "/etc/posd/alipay-public-key.txt", Perm: 0o644, Data: []byte(r.gw.Sim().GatewayPublicKeyBase64())},
		GuestFile{Path: "/etc/posd/posd.toml", Perm: 0o644, Data: []byte(posdConfig(port, pin, opts.counter))})
	r.initrd = filepath.Join(r.dir, "initrd.cpio")
	if err := BuildInitramfs(k, filepath.Join(bin, "agent"), files, r.initrd); err != nil {
		t.Fatal(err)
	}
	r.disk = filepath.Join(r.dir, "data.img")
	if err := NewDisk(ctx, r.disk); err != nil {
		t.Fatal(err)
	}
	if r.console, err = os.Create(filepath.Join(r.dir, "console.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.m != nil {
			r.m.Cut()
		}
		r.simStop()
		r.console.Close()
		if t.Failed() {
			b, _ := os.ReadFile(r.console.Name())
			lines := strings.Split(string(b), "\n")
			t.Logf("last console lines:\n%s", strings.Join(lines[max(0, len(lines)-60):], "\n"))
		}
	})
	return r
}

// posdConfig is the guest's /etc/posd/posd.toml: the gateway on the host
// through qemu's user network, pinned; the receipt printer the agent
// emulates; a short payment expiry so a payment cut before its pay left
// is settled in about a minute. A counter's (rigOptions.counter) holds the
// result screen for posd's default time and has a kiosk display.
func posdConfig(port, pin string, counter bool) string {
	hold, display := "1s", `kind = "none"`
	if counter {
		hold, display = "10s", "kind = \"kiosk\"\nlisten = \"127.0.0.1:8080\""
	}
	return fmt.Sprintf(`[merchant]
name = "Power Cut Noodles"
id = "M-POWERCUT"
[till]
currency = "USD"
payment_expiry = "1m"
result_hold = %q
[alipay]
client_id = %q
private_key_file = "/etc/posd/merchant-key.pem"
alipay_public_key_file = "/etc/posd/alipay-public-key.txt"
gateway = "https://10.0.2.2:%s"
pin_sha256 = %q
notify_url = "https://127.0.0.1:1/alipay/notify"
[outbox]
path = "/var/lib/posd/posd.db"
[printer]
kind = "tcp"
address = "127.0.0.1:9100"
paper = "80"
[display]
%s
[api]
socket = %q
[metrics]
listen = ""
`, hold, clientID, port, pin, display, guestSock)
}

// newSim starts a fresh ledger (a new epoch: a new data disk goes with it).
func (r *rig) newSim() {
	r.epoch++
	if r.simStop != nil {
		r.simStop()
	}
	cfg := amssim.Config{
		Merchants:  []amssim.MerchantKey{{ClientID: clientID, PublicKey: &r.merch.PublicKey}},
		GatewayKey: r.gwKey,
		StatePath:  filepath.Join(r.dir, fmt.Sprintf("ledger-%d.json", r.epoch)),
	}
	if r.opts.crash {
		crashSim(&cfg)
	}
	sim, err := amssim.New(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	if r.opts.crash {
		addCrashFaults(r.t, sim)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.simStop = func() {
		cancel()
		// Close waits for a ledger write in flight and allows no later
		// one: a write after the test would race its TempDir's removal.
		if err := sim.Close(); err != nil {
			r.t.Logf("amssim's ledger: %v", err)
		}
	}
	go func() { _ = sim.Run(ctx) }()
	if r.gw == nil {
		r.gw = NewGateway(sim)
	} else {
		r.gw.Swap(sim)
	}
	r.mu.Lock()
	r.paper = nil
	r.mu.Unlock()
}

func (r *rig) consoleLine(line string) {
	fmt.Fprintf(r.console, "%s %s\n", time.Now().Format("15:04:05.000"), line)
	if s, ok := ParseSlip(line); ok {
		r.mu.Lock()
		r.paper = append(r.paper, s)
		r.mu.Unlock()
	}
}

func (r *rig) slips() []Slip {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Slip(nil), r.paper...)
}

// boot starts the guest; posd is started by start.
func (r *rig) boot(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	fmt.Fprintf(r.console, "---- boot (epoch %d)\n", r.epoch)
	m, err := Start(ctx, Boot{Arch: r.arch, Kernel: r.kernel, Initrd: r.initrd, Disk: r.disk, Console: r.consoleLine})
	if err != nil {
		return err
	}
	r.m = m
	return nil
}

// startPosd starts posd in the guest and waits for "posd ready"; an exit
// first (posd refused its outbox) is returned as an error.
func (r *rig) startPosd(ctx context.Context) error {
	_, err := r.startPosdFrom(ctx, "/bin/posd")
	return err
}

// startPosdFrom is startPosd with the binary at bin; it returns posd's PID.
func (r *rig) startPosdFrom(ctx context.Context, bin string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	wait := r.m.ExpectFunc(func(l string) bool {
		return strings.HasPrefix(l, "exit| posd ") || strings.HasPrefix(l, "posd| ") && strings.Contains(l, `msg="posd ready"`)
	})
	pid, err := r.m.Start(ctx, "posd", nil, bin, "-config", "/etc/posd/posd.toml")
	if err != nil {
		return 0, err
	}
	l, err := wait(ctx)
	if err != nil {
		return 0, fmt.Errorf("waiting for posd ready: %w", err)
	}
	if strings.HasPrefix(l, "exit|") {
		return 0, fmt.Errorf("posd did not start: %s", l)
	}
	return pid, nil
}

// posctl runs posctl --json in the guest and decodes its output into out
// (nil: ignore the output).
func (r *rig) posctl(ctx context.Context, out any, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	res, err := r.m.Run(ctx, append([]string{"/bin/posctl", "--socket", guestSock, "--json"}, args...)...)
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return fmt.Errorf("posctl %s: exit %d: %s%s", strings.Join(args, " "), res.Code, res.Out, res.Err)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(res.Out), out); err != nil {
			return fmt.Errorf("posctl %s: %w: %q", strings.Join(args, " "), err, res.Out)
		}
	}
	return nil
}

// status is what the rig reads of posctl --json status.
type status struct {
	Till        string `json:"till"`
	Current     string `json:"current"`
	QR          string `json:"qr"`
	OutboxDepth int    `json:"outboxDepth"`
}

// payment is what the rig reads of posctl --json show.
type payment struct {
	PaymentRequestID string `json:"paymentRequestId"`
	State            string `json:"state"`
	Final            bool   `json:"final"`
}

// poll calls ok every interval until it says done, ctx ends or the guest
// stops.
func (r *rig) poll(ctx context.Context, what string, every time.Duration, ok func() (bool, error)) error {
	var last error
	for {
		done, err := ok()
		if done && err == nil {
			return nil
		}
		if err != nil {
			last = err
		}
		if r.m.Down() {
			return fmt.Errorf("%s: %w", what, ErrExited)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), last)
		case <-time.After(every):
		}
	}
}

// settle waits until posd has finished everything (outbox empty, till
// ready), the gateway has nothing in process and every paid payment has
// paper.
func (r *rig) settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	return r.poll(ctx, "settling", time.Second, func() (bool, error) {
		var st status
		if err := r.posctl(ctx, &st, "status"); err != nil {
			return false, err
		}
		if st.OutboxDepth != 0 || st.Till != "ready" {
			return false, nil
		}
		paper := r.slips()
		for _, p := range r.gw.Sim().Ledger().Payments {
			if p.Status == amssim.StatusProcessing {
				return false, nil
			}
			if p.Status != amssim.StatusSuccess || p.Reversed || onPaper(paper, p.PaymentRequestID) {
				continue
			}
			// Paid at the gateway, no slip yet: wait if posd knows it as
			// paid (its slip is coming); a payment posd lost is for the
			// agreement to report, not to wait for.
			var q payment
			err := r.posctl(ctx, &q, "show", p.PaymentRequestID)
			if err == nil && (q.State == "SUCCEEDED" || strings.Contains(q.State, "REFUND")) {
				return false, nil
			}
		}
		return true, nil
	})
}

func onPaper(paper []Slip, id string) bool {
	for _, s := range paper {
		if s.kind() == "RECEIPT" && strings.Contains(s.Text, id) {
			return true
		}
	}
	return false
}

// agree copies the outbox off the live disk (after a sync in the guest)
// and compares it with the ledger and the paper.
func (r *rig) agree(ctx context.Context) ([]string, error) {
	if res, err := r.m.Run(ctx, "sync"); err != nil || res.Code != 0 {
		return nil, fmt.Errorf("sync in the guest: %v %+v", err, res)
	}
	rep, db, err := CheckDisk(ctx, r.disk, r.dir, "posd.db")
	if err != nil {
		return nil, err
	}
	bad := rep.Problems
	if db == "" {
		return append(bad, "no outbox on the disk after posd started"), nil
	}
	more, err := Agreement(db, r.gw.Sim().Ledger(), r.slips(), r.gw.Mismatches(), false)
	return append(bad, more...), err
}

// agreeSettled is agree, asked again for up to a minute while it finds
// something: settle does not see the print queue, and a refund slip may
// still be on its way to the printer. What is still wrong after that is.
func (r *rig) agreeSettled(ctx context.Context) ([]string, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		list, err := r.agree(ctx)
		if err != nil || len(list) == 0 || time.Now().After(deadline) {
			return list, err
		}
		select {
		case <-ctx.Done():
			return list, ctx.Err()
		case <-time.After(3 * time.Second):
		}
	}
}

// afterCut checks the disk as the cut left it: only a journal replay, and
// every bbolt page sound.
func (r *rig) afterCut(ctx context.Context) []string {
	rep, db, err := CheckDisk(ctx, r.disk, r.dir, r.dbName)
	if err != nil {
		r.t.Fatal(err)
	}
	bad := rep.Problems
	if db != "" {
		if err := BoltCheck(db); err != nil {
			bad = append(bad, err.Error())
		}
	}
	return bad
}

// ready brings the till to its ready screen.
func (r *rig) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return r.poll(ctx, "the till ready", 300*time.Millisecond, func() (bool, error) {
		var st status
		err := r.posctl(ctx, &st, "status")
		return err == nil && st.Till == "ready", err
	})
}

// keys types on posd's scripted keypad.
func (r *rig) keys(ctx context.Context, keys string) error { return r.posctl(ctx, nil, "keys", keys) }

// current waits for the till to work on a new payment and returns its
// paymentRequestId (and QR, for an order code).
func (r *rig) current(ctx context.Context, needQR bool) (status, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var st status
	err := r.poll(ctx, "the payment to start", 200*time.Millisecond, func() (bool, error) {
		err := r.posctl(ctx, &st, "status")
		return err == nil && st.Current != "" && (!needQR || st.QR != ""), err
	})
	return st, err
}

// paid waits for payment id to be SUCCEEDED.
func (r *rig) paid(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return r.poll(ctx, id+" paid", 300*time.Millisecond, func() (bool, error) {
		var p payment
		err := r.posctl(ctx, &p, "show", id)
		return err == nil && p.State == "SUCCEEDED", err
	})
}

// delay is a random duration in [0, d).
func (r *rig) delay(d time.Duration) time.Duration { return time.Duration(r.rng.Int64N(int64(d))) }

// amount is a random amount of at least 1.00 USD.
func (r *rig) amount() string {
	c := 100 + r.rng.IntN(9900)
	return strconv.Itoa(c/100) + "." + fmt.Sprintf("%02d", c%100)
}
