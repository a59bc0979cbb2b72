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
)

// stateVersion is bumped when the file layout changes incompatibly.
const stateVersion = 1

// stateFile is what -state keeps: the ledger and the gateway key, so that a
// restarted simulator still verifies against the key posd was given.
type stateFile struct {
	Version    int    `json:"version"`
	GatewayKey string `json:"gatewayKey"` // PKCS#8 DER, base64: a simulator key, not a real one
	Book       *book  `json:"book"`

	gatewayKey *rsa.PrivateKey
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

// saveLocked writes the state file atomically: temp file, fsync, rename,
// fsync of the directory. The caller holds sim.mu.
func (sim *Simulator) saveLocked() error {
	if sim.s.StatePath == "" {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(sim.key)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	data, err := json.MarshalIndent(stateFile{Version: stateVersion, GatewayKey: base64.StdEncoding.EncodeToString(der), Book: sim.b}, "", " ")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	return writeAtomic(sim.s.StatePath, data)
}

// persistLocked saves after a change; a failure is logged, the request
// already happened in memory.
func (sim *Simulator) persistLocked() {
	if err := sim.saveLocked(); err != nil {
		sim.s.Logger.Error("state not saved", "error", err.Error())
	}
}

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
