package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/posd/posd/terminal"
)

// lockoutFile keeps the manager PIN's lockout next to the outbox, so a
// restart gives a PIN guesser no fresh tries. It is tiny and replaced
// whole (written, synced, renamed), so it is either the old or the new.
type lockoutFile struct {
	path string
}

// lockoutName is the file's name in the outbox's directory.
const lockoutName = "manager-lockout.json"

type lockoutJSON struct {
	Failures int       `json:"failures"`
	Until    time.Time `json:"until"`
}

// load reads the kept lockout. A missing file is no lockout. One that
// cannot be read or makes no sense fails closed: locked for lockFor from
// now, with the reason to log.
func (f lockoutFile) load(now time.Time, lockFor time.Duration) (terminal.Lockout, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return terminal.Lockout{}, nil
	}
	var j lockoutJSON
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(&j)
		if err == nil && (j.Failures < 0 || j.Failures > 1000) {
			err = fmt.Errorf("%d failures", j.Failures)
		}
	}
	if err != nil {
		return terminal.Lockout{Until: now.Add(lockFor)}, fmt.Errorf("%s: %w; the manager menu is locked for %v", f.path, err, lockFor)
	}
	return terminal.Lockout{Failures: j.Failures, Until: j.Until}, nil
}

// SaveLockout implements terminal.LockoutStore.
func (f lockoutFile) SaveLockout(_ context.Context, l terminal.Lockout) error {
	data, err := json.Marshal(lockoutJSON{Failures: l.Failures, Until: l.Until.UTC()})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), "."+lockoutName+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(f.path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
