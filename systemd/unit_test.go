package systemd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
)

const unitFile = "posd.service"

func runAnalyze(t *testing.T, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Tool(t, "systemd-analyze")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// systemd-analyze verify exits 0 even when it reports problems, so any output is a failure.
// It also insists that ExecStart exists, so the check runs on a copy pointing at a real binary.
func TestUnitVerifies(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(unit, []byte("ExecStart=/usr/bin/posd ")) {
		t.Fatal("ExecStart no longer runs /usr/bin/posd; update this test with it")
	}
	stub, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	check := filepath.Join(t.TempDir(), "posd.service")
	if err := os.WriteFile(check, bytes.ReplaceAll(unit, []byte("/usr/bin/posd"), []byte(stub)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runAnalyze(t, "verify", "--man=no", check)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

var exposureRE = regexp.MustCompile(`Overall exposure level for \S+: (\d+)\.(\d)`)

func TestUnitExposure(t *testing.T) {
	out, err := runAnalyze(t, "security", "--offline=true", "--no-pager", unitFile)
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := exposureRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure figure in:\n%s", out)
	}
	tenths := (int(m[1][0]-'0'))*10 + int(m[2][0]-'0')
	if len(m[1]) > 1 || tenths > 20 {
		t.Fatalf("exposure %s.%s is above 2.0:\n%s", m[1], m[2], out)
	}
	t.Logf("exposure %s.%s", m[1], m[2])
}

// The unit must keep the contract posd relies on.
func TestUnitContract(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"Type=notify", "WatchdogSec=", "Restart=on-failure", "User=posd",
		"StateDirectory=posd", "ConfigurationDirectory=posd", "RuntimeDirectory=posd",
		"LoadCredential=merchant-key:", "DevicePolicy=closed", "NoNewPrivileges=yes",
	} {
		if !bytes.Contains(unit, []byte("\n"+line)) {
			t.Errorf("unit lacks %q", line)
		}
	}
}
