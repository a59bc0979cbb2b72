package systemd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// unitSettings returns the values of key in the unit, in order.
func unitSettings(t *testing.T, unit []byte, key string) []string {
	t.Helper()
	var vals []string
	for _, line := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			vals = append(vals, v)
		}
	}
	return vals
}

// sizeBytes parses a systemd size (256M, 1G, 1048576).
func sizeBytes(t *testing.T, s string) int64 {
	t.Helper()
	mult := int64(1)
	switch s[len(s)-1] {
	case 'K':
		mult = 1 << 10
	case 'M':
		mult = 1 << 20
	case 'G':
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("size %q: %v", s, err)
	}
	return n * mult
}

// A Pi Zero has 512 MB and one core: the unit caps memory, tasks and descriptors so that a flood on a
// listener or a leak cannot take the board, with room above what posd uses (~15 MB, 8 threads).
func TestUnitResourceLimits(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	one := func(key string) string {
		v := unitSettings(t, unit, key)
		if len(v) != 1 {
			t.Fatalf("%s= set %d times, want once", key, len(v))
		}
		return v[0]
	}
	if m := sizeBytes(t, one("MemoryMax")); m < 64<<20 || m > 256<<20 {
		t.Errorf("MemoryMax=%d bytes; want 64M..256M on a 512 MB Pi", m)
	}
	if h := sizeBytes(t, one("MemoryHigh")); h >= sizeBytes(t, one("MemoryMax")) {
		t.Errorf("MemoryHigh=%d must be below MemoryMax", h)
	}
	if n, err := strconv.Atoi(one("TasksMax")); err != nil || n < 16 || n > 256 {
		t.Errorf("TasksMax=%q; want 16..256 (Go threads + blocking device reads)", one("TasksMax"))
	}
	if n, err := strconv.Atoi(one("LimitNOFILE")); err != nil || n < 512 || n > 8192 {
		t.Errorf("LimitNOFILE=%q; want 512..8192: above the listeners' connection caps, far below the default 524288", one("LimitNOFILE"))
	}
	if env := one("Environment"); !strings.HasPrefix(env, "GOMEMLIMIT=") {
		t.Errorf("Environment=%q; want GOMEMLIMIT below MemoryMax", env)
	}
}

// Only the device classes posd drives: no input devices (a keyboard on the till could be read) unless a
// site's drop-in names its keypad, and no SupplementaryGroups= (a group missing on the system fails the start).
func TestUnitDevices(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"/dev/ttyS0 rw": true, "/dev/ttyAMA0 rw": true, "char-ttyUSB rw": true, "char-ttyACM rw": true,
		"char-usb rw": true, "char-gpiochip rw": true, "char-i2c rw": true, "char-spi rw": true, "char-fb rw": true,
	}
	for _, d := range unitSettings(t, unit, "DeviceAllow") {
		if !allowed[d] {
			t.Errorf("DeviceAllow=%s is not a device posd drives", d)
		}
	}
	if g := unitSettings(t, unit, "SupplementaryGroups"); len(g) > 0 {
		t.Errorf("SupplementaryGroups=%v: the start fails where a group is missing; the package adds memberships", g)
	}
}

// The evdev drop-in that posd(8) documents is a valid drop-in for this unit.
func TestEvdevDropInVerifies(t *testing.T) {
	page, err := os.ReadFile("../build/man/posd.8")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\.Bd -literal -offset indent\n(\[Service\]\nSupplementaryGroups=input\n.*?)\.Ed`).FindSubmatch(page)
	if m == nil {
		t.Fatal("posd.8 no longer shows the evdev drop-in ([Service] SupplementaryGroups=input ...)")
	}
	dropIn := m[1]
	if !bytes.Contains(dropIn, []byte("DeviceAllow=/dev/input/")) {
		t.Fatalf("the drop-in does not name one input device:\n%s", dropIn)
	}
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	stub, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "posd.service"), bytes.ReplaceAll(unit, []byte("/usr/bin/posd"), []byte(stub)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "posd.service.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "posd.service.d", "keypad.conf"), dropIn, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runAnalyze(t, "verify", "--man=no", filepath.Join(dir, "posd.service"))
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify with the drop-in: %v\n%s", err, out)
	}
}

// Documentation= names only pages that exist: man pages are built from build/man.
func TestUnitDocumentation(t *testing.T) {
	for _, file := range []string{unitFile, "posd-kiosk.service"} {
		unit, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, docs := range unitSettings(t, unit, "Documentation") {
			for _, doc := range strings.Fields(docs) {
				page, ok := strings.CutPrefix(doc, "man:")
				if !ok {
					continue
				}
				name, section, ok := strings.Cut(strings.TrimSuffix(page, ")"), "(")
				if !ok {
					t.Errorf("%s: Documentation=%s is not man:NAME(SECTION)", file, doc)
					continue
				}
				if _, err := os.Stat(filepath.Join("..", "build", "man", name+"."+section)); err != nil {
					t.Errorf("%s: Documentation=%s: no such page in build/man: %v", file, doc, err)
				}
			}
		}
	}
}

// The kiosk user unit verifies as a user unit and is not enabled by anything the package ships.
func TestKioskUserUnitVerifies(t *testing.T) {
	unit, err := os.ReadFile("posd-kiosk.service")
	if err != nil {
		t.Fatal(err)
	}
	const exec = "ExecStart=/usr/libexec/posd/posd-kiosk"
	if !bytes.Contains(unit, []byte("\n"+exec+"\n")) {
		t.Fatalf("kiosk unit no longer has %s; update this test with it", exec)
	}
	script, err := filepath.Abs("posd-kiosk")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	check := filepath.Join(dir, "posd-kiosk.service")
	if err := os.WriteFile(check, bytes.ReplaceAll(unit, []byte("/usr/libexec/posd/posd-kiosk"), []byte(script)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", dir) // a user manager needs one; a CI container has none
	out, err := runAnalyze(t, "verify", "--user", "--man=no", check)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify --user: %v\n%s", err, out)
	}
}
