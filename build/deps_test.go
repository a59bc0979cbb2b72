package build

import (
	"os/exec"
	"strings"
	"testing"
)

// The packages a till draws and prints with stay small: they use package
// money, not the AMS client, so neither its RSA nor an HTTP stack comes
// with them (docs/architecture.md).
func TestLeafPackagesStayLeaves(t *testing.T) {
	for pkg, banned := range map[string][]string{
		"./terminal": {"crypto/rsa", "net/http", "github.com/posd/posd/alipay"},
		"./printer":  {"crypto/rsa", "net/http", "github.com/posd/posd/alipay"},
		"./display":  {"crypto/rsa", "github.com/posd/posd/alipay"},
		"./money":    {"crypto/rsa", "net/http", "github.com/posd/posd/alipay"},
	} {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Dir = ".." // the module's root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[d] = true
		}
		for _, b := range banned {
			if deps[b] {
				t.Errorf("%s depends on %s", pkg, b)
			}
		}
	}
}
