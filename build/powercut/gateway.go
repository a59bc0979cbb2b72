package powercut

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"sync"

	"github.com/posd/posd/alipay/amssim"
)

// Phase is when a gateway hook fires.
type Phase int

const (
	// Received: the request has fully arrived; the gateway has not acted.
	Received Phase = iota
	// Answered: the gateway acted and its reply has been written out.
	Answered
)

// Gateway is amssim on the host as posd in the guest reaches it, plus what
// the rig needs of it: every pay body kept per paymentRequestId (a second
// pay with other bytes is a violation) and one-shot hooks on calls, the
// triggers of cuts while a call is in flight. The real gateway does not
// lose power with the till: its ledger is the truth that survives the cut.
type Gateway struct {
	mu       sync.Mutex
	sim      *amssim.Simulator
	payBody  map[string][]byte
	mismatch []string
	hook     *hook
}

type hook struct {
	endpoint string
	phase    Phase
	fire     func()
}

// NewGateway serves sim.
func NewGateway(sim *amssim.Simulator) *Gateway {
	return &Gateway{sim: sim, payBody: map[string][]byte{}}
}

// Swap serves another simulator (a fresh ledger) from now on.
func (g *Gateway) Swap(sim *amssim.Simulator) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sim, g.payBody, g.hook = sim, map[string][]byte{}, nil
}

// Sim is the simulator being served.
func (g *Gateway) Sim() *amssim.Simulator {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sim
}

// On arms a one-shot hook: fire runs in the handler when the next call to
// endpoint (pay, inquiryPayment, cancel, refund, inquiryRefund) reaches
// phase. A hook at Received holds the request until fire returns.
func (g *Gateway) On(endpoint string, phase Phase, fire func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hook = &hook{endpoint: endpoint, phase: phase, fire: fire}
}

// Disarm drops a hook that has not fired.
func (g *Gateway) Disarm() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hook = nil
}

// Mismatches are the paymentRequestIds sent twice with different bytes.
func (g *Gateway) Mismatches() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.mismatch...)
}

func (g *Gateway) take(endpoint string, phase Phase) func() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if h := g.hook; h != nil && h.endpoint == endpoint && h.phase == phase {
		g.hook = nil
		return h.fire
	}
	return nil
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	endpoint := path.Base(r.URL.Path)
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return // the till died mid-request
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if endpoint == "pay" {
		g.notePay(body)
	}
	if fire := g.take(endpoint, Received); fire != nil {
		fire()
	}
	g.Sim().ServeHTTP(w, r)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if fire := g.take(endpoint, Answered); fire != nil {
		fire()
	}
}

// notePay keeps the first body of every paymentRequestId: AMS idempotency
// needs a retry to carry exactly the same bytes.
func (g *Gateway) notePay(body []byte) {
	var req struct {
		PaymentRequestID string `json:"paymentRequestId"`
	}
	if json.Unmarshal(body, &req) != nil || req.PaymentRequestID == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	first, ok := g.payBody[req.PaymentRequestID]
	switch {
	case !ok:
		g.payBody[req.PaymentRequestID] = body
	case !bytes.Equal(first, body):
		g.mismatch = append(g.mismatch, fmt.Sprintf("%s sent twice with different bytes", req.PaymentRequestID))
	}
}
