package amssim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/posd/posd/alipay"
)

// FaultKind is what goes wrong.
type FaultKind string

const (
	// FaultDropRequest resets the connection before the request is processed.
	FaultDropRequest FaultKind = "drop-request"
	// FaultDropResponse processes the request, then resets the connection.
	FaultDropResponse FaultKind = "drop-response"
	// FaultDelay waits DelayMs, then processes and answers normally.
	FaultDelay FaultKind = "delay"
	// FaultHTTP500 processes the request, then answers HTTP 500: the
	// client cannot know whether anything happened.
	FaultHTTP500 FaultKind = "http-500"
	// FaultHTTP503 answers HTTP 503 without processing (overloaded).
	FaultHTTP503 FaultKind = "http-503"
	// FaultUnknown answers a signed U/UNKNOWN_EXCEPTION without processing.
	FaultUnknown FaultKind = "unknown"
	// FaultUnsigned processes the request and answers without a Signature header.
	FaultUnsigned FaultKind = "unsigned"
	// FaultBadSignature processes the request and answers with a signature
	// that does not verify.
	FaultBadSignature FaultKind = "bad-signature"
	// FaultTruncate processes the request and sends half the body, then
	// closes the connection.
	FaultTruncate FaultKind = "truncate"
	// FaultReplayError processes the request, then answers with an earlier
	// genuine, correctly signed F reply to the same path that names no
	// payment (a PARAM_ILLEGAL answer to a malformed request), as someone
	// on the network path replaying it would. The reply verifies; only
	// its missing paymentRequestId betrays it.
	FaultReplayError FaultKind = "replay-error"
	// FaultWrongAmount processes the request and answers with a correctly
	// signed reply whose paymentAmount or refundAmount is one minor unit
	// off. Replies without an amount are sent as they are.
	FaultWrongAmount FaultKind = "wrong-amount"
	// FaultRefundProcessing (refund only) accepts the refund but leaves it
	// PROCESSING for delayMs of simulator time (Config.RefundDelay when
	// 0): refund answers U REFUND_IN_PROCESS and inquiryRefund reports
	// PROCESSING until then. On other endpoints it changes nothing.
	FaultRefundProcessing FaultKind = "refund-processing"
)

// FaultKinds lists every kind.
func FaultKinds() []FaultKind {
	return []FaultKind{FaultDropRequest, FaultDropResponse, FaultDelay, FaultHTTP500, FaultHTTP503,
		FaultUnknown, FaultUnsigned, FaultBadSignature, FaultTruncate, FaultReplayError, FaultWrongAmount,
		FaultRefundProcessing}
}

// processes reports whether the request is carried out before the fault hits.
func (k FaultKind) processes() bool {
	switch k {
	case FaultDropRequest, FaultHTTP503, FaultUnknown:
		return false
	}
	return true
}

// AnyEndpoint matches every AMS endpoint.
const AnyEndpoint = "*"

// Fault injects one kind of failure into requests for an endpoint.
type Fault struct {
	// Endpoint is the API name (pay, inquiryPayment, cancel, refund,
	// inquiryRefund, registration, ...) or "*".
	Endpoint string    `json:"endpoint"`
	Kind     FaultKind `json:"kind"`
	// Probability that a matching request is hit, 0 to 1. In JSON and in
	// -faults it is 1 when absent; a Fault built in Go must set it.
	Probability float64 `json:"probability"`
	// Count is how many requests are hit at most; 0 means no limit.
	Count int `json:"count"`
	// DelayMs is the delay of FaultDelay.
	DelayMs int `json:"delayMs"`
	// Fired is how many requests were hit so far.
	Fired int `json:"fired"`
}

// maxDelayMs bounds FaultDelay at ten minutes.
const maxDelayMs = 600_000

// UnmarshalJSON defaults a missing probability to 1.
func (f *Fault) UnmarshalJSON(data []byte) error {
	type plain Fault
	v := plain{Probability: 1}
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("%w: %v", ErrFaultSpec, err)
	}
	*f = Fault(v)
	return f.check()
}

