package powercut

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
)

// The queue crash test (queue/crash_test.go) under power loss: its child,
// TestCrashChild, runs in the guest as a cross-compiled `go test -c`
// binary with the real store and engine, against amssim on the host over
// TLS with faults on every call; this parent cuts the guest's power where
// the queue's own parent sends SIGKILL, then lets a last life settle every
// payment and compares the outbox with the ledger.
const (
	crashClientID = "SANDBOX_5YTEST01234ABCD" // queue's amsClientID: the child signs as it
	crashPerLife  = 10                        // payments the children may create, per life
)

// crashSim is the queue crash test's gateway: a clock 20 times faster, so
// the children's 1.5 s codes expire and are cancelled within a life.
func crashSim(cfg *amssim.Config) {
	cfg.Merchants[0].ClientID = crashClientID
	cfg.TimeScale = 20
}

func addCrashFaults(t testing.TB, sim *amssim.Simulator) {
	for _, ep := range []string{"pay", "inquiryPayment", "cancel", "refund", "inquiryRefund"} {
		for _, k := range []amssim.FaultKind{amssim.FaultDropRequest, amssim.FaultDropResponse, amssim.FaultHTTP500,
			amssim.FaultUnknown, amssim.FaultUnsigned, amssim.FaultTruncate} {
			if err := sim.AddFault(amssim.Fault{Endpoint: ep, Kind: k, Probability: 0.02}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// crashBuyers pays, 300 ms after it was shown, every order code whose
// index is 3 mod 8 (the queue crash test's workload), until ctx ends.
func crashBuyers(ctx context.Context, sim *amssim.Simulator) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, p := range sim.Ledger().Payments {
			n, err := strconv.Atoi(strings.TrimPrefix(p.PaymentRequestID, "C"))
			if err == nil && n%8 == 3 && p.Scenario == alipay.ScenarioOrderCode &&
				p.Status == amssim.StatusProcessing && time.Since(p.CreatedAt) > 300*time.Millisecond {
				_, _ = sim.Customer(p.CodeValue, "pay")
			}
		}
	}
}

func TestPowerCutQueueCrash(t *testing.T) {
	kills := min(skipUnlessAsked(t, 6), 6)
	r := newRig(t, rigOptions{crash: true})
	ctx := t.Context()
	buyers, stop := context.WithCancel(ctx)
	defer stop()
	go crashBuyers(buyers, r.gw.Sim())

	var created atomic.Int64 // the highest payment index a child created
	created.Store(-1)
	env := func(first int, final bool) []string {
		e := []string{alipaytest.VectorsEnv + "=" + guestVectors, "QUEUE_CRASH_DB=/var/lib/posd/crash.db", "QUEUE_CRASH_URL=" + r.gatewayURL,
			"QUEUE_CRASH_PIN=" + r.pin, "QUEUE_CRASH_SLOW=5", "QUEUE_CRASH_FIRST=" + strconv.Itoa(first),
			"QUEUE_CRASH_TOTAL=" + strconv.Itoa(crashPerLife*(kills+1))}
		if final {
			e = append(e, "QUEUE_CRASH_FINAL=1")
		}
		return e
	}
	// life boots the guest and starts a child from the next index; it
	// returns a wait for the line that ends the life's interesting part.
	life := func(final bool, until ...string) func(context.Context) (string, error) {
		if err := r.boot(ctx); err != nil {
			t.Fatal(err)
		}
		r.m.ExpectFunc(func(l string) bool {
			if n, ok := strings.CutPrefix(l, "crash| created "); ok {
				if i, err := strconv.ParseInt(n, 10, 64); err == nil && i > created.Load() {
					created.Store(i)
				}
			}
			return false
		})
		wait := r.m.ExpectFunc(func(l string) bool {
			return strings.HasPrefix(l, "exit| crash") || strings.HasPrefix(l, "crash| error") || l == "crash| "+until[0]
		})
		_, err := r.m.Start(ctx, "crash", env(int(created.Load())+1, final), "/bin/queue.test", "-test.run=^TestCrashChild$", "-test.count=1")
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	var violations []string
	for k := range kills {
		wait := life(false, "ready")
		wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		l, err := wait(wctx)
		cancel()
		if err != nil || l != "crash| ready" {
			t.Fatalf("life %d: child not ready: %q %v", k, l, err)
		}
		// Sometimes during recovery, mostly while payments are taken.
		r.m.CutAfter(r.delay(3 * time.Second))
		for _, v := range r.afterCut(ctx) {
			violations = append(violations, fmt.Sprintf("kill %d: %s", k, v))
		}
	}
	wait := life(true, "done")
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	l, err := wait(wctx)
	cancel()
	if err != nil || l != "crash| done" {
		t.Fatalf("the last life did not settle every payment: %q %v", l, err)
	}
	r.m.Cut() // everything is committed: the child printed done
	stop()
	rep, db, err := CheckDisk(ctx, r.disk, r.dir, r.dbName)
	if err != nil {
		t.Fatal(err)
	}
	violations = append(violations, rep.Problems...)
	ledger := r.gw.Sim().Ledger()
	list, err := Agreement(db, ledger, nil, r.gw.Mismatches(), true)
	if err != nil {
		t.Fatal(err)
	}
	violations = append(violations, list...)
	for _, v := range violations[:min(len(violations), 30)] {
		t.Error(v)
	}
	if len(ledger.Payments) < kills {
		t.Errorf("only %d payments reached the gateway in %d lives", len(ledger.Payments), kills)
	}
	fmt.Printf("queue crash test under power cuts: kills=%d payments=%d violations=%d\n", kills, len(ledger.Payments), len(violations))
}
