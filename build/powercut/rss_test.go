package powercut

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
)

var rssFlag = flag.Int("rss-payments", 0, "payments BenchmarkRSSOnDevice makes before it reads posd's memory (0: skipped unless POSD_RSS_DEVICE is set, then 2000)")

// rssPayments is how many payments BenchmarkRSSOnDevice makes, or 0 when
// it was not asked for: it boots an emulated board and pays for many
// minutes.
func rssPayments() int {
	if *rssFlag > 0 {
		return *rssFlag
	}
	if os.Getenv("POSD_RSS_DEVICE") != "" {
		return 2000 // cmd/posd's BenchmarkRSS, issue 17's row
	}
	return 0
}

const (
	// guestPosd is where the benchmark runs posd from: the ext4 data disk,
	// as a board runs it from its SD card. From the initramfs it would be
	// tmpfs memory, counted as RssShmem instead of RssFile.
	guestPosd   = "/var/lib/posd/bin/posd"
	guestOutbox = "/var/lib/posd/posd.db"
)

// BenchmarkRSSOnDevice is cmd/posd's BenchmarkRSS on a real ARM Linux
// kernel: the rig boots -arch's board, starts posd with a counter's
// configuration (kiosk display, the agent's ESC/POS printer over TCP, amssim
// on the host), the agent makes -rss-payments payments through posd's API
// socket in the guest, and posd's /proc/PID/status and smaps are read
// there. rss-MiB, hwm-MiB, anon-MiB, file-MiB, outbox-map-MiB and
// outbox-file-MiB as BenchmarkRSS (from status, whose counters a kernel before 6.2, such as
// the guest's Debian 12 one, sums only now and then); smaps-rss-MiB and
// smaps-anon-MiB are the exact totals of smaps; binary-MiB is the
// file-backed Rss of posd's executable (its written data pages are anon);
// payments/s is the till's pace under emulation.
//
//	go test -run '^$' -bench RSSOnDevice -benchtime 1x -timeout 4h ./build/powercut -rss-payments 2000 -arch armhf
func BenchmarkRSSOnDevice(b *testing.B) {
	n := rssPayments()
	if n == 0 {
		b.Skip("posd's RSS on an emulated ARM board: boots qemu and pays for many minutes; run with -rss-payments N or POSD_RSS_DEVICE=1 (README \"Performance\")")
	}
	needTools(b)
	r := newRig(b, rigOptions{counter: true})
	var last rssFigures
	for i := 0; b.Loop(); i++ {
		if i > 0 { // a fresh board, disk and ledger each time
			r.newSim()
			if err := NewDisk(b.Context(), r.disk); err != nil {
				b.Fatal(err)
			}
		}
		f, err := r.rss(b.Context(), n)
		if err != nil {
			b.Fatal(err)
		}
		last = f
	}
	mib := func(kib int) float64 { return float64(kib) / 1024 }
	b.ReportMetric(mib(last.rss), "rss-MiB")
	b.ReportMetric(mib(last.hwm), "hwm-MiB")
	b.ReportMetric(mib(last.anon), "anon-MiB")
	b.ReportMetric(mib(last.file), "file-MiB")
	b.ReportMetric(mib(last.outbox), "outbox-map-MiB")
	b.ReportMetric(float64(last.outboxFile)/(1<<20), "outbox-file-MiB")
	b.ReportMetric(mib(last.smapsRss), "smaps-rss-MiB")
	b.ReportMetric(mib(last.smapsAnon), "smaps-anon-MiB")
	b.ReportMetric(mib(last.binary), "binary-MiB")
	b.ReportMetric(last.perSecond, "payments/s")
	b.ReportMetric(0, "ns/op") // the figures above are the result
}

// rssFigures are one run's memory figures (KiB) and pace.
type rssFigures struct {
	rss, hwm, anon, file, outbox int // status, and the outbox's map in smaps
	smapsRss, smapsAnon, binary  int
	outboxFile                   int64 // bytes
	perSecond                    float64
}