func (f Fault) check() error {
	if f.Endpoint != AnyEndpoint && !knownEndpoint(f.Endpoint) {
		return fmt.Errorf("%w: unknown endpoint %q", ErrFaultSpec, truncate(f.Endpoint, 32))
	}
	known := false
	for _, k := range FaultKinds() {
		known = known || k == f.Kind
	}
	switch {
	case !known:
		return fmt.Errorf("%w: unknown kind %q", ErrFaultSpec, truncate(string(f.Kind), 32))
	case !(f.Probability >= 0 && f.Probability <= 1): // also rejects NaN
		return fmt.Errorf("%w: probability %v not in [0, 1]", ErrFaultSpec, f.Probability)
	case f.Count < 0:
		return fmt.Errorf("%w: negative count", ErrFaultSpec)
	case f.DelayMs < 0 || f.DelayMs > maxDelayMs:
		return fmt.Errorf("%w: delayMs %d not in [0, %d]", ErrFaultSpec, f.DelayMs, maxDelayMs)
	case f.Kind == FaultDelay && f.DelayMs == 0:
		return fmt.Errorf("%w: delay needs delayMs", ErrFaultSpec)
	case f.Kind == FaultRefundProcessing && f.Endpoint != AnyEndpoint && f.Endpoint != alipay.APIRefund.Name():
		return fmt.Errorf("%w: refund-processing applies to refund only", ErrFaultSpec)
	}
	return nil
}

func knownEndpoint(name string) bool {
	for _, a := range alipay.APIs {
		if a.Name() == name {
			return true
		}
	}
	return false
}

// ParseFaults reads the -faults flag: faults separated by commas, each
// endpoint:kind[:probability[:count[:delayMs]]], e.g.
// "pay:drop-response:0.5:3,*:delay:1:0:2000".
func ParseFaults(spec string) ([]Fault, error) {
	var out []Fault
	if strings.TrimSpace(spec) == "" {
		return out, nil
	}
	for _, item := range strings.Split(spec, ",") {
		parts := strings.Split(strings.TrimSpace(item), ":")
		if len(parts) < 2 || len(parts) > 5 {
			return nil, fmt.Errorf("%w: %q: want endpoint:kind[:probability[:count[:delayMs]]]", ErrFaultSpec, truncate(item, 64))
		}
		f := Fault{Endpoint: parts[0], Kind: FaultKind(parts[1]), Probability: 1}
		var err error
		if len(parts) > 2 {
			if f.Probability, err = strconv.ParseFloat(parts[2], 64); err != nil {
				return nil, fmt.Errorf("%w: %q: probability: %v", ErrFaultSpec, truncate(item, 64), err)
			}
		}
		if len(parts) > 3 {
			if f.Count, err = strconv.Atoi(parts[3]); err != nil {
				return nil, fmt.Errorf("%w: %q: count: %v", ErrFaultSpec, truncate(item, 64), err)
			}
		}
		if len(parts) > 4 {
			if f.DelayMs, err = strconv.Atoi(parts[4]); err != nil {
				return nil, fmt.Errorf("%w: %q: delayMs: %v", ErrFaultSpec, truncate(item, 64), err)
			}
		}
		if err := f.check(); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// faultSet picks the fault for each request. Every fault draws from its
// own generator seeded by (seed, position), so a given seed and request
// sequence always injects the same faults, whatever is added later.
type faultSet struct {
	seed   uint64
	added  uint64
	faults []*activeFault
}

type activeFault struct {
	Fault
	rng *rand.Rand
}

func (s *faultSet) add(f Fault) {
	s.added++
	s.faults = append(s.faults, &activeFault{Fault: f, rng: rand.New(rand.NewPCG(s.seed, s.added))})
}

func (s *faultSet) clear() { s.faults = nil }

func (s *faultSet) list() []Fault {
	out := make([]Fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, f.Fault)
	}
	return out
}

// pick returns the fault that hits this request to endpoint, if any: the
// first one in order that matches, has hits left and wins its draw.
func (s *faultSet) pick(endpoint string) (Fault, bool) {
	for _, f := range s.faults {
		if f.Endpoint != AnyEndpoint && f.Endpoint != endpoint {
			continue
		}
		if f.Count > 0 && f.Fired >= f.Count {
			continue
		}
		if f.Probability < 1 && f.rng.Float64() >= f.Probability {
			continue
		}
		f.Fired++
		return f.Fault, true
	}
	return Fault{}, false
}

// truncate keeps error strings short when they quote input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
