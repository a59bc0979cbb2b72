package build

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// stubPath makes a directory of stand-ins for the system commands a maintainer script calls;
// each appends its name and arguments to log.
func stubPath(t *testing.T, log string) string {
	t.Helper()
	dir := t.TempDir()
	stubs := map[string]string{
		"getent":    `case "$1" in passwd) exit 2;; group) [ "$2" = dialout ] || [ "$2" = gpio ];; esac`,
		"adduser":   "exit 0",
		"install":   "exit 0",
		"systemctl": `[ "$1" = is-active ] && exit 3; exit 0`,
	}
	for name, body := range stubs {
		script := "#!/bin/sh\necho \"" + name + " $*\" >> " + log + "\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPostinstWaitsForKeyAndConfig(t *testing.T) {
	for _, tc := range []struct {
		name      string
		files     []string
		wantStart bool
	}{
		{"fresh install", nil, false},
		{"config only", []string{"etc/posd/posd.toml"}, false},
		{"key only", []string{"etc/posd/merchant-key.pem"}, false},
		{"configured", []string{"etc/posd/posd.toml", "etc/posd/merchant-key.pem"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "run/systemd/system"), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range tc.files {
				p := filepath.Join(root, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			log := filepath.Join(t.TempDir(), "calls")
			env := []string{"DPKG_ROOT=" + root, "PATH=" + stubPath(t, log) + ":" + os.Getenv("PATH")}
			out := run(t, ".", env, "sh", "deb/postinst", "configure")
			calls, _ := os.ReadFile(log)
			c := string(calls)
			for _, want := range []string{"adduser --system --group", "adduser posd dialout", "adduser posd gpio", "systemctl enable posd.service"} {
				if !strings.Contains(c, want) {
					t.Errorf("postinst did not run %q; calls:\n%s", want, c)
				}
			}
			if strings.Contains(c, "adduser posd lp") {
				t.Errorf("postinst added posd to a group that does not exist:\n%s", c)
			}
			started := strings.Contains(c, "systemctl start posd.service")
			if started != tc.wantStart {
				t.Errorf("started = %v, want %v; calls:\n%s", started, tc.wantStart, c)
			}
			if !tc.wantStart && !strings.Contains(out, "posctl keygen") {
				t.Errorf("postinst did not tell the operator what to do next: %q", out)
			}
		})
	}
}
