// Package testenv lets tests find the external tools they drive (socat,
// zbarimg, chromium, qemu-user-static, systemd-analyze, mosquitto), start
// a real MQTT broker (Mosquitto), and decode QR codes
// from images the way a person's phone would see them.
//
// Outside CI a test whose tool is missing is skipped with a message saying
// which Debian package provides it. Under CI (CI=true) the same test fails,
// so a green CI run means every test really ran.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// packages maps a tool to the Debian package that provides it; .ci/run installs them all.
var packages = map[string]string{
	"socat":               "socat",
	"zbarimg":             "zbar-tools",
	"chromium":            "chromium",
	"qemu-arm-static":     "qemu-user-static",
	"qemu-aarch64-static": "qemu-user-static",
	"systemd-analyze":     "systemd",
	"mosquitto":           "mosquitto",
	"systemd-sysusers":    "systemd",
	"lintian":             "lintian",
	"dpkg-deb":            "dpkg",
	"fakeroot":            "fakeroot",
	"man":                 "man-db",
	"bash":                "bash-completion",
	"promtool":            "prometheus",
}

// InCI reports whether the tests run under CI, where missing tools are failures.
func InCI() bool { return os.Getenv("CI") == "true" }

// Tool returns the path of an external program, or ends the test: skipped
// on a developer machine, failed under CI.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	// Daemons such as mosquitto live in /usr/sbin, off a user's PATH.
	if p, err := exec.LookPath("/usr/sbin/" + name); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found on PATH (apt-get install %s)", name, packages[name])
	if InCI() {
		t.Fatalf("%s; CI=true, so this is a failure", msg)
	}
	t.Skip(msg)
	return ""
}

// ErrNoSymbol is returned by DecodeQR when zbarimg finds no code in the image.
var ErrNoSymbol = errors.New("testenv: no QR code found in image")

// DecodeQR runs zbarimg on a PNG file and returns the text of every symbol
// it finds, in order. zbarimg is more forgiving than a phone (it reads codes
// without a quiet zone), so tests check the quiet zone separately.
func DecodeQR(t testing.TB, pngPath string) ([]string, error) {
	t.Helper()
	zbar := Tool(t, "zbarimg")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, zbar, "-q", "--raw", "-Sdisable", "-Sqrcode.enable", pngPath)
	cmd.Stdout = &out
	cmd.Stderr = &stderr // zbarimg prints harmless D-Bus errors in containers
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 {
		return nil, ErrNoSymbol
	}
	if err != nil {
		return nil, fmt.Errorf("zbarimg %s: %w (%s)", pngPath, err, strings.TrimSpace(stderr.String()))
	}
	// --raw separates symbols by newlines; payloads in posd never contain one.
	text := strings.TrimSuffix(out.String(), "\n")
	return strings.Split(text, "\n"), nil
}

// FreeAddr returns a loopback address nobody listens on right now, for a
// process the test starts to listen on. It never returns an address it
// returned before in this test binary: the kernel may hand a port just
// closed out again, and two listeners of one posd.toml must differ.
func FreeAddr(t testing.TB) string {
	t.Helper()
	given.mu.Lock()
	defer given.mu.Unlock()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		if !given.addrs[addr] {
			given.addrs[addr] = true
			return addr
		}
	}
	t.Fatal("FreeAddr: the kernel keeps handing out ports already given")
	return ""
}

// given is what FreeAddr handed out: test-binary state, like the ports.
var given = struct {
	mu    sync.Mutex
	addrs map[string]bool
}{addrs: map[string]bool{}}

// SlowEnv is the environment variable that lets the slow suites run: the
// cross-compiling package build, the process-level crash and end-to-end
// suites. `go test ./...` leaves them out so a newcomer's first run is short;
// .ci/run sets POSD_SLOW_TESTS=1 and runs them all.
const SlowEnv = "POSD_SLOW_TESTS"

// Slow runs the rest of the test only when POSD_SLOW_TESTS=1, and never
// with -short (the qemu ARM runs). Otherwise the test is skipped with a
// message naming the variable; under CI (CI=true) a missing variable is a
// failure, so a green CI run means the slow suites ran.
func Slow(t testing.TB, what string) {
	t.Helper()
	switch skip, fail := slowDecision(os.Getenv, testing.Short(), what); {
	case fail != "":
		t.Fatal(fail)
	case skip != "":
		t.Skip(skip)
	}
}

// slowDecision is Slow's choice, apart from the test it acts on.
func slowDecision(getenv func(string) string, short bool, what string) (skip, fail string) {
	if short {
		return what + ": skipped with -short", ""
	}
	switch v := getenv(SlowEnv); v {
	case "1":
		return "", ""
	case "", "0":
		msg := fmt.Sprintf("%s: slow suite, skipped; run it with %s=1 go test ...", what, SlowEnv)
		if getenv("CI") == "true" {
			return "", msg + " (CI=true, so this is a failure: .ci/run sets " + SlowEnv + "=1)"
		}
		return msg, ""
	default:
		return "", fmt.Sprintf("%s: %s=%q: want 1 (run the slow suites) or 0/unset (skip them)", what, SlowEnv, v)
	}
}
