package build

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/build/testenv"
)

// TestDebPackage builds the arm64 package and inspects it as dpkg would see it.
func TestDebPackage(t *testing.T) {
	testenv.Slow(t, "TestDebPackage cross-compiles three binaries and packs them (minutes)")
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not available (not a Debian system)")
	}
	out := t.TempDir()
	run(t, ".", []string{"POSD_VERSION=1.2.3-test"}, "./package.sh", "-o", out, "arm64")
	deb := filepath.Join(out, "posd_1.2.3~test_arm64.deb")

	contents := run(t, ".", nil, "dpkg-deb", "--contents", deb)
	for _, want := range []string{
		"./usr/bin/posd", "./usr/bin/posctl", "./usr/bin/amssim",
		"./lib/systemd/system/posd.service", "./etc/posd/posd.toml.example",
		"./usr/share/doc/posd/README.md",
	} {
		if !strings.Contains(contents, want+"\n") {
			t.Errorf("package lacks %s; contents:\n%s", want, contents)
		}
	}
	if strings.Contains(contents, "merchant-key") || strings.Contains(contents, "./etc/posd/posd.toml\n") {
		t.Errorf("package ships a key or a live configuration:\n%s", contents)
	}
	for _, line := range strings.Split(strings.TrimSpace(contents), "\n") {
		if !strings.Contains(line, " root/root ") {
			t.Errorf("file not owned by root: %s", line)
		}
	}

	info := run(t, ".", nil, "dpkg-deb", "--info", deb)
	for _, want := range []string{"Package: posd", "Version: 1.2.3~test", "Architecture: arm64", "Depends: adduser", "postinst", "prerm", "postrm"} {
		if !strings.Contains(info, want) {
			t.Errorf("control lacks %q:\n%s", want, info)
		}
	}
	conffiles := run(t, ".", nil, "dpkg-deb", "--field", deb, "Package") // sanity: the field reader works
	if strings.TrimSpace(conffiles) != "posd" {
		t.Errorf("dpkg-deb --field Package = %q", conffiles)
	}
	ctrl := t.TempDir()
	run(t, ".", nil, "dpkg-deb", "--control", deb, ctrl)
	cf, err := os.ReadFile(filepath.Join(ctrl, "conffiles"))
	if err != nil || strings.TrimSpace(string(cf)) != "/etc/posd/posd.toml.example" {
		t.Errorf("conffiles = %q, %v", cf, err)
	}

	// The binary inside is an ARM64 ELF.
	data := t.TempDir()
	run(t, ".", nil, "dpkg-deb", "--extract", deb, data)
	elf, err := os.ReadFile(filepath.Join(data, "usr/bin/posd"))
	if err != nil {
		t.Fatal(err)
	}
	if len(elf) < 20 || string(elf[1:4]) != "ELF" || elf[18] != 0xb7 { // e_machine 183 = EM_AARCH64
		t.Errorf("usr/bin/posd is not an arm64 ELF")
	}
}
