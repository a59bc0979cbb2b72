package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer/virtual"
)

// payRequest asks for Count payments through posd's API socket, each keyed
// as an amount and paid at once by a scanned customer code (Code), then
// cleared with Enter, as cmd/posd's BenchmarkRSS does on the host.
type payRequest struct {
	Socket  string `json:"socket"`
	Count   int    `json:"count"`
	Code    string `json:"code"`
	Timeout string `json:"timeout"` // the whole run; default 1h
}

// payResult is the reply to /pay once every payment was paid and its slip
// cut.
type payResult struct {
	Paid  int   `json:"paid"`
	Cuts  int   `json:"cuts"`  // slips the printer cut from the first key to the last slip
	Nanos int64 `json:"nanos"` // from the first key to the till ready after the last payment
}

// stepTimeout caps one sale (keyed, paid, the till ready again): far
// beyond a payment under emulation, so that a stuck till fails the run in
// minutes, not at the end of the whole run's timeout.
const stepTimeout = 2 * time.Minute

// pay drives the payments in the guest: exec'ing posctl for every key
// would cost more than posd's own work under TCG.
func (a *agent) pay(w http.ResponseWriter, r *http.Request) {
	var req payRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.Socket == "" || req.Code == "" || req.Count < 1 {
		http.Error(w, `want {"socket":..., "count": N >= 1, "code":...}`, http.StatusBadRequest)
		return
	}
	ctx, cancel := requestTimeout(r, req.Timeout, time.Hour)
	defer cancel()
	res, err := a.payments(ctx, req)
	if err != nil {
		a.con.line("pay", "failed: "+err.Error())
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

func (a *agent) payments(ctx context.Context, req payRequest) (payResult, error) {
	api := posapi.NewClient(req.Socket)
	if _, err := api.Status(ctx); err != nil {
		return payResult{}, fmt.Errorf("posd's API: %w", err)
	}
	cuts := a.printer.State().Cuts
	begin := time.Now()
	var res payResult
	for i := range req.Count {
		step, cancel := context.WithTimeout(ctx, stepTimeout)
		err := api.ScannedSale(step, fmt.Sprintf("%d.%02d", 1+i%50, i%100), req.Code, 5*time.Millisecond)
		cancel()
		if err != nil {
			return res, fmt.Errorf("payment %d: %w", i+1, err)
		}
		res.Paid++
		if (i+1)%100 == 0 {
			a.con.line("pay", fmt.Sprintf("%d of %d paid in %v", i+1, req.Count, time.Since(begin).Round(time.Second)))
		}
	}
	res.Nanos = time.Since(begin).Nanoseconds()
	// Every paid payment prints its receipt; the last ones may still be
	// on their way to the printer.
	err := a.printer.Wait(ctx, func(s virtual.State) bool { return s.Cuts >= cuts+req.Count })
	res.Cuts = a.printer.State().Cuts - cuts
	if err != nil {
		return res, fmt.Errorf("%d payments paid, %d slips cut: %w", res.Paid, res.Cuts, err)
	}
	return res, nil
}
