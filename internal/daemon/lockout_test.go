package daemon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/terminal"
)

func TestLockoutFileKeepsAndFailsClosed(t *testing.T) {
	dir := t.TempDir()
	f := lockoutFile{path: filepath.Join(dir, lockoutName)}
	now := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
	if l, err := f.load(now, 5*time.Minute); err != nil || l != (terminal.Lockout{}) {
		t.Fatalf("no file: %+v %v", l, err)
	}
	want := terminal.Lockout{Failures: 2, Until: now.Add(3 * time.Minute)}
	if err := f.SaveLockout(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if l, err := f.load(now, 5*time.Minute); err != nil || l.Failures != want.Failures || !l.Until.Equal(want.Until) {
		t.Fatalf("kept %+v, loaded %+v %v", want, l, err)
	}
	for _, junk := range []string{"", "{", `{"failures":-1}`, `{"failures":1,"extra":1}`, "\x00\x01"} {
		if err := os.WriteFile(f.path, []byte(junk), 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := f.load(now, 5*time.Minute)
		if err == nil || !strings.Contains(err.Error(), f.path) || !l.Until.Equal(now.Add(5*time.Minute)) {
			t.Errorf("file %q: %+v %v; want locked for the full lockout, the file named", junk, l, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
