package amssim

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/posd/posd/alipay"
)

// Simulator is an AMS gateway in memory: an http.Handler serving the AMS
// paths and the /sim/ paths. It is safe for concurrent use. Notifications
// are sent by Run (or DeliverDue, for tests that drive the clock).
type Simulator struct {
	s         settings
	key       *rsa.PrivateKey
	signer    *alipay.Signer
	publicKey string // gateway public key, one-line SPKI base64
	mux       *http.ServeMux
	kick      chan struct{}

	mu      sync.Mutex
	b       *book
	faults  faultSet
	rng     *rand.Rand // wallet tokens
	traceID uint64
	replays map[string]signedReply // client+path -> last F reply naming no payment

	// -state: changes are batched (persistLocked, Flush).
	keyDER     string // the gateway key as kept in the state file
	kept       *keptCert
	dirty      bool
	flushArmed bool
	closed     bool // Close was called: no more writes
	writeMu    sync.Mutex
}

// New builds a simulator from cfg, loading cfg.StatePath if it exists.
func New(cfg Config) (*Simulator, error) {
	s, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	b := newBook()
	key := s.GatewayKey
	var kept *keptCert
	if s.StatePath != "" {
		st, err := loadState(s.StatePath)
		if err != nil {
			return nil, err
		}
		if st != nil {
			b = st.Book
			b.index()
			kept = st.TLS
			if key == nil {
				key = st.gatewayKey
			}
		}
	}
	if key == nil {
		if key, err = generateGatewayKey(); err != nil {
			return nil, err
		}
	}
	signer, err := alipay.NewSigner(key, 1)
	if err != nil {
		return nil, fmt.Errorf("%w: gateway key: %w", ErrInvalid, err)
	}
	pub, err := alipay.PublicKeyBase64(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("%w: gateway key: %w", ErrInvalid, err)
	}
	sim := &Simulator{
		s:         s,
		key:       key,
		signer:    signer,
		publicKey: pub,
		kick:      make(chan struct{}, 1),
		b:         b,
		faults:    faultSet{seed: s.Seed},
		rng:       rand.New(rand.NewPCG(s.Seed, 0x77616c6c6574)), // "wallet"
		replays:   map[string]signedReply{},
		keyDER:    base64.StdEncoding.EncodeToString(der),
		kept:      kept,
	}
	for _, f := range s.Faults {
		sim.faults.add(f)
	}
	sim.routes()
	sim.dirty = true
	if err := sim.Flush(); err != nil {
		return nil, err
	}
	return sim, nil
}

// Now is the simulator's clock (Config.Now).
func (sim *Simulator) Now() time.Time { return sim.s.Now() }

// GatewayPublicKey is the key the merchant configures as the platform public key.
func (sim *Simulator) GatewayPublicKey() *rsa.PublicKey { return sim.signer.Public() }

// GatewayPublicKeyBase64 is GatewayPublicKey as one-line SPKI base64.
func (sim *Simulator) GatewayPublicKeyBase64() string { return sim.publicKey }

