package build

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/build/testenv"
)

// version.sh turns `git describe` into a version apt orders the way releases happen.
func TestVersionConversion(t *testing.T) {
	for describe, want := range map[string]string{
		"v0.2.0":                  "0.2.0",
		"v0.2.0-5-gabc1234":       "0.2.0+5.gabc1234",
		"v0.2.0-12-gabc1234":      "0.2.0+12.gabc1234",
		"v0.3.0-rc1":              "0.3.0~rc1",
		"v0.3.0-rc1-2-gabc1234":   "0.3.0~rc1+2.gabc1234",
		"v0.2.0-5-gabc1234-dirty": "0.2.0+5.gabc1234.dirty",
		"v0.2.0-dirty":            "0.2.0+dirty",
		"0.2.0+5.gabc1234":        "0.2.0+5.gabc1234", // already converted ($POSD_VERSION from package.sh)
	} {
		if got := strings.TrimSpace(run(t, ".", nil, "./version.sh", describe)); got != want {
			t.Errorf("version.sh %s = %s, want %s", describe, got, want)
		}
	}
}

// In a repository with annotated tags, each later build gets a version dpkg orders above the one before:
// untagged history, a release candidate, commits after it, the release, commits after the release,
// the next release. A lightweight tag is not a release.
func TestVersionsOrder(t *testing.T) {
	git := testenv.Tool(t, "git")
	dpkg := testenv.Tool(t, "dpkg")
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("version.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "build", "version.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "POSD_VERSION="}
	g := func(args ...string) { run(t, repo, env, git, args...) }
	commit := func() { g("commit", "-q", "--allow-empty", "-m", "c") }
	version := func() string { return strings.TrimSpace(run(t, repo, env, "build/version.sh")) }

	g("init", "-q")
	g("add", "build/version.sh")
	commit()
	var seen []string
	step := func(want string) {
		t.Helper()
		got := version()
		if want != "" && got != want {
			t.Errorf("version = %s, want %s", got, want)
		}
		seen = append(seen, got)
	}
	step("") // 0+1.g<hash>
	commit()
	step("")           // 0+2.g<hash>
	g("tag", "v9.9.9") // lightweight: ignored
	step("")
	g("tag", "-a", "-m", "rc", "v0.2.0-rc1")
	step("0.2.0~rc1")
	commit()
	step("")
	g("tag", "-a", "-m", "release", "v0.2.0")
	step("0.2.0")
	for range 10 {
		commit()
	}
	step("")
	if err := os.WriteFile(filepath.Join(repo, "build", "version.sh"), append(script, '\n'), 0o755); err != nil {
		t.Fatal(err)
	}
	step("") // dirty working tree
	g("checkout", "-q", "build/version.sh")
	commit()
	step("")
	g("tag", "-a", "-m", "release", "v0.2.1")
	step("0.2.1")

	if !strings.HasPrefix(seen[0], "0+1.g") || !strings.HasPrefix(seen[6], "0.2.0+10.g") || !strings.HasSuffix(seen[7], ".dirty") {
		t.Errorf("versions: %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] == seen[i-1] && i == 2 {
			continue // the lightweight tag changes nothing
		}
		if err := exec.Command(dpkg, "--compare-versions", seen[i-1], "lt", seen[i]).Run(); err != nil {
			t.Errorf("dpkg does not order %s before %s", seen[i-1], seen[i])
		}
	}
}
