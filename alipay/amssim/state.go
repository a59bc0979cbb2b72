package amssim

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// stateVersion is bumped when the file layout changes incompatibly.
const stateVersion = 1

// stateFile is what -state keeps: the ledger and the gateway key, so that a
// restarted simulator still verifies against the key posd was given.
type stateFile struct {
	Version    int       `json:"version"`
	GatewayKey string    `json:"gatewayKey"` // PKCS#8 DER, base64: a simulator key, not a real one
	Book       *book     `json:"book"`
	TLS        *keptCert `json:"tls,omitempty"`

	gatewayKey *rsa.PrivateKey
}

// keptCert is the TLS certificate cmd/amssim serves, kept so that a
// restart does not break the client's pin.
type keptCert struct {
	Certificate []byte `json:"certificate"` // DER
	Key         []byte `json:"key"`         // PKCS#8 DER
}

// loadState reads the state file; a missing file is no state (nil, nil).
func loadState(path string) (*stateFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrState, path, err)
	}
	if st.Version != stateVersion || st.Book == nil {
		return nil, fmt.Errorf("%w: %s: version %d, want %d", ErrState, path, st.Version, stateVersion)
	}
	der, err := base64.StdEncoding.DecodeString(st.GatewayKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: gateway key: %v", ErrState, path, err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: gateway key: %v", ErrState, path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s: gateway key is not RSA", ErrState, path)
	}
	st.gatewayKey = rk
	return &st, nil
}

// stateBatch is how long changes gather before the state file is written:
// writing (and fsyncing) the whole ledger on every request cost more than
// the requests themselves. A crash of amssim loses at most this much.
const stateBatch = 200 * time.Millisecond

// copyForSave copies what the state file holds, so that it can be
// serialised without the lock: a shallow copy of every record, with its
// own copy of the parts that change in place (deliveries, call counts).
// The caller holds sim.mu.
func (b *book) copyForSave() *book {
	c := &book{
		Seq:            b.Seq,
		Payments:       make(map[string]*payment, len(b.Payments)),
		Refunds:        copyValues(b.Refunds),
		Registrations:  make(map[string]*registration, len(b.Registrations)),
		Pending:        copyValues(b.Pending),
		PendingRefunds: copyValues(b.PendingRefunds),
	}
	for k, p := range b.Payments {
		cp := *p
		if p.Notification != nil {
			d := *p.Notification
			cp.Notification = &d
		}
		c.Payments[k] = &cp
	}

	for k, r := range b.Registrations {
		cr := *r
		if r.Notification != nil {
			d := *r.Notification
			cr.Notification = &d
		}
		c.Registrations[k] = &cr
	}
	return c
}

// copyValues copies a map of pointers, each value copied too.
func copyValues[V any](m map[string]*V) map[string]*V {
	c := make(map[string]*V, len(m))
	for k, v := range m {
		cv := *v
		c[k] = &cv
	}
	return c
}

// persistLocked records that the state changed; the file is written
// stateBatch later, off the request path. The caller holds sim.mu.
func (sim *Simulator) persistLocked() {
	if sim.s.StatePath == "" || sim.closed {
		return
	}
	sim.dirty = true
	if sim.flushArmed {
		return
	}
	sim.flushArmed = true
	time.AfterFunc(stateBatch, func() {
		if err := sim.Flush(); err != nil {
			sim.s.Logger.Error("state not saved", "error", err.Error())
		}
	})
}

// Flush writes the state file now if anything changed since the last
// write: temporary file, fsync, rename, fsync of the directory.
func (sim *Simulator) Flush() error { return sim.flush(false) }

// flush writes the state if it changed; closing makes it the last write.
func (sim *Simulator) flush(closing bool) error {
	if sim.s.StatePath == "" {
		return nil
	}
	sim.writeMu.Lock() // one write at a time, in order
	defer sim.writeMu.Unlock()
	sim.mu.Lock()
	sim.flushArmed = false
	wasClosed := sim.closed
	sim.closed = sim.closed || closing
	if !sim.dirty || wasClosed {
		sim.mu.Unlock()
		return nil
	}
	st := stateFile{Version: stateVersion, GatewayKey: sim.keyDER, Book: sim.b.copyForSave(), TLS: sim.kept}
	sim.dirty = false
	sim.mu.Unlock()
	// Serialised and written outside the lock: requests go on meanwhile.
	data, err := json.Marshal(st)
	if err != nil {
		err = fmt.Errorf("%w: %v", ErrState, err)
	} else {
		err = writeAtomic(sim.s.StatePath, data)
	}
	if err != nil {
		sim.mu.Lock()
		sim.dirty = true // the next change (or Flush) tries again
		sim.mu.Unlock()
	}
	return err
}

// Close writes what is not yet in the state file, and nothing after: the
// simulator still answers, but later changes are not saved. Call it when
// done, before the state file's directory goes away.
func (sim *Simulator) Close() error { return sim.flush(true) }

func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".amssim-state-*")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	return nil
}