func (sim *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { sim.mux.ServeHTTP(w, r) }

func (sim *Simulator) routes() {
	m := http.NewServeMux()
	m.HandleFunc("/ams/", sim.serveAMS)
	m.HandleFunc("GET /sim/ledger", sim.serveLedger)
	m.HandleFunc("GET /sim/gateway-pubkey", sim.servePublicKey)
	m.HandleFunc("POST /sim/customer", sim.serveCustomer)
	m.HandleFunc("GET /sim/faults", sim.serveFaults)
	m.HandleFunc("POST /sim/faults", sim.serveFaults)
	m.HandleFunc("DELETE /sim/faults", sim.serveFaults)
	m.HandleFunc("GET "+walletPath+"{token}", sim.serveWallet)
	m.HandleFunc("POST "+walletPath+"{token}", sim.serveWallet)
	m.HandleFunc("GET /sim/{$}", sim.serveIndex)
	sim.mux = m
}

// Ledger returns the ground truth as of now.
func (sim *Simulator) Ledger() Ledger {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	sim.b.advanceAll(sim.s.Now())
	return sim.b.ledger()
}

// AddFault injects f from now on.
func (sim *Simulator) AddFault(f Fault) error {
	if err := f.check(); err != nil {
		return err
	}
	sim.mu.Lock()
	defer sim.mu.Unlock()
	sim.faults.add(f)
	return nil
}

// ClearFaults removes every fault.
func (sim *Simulator) ClearFaults() {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	sim.faults.clear()
}

// Faults lists the faults with how often each fired.
func (sim *Simulator) Faults() []Fault {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	return sim.faults.list()
}

// Customer acts as the customer on a code the simulator issued: codeValue
// is the whole URL (or its last element, the token); action is pay,
// decline, insufficient or scan. It returns the payment as it then stands.
func (sim *Simulator) Customer(codeValue, action string) (Payment, error) {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	p, err := sim.b.customer(tokenOf(codeValue), action, sim.s.Now())
	if p == nil {
		return Payment{}, err
	}
	if err == nil {
		sim.persistLocked()
		sim.wake()
	}
	return p.snapshot(), err
}

// wake tells Run that something may be due earlier than it planned.
func (sim *Simulator) wake() {
	select {
	case sim.kick <- struct{}{}:
	default:
	}
}

// Run sends notifications when due and retries them on the schedule
// until ctx ends; then it writes the state file if it is behind. It
// returns ctx's error.
func (sim *Simulator) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		sim.DeliverDue(ctx)
		sim.mu.Lock()
		next := sim.b.nextEvent()
		now := sim.s.Now()
		sim.mu.Unlock()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(now), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			if err := sim.Flush(); err != nil {
				sim.s.Logger.Error("state not saved", "error", err.Error())
			}
			return ctx.Err()
		case <-sim.kick:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// maxParallelNotify bounds the notification attempts made at once.
const maxParallelNotify = 8

// attempt makes one notification attempt and records how it ended.
func (sim *Simulator) attempt(ctx context.Context, d *Delivery, body []byte) {
	sim.mu.Lock()
	sent := *d
	sim.mu.Unlock()
	err := post(ctx, sim.s.NotifyClient, sim.signer, sent, body, sim.s.Now())
	sim.mu.Lock()
	d.record(err, sim.s.Now(), sim.s.scaled)
	sim.persistLocked()
	attempts := d.Attempts
	sim.mu.Unlock()
	if err != nil {
		sim.s.Logger.Warn("notification not acknowledged", "url", sent.URL, "attempt", attempts, "error", err.Error())
		return
	}
	sim.s.Logger.Info("notification acknowledged", "url", sent.URL, "attempt", attempts)
}

// DeliverDue advances every payment to now and makes every notification
// attempt that is due, at most eight at a time, and returns how many it made.
func (sim *Simulator) DeliverDue(ctx context.Context) int {
	type job struct {
		d    *Delivery
		body []byte
	}
	sim.mu.Lock()
	now := sim.s.Now()
	changed := sim.b.advanceAll(now)
	var jobs []job
	due := func(d *Delivery, body []byte) {
		if d != nil && d.pending() && !now.Before(d.NextAt) {
			d.inFlight = true
			jobs = append(jobs, job{d, body})
		}
	}
	for _, p := range sim.b.livePayments() {
		due(p.Notification, p.NotifyBody)
	}
	for _, r := range sim.b.sortedRegistrations() {
		due(r.Notification, r.NotifyBody)
	}
	if changed && len(jobs) == 0 {
		sim.persistLocked()
	}
	sim.mu.Unlock()
	// Attempts run side by side (at most maxParallelNotify), so one
	// unreachable merchant does not hold up the others.
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxParallelNotify)
	for _, j := range jobs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			sim.attempt(ctx, j.d, j.body)
		}()
	}
	wg.Wait()
	return len(jobs)
}
