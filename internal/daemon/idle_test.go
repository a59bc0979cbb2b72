package daemon

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/posapi"
)

// Options.Idle runs once each time a sale ends, before the API shows the
// till ready, and not when the cashier takes back an amount.
func TestIdleOnceASaleEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var api *posapi.Client
	var mu sync.Mutex
	var seen []string // the till's phase as the API showed it during each Idle
	const clientID = "SANDBOX_IDLE_TEST"
	startSimDaemon(t, ctx, clientID, func(gateway, pin string) string {
		return simConfig(t.TempDir(), clientID, gateway, pin, "name = \"Idle Shop\"\nid = \"M-IDLE\"\n", "")
	}, func(cfg *config.Config, o *Options) {
		cfg.Till.Confirm = true // Enter shows the amount first: a step the cashier can take back
		api = posapi.NewClient(cfg.API.Socket)
		o.Idle = func() {
			st, err := api.Status(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				seen = append(seen, err.Error())
				return
			}
			seen = append(seen, st.Till)
		}
	})
	calls := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
	waitTill := func(phase string) {
		t.Helper()
		if _, err := api.WaitTill(ctx, 5*time.Millisecond, func(s posapi.Status) bool { return s.Till == phase }); err != nil {
			t.Fatalf("waiting for the till %s: %v", phase, err)
		}
	}

	// An amount typed and cleared, then typed, shown and taken back: no
	// sale ended.
	for _, step := range []struct{ keys, phase string }{{"4.20<CLEAR>4.20<ENTER>", "confirming"}, {"<CANCEL>", "ready"}} {
		if err := api.Keys(ctx, step.keys); err != nil {
			t.Fatal(err)
		}
		waitTill(step.phase)
	}
	if got := calls(); len(got) != 0 {
		t.Fatalf("Idle ran %d times before any sale ended (%v)", len(got), got)
	}

	for i := range 2 {
		if err := api.ScannedSale(ctx, "7.35", amssim.CodePaid, 5*time.Millisecond); err != nil {
			t.Fatalf("sale %d: %v", i+1, err)
		}
		got := calls()
		if len(got) != i+1 {
			t.Fatalf("sale %d over: Idle ran %d times, want %d", i+1, len(got), i+1)
		}
		if got[i] != "paid" {
			t.Errorf("sale %d: during Idle the API showed %q, want the sale's outcome still (paid)", i+1, got[i])
		}
	}
}
