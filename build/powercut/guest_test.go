package powercut

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGCFlags(t *testing.T) {
	got := GCFlags("# comment\n\n-gcflags=all=-l\n  -gcflags=runtime=  \n#-gcflags=off\n")
	if want := []string{"-gcflags=all=-l", "-gcflags=runtime="}; !slices.Equal(got, want) {
		t.Errorf("GCFlags = %q, want %q", got, want)
	}

	// The release's own file: every line a -gcflags, inlining off first and
	// back on for the runtime and the cryptography after it (a later
	// pattern wins).
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(root, "build", "gcflags"))
	if err != nil {
		t.Fatal(err)
	}
	flags := GCFlags(string(file))
	if len(flags) == 0 || flags[0] != "-gcflags=all=-l" {
		t.Fatalf("build/gcflags: %q, want -gcflags=all=-l first", flags)
	}
	for _, f := range flags {
		if !strings.HasPrefix(f, "-gcflags=") {
			t.Errorf("build/gcflags: %q is not a -gcflags", f)
		}
	}
	for _, keep := range []string{"-gcflags=runtime=", "-gcflags=crypto/internal/...="} {
		if !slices.Contains(flags[1:], keep) {
			t.Errorf("build/gcflags lacks %s after -gcflags=all=-l", keep)
		}
	}
}