// rss boots the board, makes n payments and reads posd's memory. The
// board is off again when it returns.
func (r *rig) rss(ctx context.Context, n int) (rssFigures, error) {
	t := r.t
	begin := time.Now()
	if err := r.boot(ctx); err != nil {
		return rssFigures{}, err
	}
	defer r.m.Cut()
	// posd's binary onto ext4, then a cold page cache, as after a board's
	// boot: what posd keeps resident is then what it faulted in itself.
	res, err := r.m.Run(ctx, "sh", "-c", "mkdir -p "+dir(guestPosd)+" && cp /bin/posd "+guestPosd+" && sync && echo 3 > /proc/sys/vm/drop_caches")
	if err != nil || res.Code != 0 {
		return rssFigures{}, fmt.Errorf("copying posd to the data disk: %w (%+v)", err, res)
	}
	exitWait := r.m.Expect("exit| posd ")
	exited := make(chan string, 1)
	go func() { // ends with the board (deferred Cut) at the latest
		if l, err := exitWait(ctx); err == nil {
			exited <- l
		}
	}()
	pid, err := r.startPosdFrom(ctx, guestPosd)
	if err != nil {
		return rssFigures{}, err
	}
	t.Logf("arch=%s posd pid %d ready after %v; paying %d", r.arch.Name, pid, time.Since(begin).Round(time.Second), n)
	payCtx, cancel := context.WithTimeout(ctx, 10*time.Minute+time.Duration(n)*10*time.Second)
	defer cancel()
	paid, err := r.m.Pay(payCtx, guestSock, n, amssim.CodePaid)
	if err != nil {
		return rssFigures{}, fmt.Errorf("paying: %w", err)
	}
	if paid.Paid != n || paid.Cuts != n {
		return rssFigures{}, fmt.Errorf("%d payments asked, %d paid, %d slips cut", n, paid.Paid, paid.Cuts)
	}
	success := 0
	ledger := r.gw.Sim().Ledger()
	for _, p := range ledger.Payments {
		if p.Status == amssim.StatusSuccess {
			success++
		}
	}
	if success != n || len(ledger.Payments) != n {
		return rssFigures{}, fmt.Errorf("amssim's ledger: %d payments, %d SUCCESS; want %d paid", len(ledger.Payments), success, n)
	}
	mem, err := r.m.ProcMemory(ctx, pid)
	if err != nil {
		return rssFigures{}, err
	}
	// posd must still be the process measured, not a zombie's empty status.
	select {
	case l := <-exited:
		return rssFigures{}, fmt.Errorf("posd exited during the run: %s", l)
	default:
	}
	f := rssFigures{outbox: mem.Rss[guestOutbox], binary: mem.Rss[guestPosd] - mem.Anon[guestPosd],
		smapsRss: sum(mem.Rss), smapsAnon: sum(mem.Anon), perSecond: float64(n) / (float64(paid.Nanos) / 1e9)}
	for field, to := range map[string]*int{"VmRSS": &f.rss, "VmHWM": &f.hwm, "RssAnon": &f.anon, "RssFile": &f.file} {
		if *to, err = mem.KiB(field); err != nil {
			return rssFigures{}, err
		}
	}
	if f.rss == 0 || f.outbox == 0 || f.binary == 0 {
		return rssFigures{}, fmt.Errorf("posd's memory does not look like posd's: %+v", mem)
	}
	shmem, _ := mem.KiB("RssShmem")
	res, err = r.m.Run(ctx, "stat", "-c", "%s", guestOutbox)
	if err != nil || res.Code != 0 {
		return rssFigures{}, fmt.Errorf("stat %s: %w (%+v)", guestOutbox, err, res)
	}
	if f.outboxFile, err = strconv.ParseInt(strings.TrimSpace(res.Out), 10, 64); err != nil {
		return rssFigures{}, fmt.Errorf("stat %s: %w", guestOutbox, err)
	}
	t.Logf("outbox: %d bytes, mapped %d kB, resident %d kB", f.outboxFile, mem.Size[guestOutbox], f.outbox)
	t.Logf("arch=%s payments=%d in %v (%.2f/s), whole run %v: VmRSS %d kB, VmHWM %d kB, RssAnon %d kB, RssFile %d kB, RssShmem %d kB",
		r.arch.Name, n, time.Duration(paid.Nanos).Round(time.Second), f.perSecond, time.Since(begin).Round(time.Second),
		f.rss, f.hwm, f.anon, f.file, shmem)
	t.Logf("smaps: Rss %d kB, Anonymous %d kB; largest mappings, Rss (Anonymous) kB: %s", f.smapsRss, f.smapsAnon, largest(mem, 8))
	return f, nil
}

// largest lists the n mappings with the most Rss, most first.
func largest(mem Memory, n int) string {
	names := slices.SortedFunc(maps.Keys(mem.Rss), func(a, b string) int { return cmp.Compare(mem.Rss[b], mem.Rss[a]) })
	var parts []string
	for _, name := range names[:min(n, len(names))] {
		label := name
		if label == "" {
			label = "(anonymous)"
		}
		parts = append(parts, fmt.Sprintf("%s %d (%d)", label, mem.Rss[name], mem.Anon[name]))
	}
	return strings.Join(parts, ", ")
}

func sum(m map[string]int) int {
	total := 0
	for _, v := range m {
		total += v
	}
	return total
}

// dir is a guest path's directory.
func dir(path string) string { return path[:strings.LastIndexByte(path, '/')] }
