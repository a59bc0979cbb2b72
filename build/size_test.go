package build

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

// armBudget reads build.sh's default POSD_MAX_ARM_BYTES, so the script and
// this test never disagree.
func armBudget(t *testing.T) int {
	script, err := os.ReadFile("build.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`max=\$\{POSD_MAX_ARM_BYTES:-(\d+)\}`).FindSubmatch(script)
	if m == nil {
		t.Fatal("build.sh sets no default POSD_MAX_ARM_BYTES")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestARMSizeBudget: build.sh prints every binary's size, posd for ARMv6,
// ARMv7 and arm64 is within build.sh's budget, and a posd over the budget
// fails the build naming the binary.
func TestARMSizeBudget(t *testing.T) {
	testenv.Slow(t, "TestARMSizeBudget cross-compiles posd, posctl and amssim for ARMv6 and ARMv7")
	budget := armBudget(t)
	out := t.TempDir()
	listing := run(t, ".", []string{"POSD_VERSION=1.2.3-size"}, "./build.sh", "-o", out, "linux/arm/6", "linux/arm/7", "linux/arm64")
	// build.sh prints the version as apt orders it: 1.2.3-size becomes 1.2.3~size (build/version.sh).
	line := regexp.MustCompile(`(?m)^(\S+)\s+(\d+) bytes\s+(\d+\.\d\d) MB\s+1\.2\.3~size$`)
	sizes := map[string]int{}
	for _, m := range line.FindAllStringSubmatch(listing, -1) {
		n, _ := strconv.Atoi(m[2])
		sizes[filepath.Base(filepath.Dir(m[1]))+"/"+filepath.Base(m[1])] = n
	}
	for _, target := range []string{"linux_armv6", "linux_armv7", "linux_arm64"} {
		for _, c := range []string{"posd", "posctl", "amssim"} {
			n, ok := sizes[target+"/"+c]
			if !ok {
				t.Fatalf("build.sh did not print the size of %s/%s:\n%s", target, c, listing)
			}
			if st, err := os.Stat(filepath.Join(out, target, c)); err != nil || st.Size() != int64(n) {
				t.Errorf("%s/%s: printed %d bytes, file %v %v", target, c, n, st, err)
			}
		}
		t.Logf("%s posd: %d bytes (budget %d)", target, sizes[target+"/posd"], budget)
		if n := sizes[target+"/posd"]; n > budget {
			t.Errorf("%s posd is %d bytes, over the %d budget", target, n, budget)
		}
	}

	// Over budget: the build fails after printing, naming the binary.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "./build.sh", "-o", out, "linux/arm/7")
	cmd.Env = append(os.Environ(), "POSD_MAX_ARM_BYTES=1000000", "POSD_VERSION=1.2.3-size")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if err == nil || !strings.Contains(buf.String(), "over the ARM size budget of 1000000 bytes") ||
		!strings.Contains(buf.String(), "linux_armv7/posd") {
		t.Fatalf("build.sh with a 1 MB budget: %v\n%s", err, buf.String())
	}
}
