package powercut

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DiskReport is what e2fsck said of a disk image after a cut.
type DiskReport struct {
	Replayed bool     // the journal had to be replayed
	Problems []string // anything beyond a journal replay
}

// CheckDisk checks a copy of the disk image img (left as it is: the next
// boot uses it as the cut left it): the journal is replayed, then a forced
// full e2fsck must find nothing at all. The file name (the outbox, at the
// disk's root) is then copied out to dir ("" when the disk has none yet).
func CheckDisk(ctx context.Context, img, dir, name string) (DiskReport, string, error) {
	var rep DiskReport
	cp := filepath.Join(dir, "disk.img")
	if err := copyFile(img, cp); err != nil {
		return rep, "", err
	}
	defer os.Remove(cp)
	// -E journal_only: replay the journal and stop; exit 1 means it did.
	out, code, err := run(ctx, "e2fsck", "-y", "-E", "journal_only", cp)
	if err != nil {
		return rep, "", err
	}
	switch code {
	case 0:
	case 1:
		rep.Replayed = true
	default:
		rep.Problems = append(rep.Problems, fmt.Sprintf("e2fsck journal replay exited %d:\n%s", code, out))
	}
	out, code, err = run(ctx, "e2fsck", "-f", "-n", cp)
	if err != nil {
		return rep, "", err
	}
	if code != 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("e2fsck -fn after the journal replay exited %d:\n%s", code, out))
	}
	db := filepath.Join(dir, name)
	os.Remove(db)
	out, _, err = run(ctx, "debugfs", "-R", "dump /"+name+" "+db, cp)
	if err != nil {
		return rep, "", err
	}
	if _, err := os.Stat(db); err != nil {
		if strings.Contains(out, "File not found") {
			return rep, "", nil
		}
		return rep, "", fmt.Errorf("debugfs dump: %s", out)
	}
	return rep, db, nil
}

func run(ctx context.Context, name string, args ...string) (string, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode(), nil
	}
	if err != nil {
		return string(out), -1, fmt.Errorf("%s: %w", name, err)
	}
	return string(out), 0, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BoltCheck verifies every page of a bbolt file, as `bbolt check` does.
func BoltCheck(path string) (err error) {
	defer func() {
		if r := recover(); r != nil { // bbolt asserts on some damaged pages
			err = fmt.Errorf("bbolt check %s: %v", path, r)
		}
	}()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("bbolt open %s: %w", path, err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		for e := range tx.Check() {
			errs = append(errs, e)
		}
		return errors.Join(errs...)
	})
}
