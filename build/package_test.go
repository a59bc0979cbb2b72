package build

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
)

// run runs a command in dir and returns its combined output, ending the test if it fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(t, dir, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(t *testing.T, dir string, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// What each package must hold, and what it must not.
var (
	posdFiles = []string{
		"./usr/bin/posd", "./usr/bin/posctl",
		"./lib/systemd/system/posd.service", "./usr/lib/systemd/user/posd-kiosk.service",
		"./usr/libexec/posd/posd-kiosk", "./usr/lib/sysusers.d/posd.conf", "./usr/lib/tmpfiles.d/posd.conf",
		"./etc/posd/posd.toml.example",
		"./usr/share/man/man8/posd.8.gz", "./usr/share/man/man8/posctl.8.gz", "./usr/share/man/man5/posd.toml.5.gz",
		"./usr/share/bash-completion/completions/posctl",
		"./usr/share/doc/posd/copyright", "./usr/share/doc/posd/changelog.gz", "./usr/share/doc/posd/README.md.gz",
		"./usr/share/lintian/overrides/posd",
	}
	toolsFiles = []string{
		"./usr/bin/amssim", "./usr/share/man/man1/amssim.1.gz",
		"./usr/share/posd-tools/monitoring/posd-alerts.yml", "./usr/share/posd-tools/monitoring/posd-alerts.test.yml",
		"./usr/share/posd-tools/monitoring/posd-dashboard.json",
		"./usr/share/doc/posd-tools/copyright", "./usr/share/doc/posd-tools/changelog.gz",
		"./usr/share/lintian/overrides/posd-tools",
	}
	machines = map[string]elf.Machine{"armhf": elf.EM_ARM, "arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}
)

// TestPackages builds both packages for armhf, arm64 and amd64 the way a release does, has lintian
// check them (package.sh fails on any error or warning), and inspects them as dpkg sees them.
func TestPackages(t *testing.T) {
	testenv.Slow(t, "TestPackages cross-compiles for three architectures, packs six packages and runs lintian (minutes)")
	testenv.Tool(t, "dpkg-deb")
	testenv.Tool(t, "lintian") // package.sh runs it when present; here it must be
	out := t.TempDir()
	log := run(t, ".", []string{"POSD_VERSION=v1.2.3-test"}, "./package.sh", "-o", out, "armhf", "arm64", "amd64")

	for arch, machine := range machines {
		for _, pkg := range []string{"posd", "posd-tools"} {
			deb := filepath.Join(out, pkg+"_1.2.3~test_"+arch+".deb")
			if !strings.Contains(log, "lintian: "+deb+" clean") {
				t.Errorf("package.sh did not report lintian clean for %s:\n%s", deb, log)
			}
			checkPackage(t, deb, pkg, arch, machine)
		}
	}
	t.Run("man", func(t *testing.T) { checkPackagedManPages(t, filepath.Join(out, "posd_1.2.3~test_amd64.deb")) })
	t.Run("install", func(t *testing.T) {
		installRoot(t, filepath.Join(out, "posd_1.2.3~test_amd64.deb"), filepath.Join(out, "posd-tools_1.2.3~test_amd64.deb"))
	})
}

func checkPackage(t *testing.T, deb, pkg, arch string, machine elf.Machine) {
	t.Helper()
	contents := run(t, ".", nil, "dpkg-deb", "--contents", deb)
	want, other := posdFiles, toolsFiles
	if pkg == "posd-tools" {
		want, other = toolsFiles, posdFiles
	}
	for _, f := range want {
		if !strings.Contains(contents, " "+f+"\n") {
			t.Errorf("%s lacks %s; contents:\n%s", deb, f, contents)
		}
	}
	for _, f := range other {
		if strings.HasPrefix(f, "./usr/bin/") && strings.Contains(contents, " "+f+"\n") {
			t.Errorf("%s ships %s, which belongs in the other package", deb, f)
		}
	}
	if strings.Contains(contents, "merchant-key") || strings.Contains(contents, "./etc/posd/posd.toml\n") {
		t.Errorf("%s ships a key or a live configuration:\n%s", deb, contents)
	}
	for _, line := range strings.Split(strings.TrimSpace(contents), "\n") {
		if !strings.Contains(line, " root/root ") {
			t.Errorf("%s: file not owned by root: %s", deb, line)
		}
	}

	info := run(t, ".", nil, "dpkg-deb", "--info", deb)
	for _, w := range []string{"Package: " + pkg + "\n", "Version: 1.2.3~test\n", "Architecture: " + arch + "\n"} {
		if !strings.Contains(info, w) {
			t.Errorf("%s: control lacks %q:\n%s", deb, w, info)
		}
	}
	ctrl := t.TempDir()
	run(t, ".", nil, "dpkg-deb", "--control", deb, ctrl)
	if pkg == "posd" {
		cf, err := os.ReadFile(filepath.Join(ctrl, "conffiles"))
		if err != nil || strings.TrimSpace(string(cf)) != "/etc/posd/posd.toml.example" {
			t.Errorf("conffiles = %q, %v", cf, err)
		}
		for _, s := range []string{"postinst", "prerm", "postrm"} {
			script, err := os.ReadFile(filepath.Join(ctrl, s))
			if err != nil {
				t.Fatal(err)
			}
			// Enabling, starting and stopping go through deb-systemd-helper/-invoke, as Debian asks;
			// only daemon-reload is called directly (dh_installsystemd does the same).
			for _, m := range systemctlCall.FindAllStringSubmatch(string(script), -1) {
				if m[1] != "--system daemon-reload" {
					t.Errorf("%s calls systemctl directly: systemctl %s", s, m[1])
				}
			}
		}
		if !strings.Contains(info, "Depends: systemd\n") {
			t.Errorf("posd does not depend on systemd (sysusers, tmpfiles, the unit):\n%s", info)
		}
	} else if !strings.Contains(info, "Replaces: posd (<< 0+1)") || !strings.Contains(info, "Breaks: posd (<< 0+1)") {
		// posd packages built before the split (versions 0~<hash>) shipped /usr/bin/amssim.
		t.Errorf("posd-tools cannot take amssim over from an old posd:\n%s", info)
	}

	data := t.TempDir()
	run(t, ".", nil, "dpkg-deb", "--extract", deb, data)
	bin := "usr/bin/posd"
	if pkg == "posd-tools" {
		bin = "usr/bin/amssim"
	}
	f, err := elf.Open(filepath.Join(data, bin))
	if err != nil {
		t.Fatalf("%s: %s: %v", deb, bin, err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("%s: %s is built for %v, want %v", deb, bin, f.Machine, machine)
	}
}

// The man pages in the package render with man -l without a warning, stamped with the version.
func checkPackagedManPages(t *testing.T, deb string) {
	testenv.Tool(t, "man")
	data := t.TempDir()
	run(t, ".", nil, "dpkg-deb", "--extract", deb, data)
	for _, page := range []string{"man8/posd.8.gz", "man8/posctl.8.gz", "man5/posd.toml.5.gz"} {
		text, warnings := renderMan(t, filepath.Join(data, "usr/share/man", page))
		if warnings != "" {
			t.Errorf("%s: man warns:\n%s", page, warnings)
		}
		if !strings.Contains(text, "posd 1.2.3~test") {
			t.Errorf("%s is not stamped with the version:\n%s", page, lastLines(text, 3))
		}
	}
}

// installRoot installs the packages into an empty root with dpkg --root, as a container image build
// does, runs the installed binaries, then removes and purges posd.
func installRoot(t *testing.T, debs ...string) {
	testenv.Tool(t, "systemd-sysusers")
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The root has the serial group and the input group; posd joins the first and not the second.
	for name, content := range map[string]string{
		"var/lib/dpkg/status": "", "etc/group": "dialout:x:20:\ninput:x:101:\n", "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dpkg := func(args ...string) string {
		t.Helper()
		// Maintainer scripts run on this system with DPKG_ROOT set (chrootless): they must act on the root only.
		// The root has no systemd package, hence --force-depends.
		args = append([]string{"--root=" + root, "--force-script-chrootless", "--force-depends", "--log=/dev/null"}, args...)
		if os.Getuid() == 0 {
			return run(t, ".", nil, "dpkg", args...)
		}
		return run(t, ".", nil, testenv.Tool(t, "fakeroot"), append([]string{"dpkg"}, args...)...)
	}
	out := dpkg(append([]string{"-i"}, debs...)...)
	if !strings.Contains(out, "posd: not started. Next: posctl keygen") {
		t.Errorf("install did not tell the operator what to do next:\n%s", out)
	}

	for bin, want := range map[string]string{
		"usr/bin/posd -version": "posd 1.2.3~test\n", "usr/bin/posctl --version": "posctl 1.2.3~test\n",
		"usr/bin/amssim -version": "amssim 1.2.3~test\n",
	} {
		name, arg, _ := strings.Cut(bin, " ")
		if got := run(t, root, nil, filepath.Join(root, name), arg); got != want {
			t.Errorf("%s from the installed package = %q, want %q", bin, got, want)
		}
	}

	readRoot := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if !strings.Contains(readRoot("etc/passwd"), "\nposd:x:") {
		t.Errorf("no posd user in the root's /etc/passwd:\n%s", readRoot("etc/passwd"))
	}
	groups := readRoot("etc/group")
	if !strings.Contains(groups, "dialout:x:20:posd\n") || !strings.Contains(groups, "input:x:101:\n") {
		t.Errorf("posd should join dialout (printers) and not input (keypads opt in):\n%s", groups)
	}
	for dir, mode := range map[string]os.FileMode{"etc/posd": 0o750, "var/lib/posd": 0o700} {
		fi, err := os.Stat(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("/%s mode %v, want %v", dir, fi.Mode().Perm(), mode)
		}
		if os.Getuid() == 0 && fi.Sys().(*syscall.Stat_t).Gid == 0 {
			t.Errorf("/%s is not in the posd group", dir)
		}
	}
	wants := filepath.Join(root, "etc/systemd/system/multi-user.target.wants/posd.service")
	if target, err := os.Readlink(wants); err != nil || target != "/lib/systemd/system/posd.service" {
		t.Errorf("posd.service not enabled in the root: %q, %v", target, err)
	}
	if _, err := os.Lstat(filepath.Join(root, "etc/systemd/user/default.target.wants/posd-kiosk.service")); err == nil {
		t.Error("the kiosk unit is enabled; it must be off by default")
	}

	// Remove, then purge: the payment database stays, the unit's symlinks go.
	db := filepath.Join(root, "var/lib/posd/posd.db")
	if err := os.WriteFile(db, []byte("payments"), 0o600); err != nil {
		t.Fatal(err)
	}
	dpkg("-r", "posd")
	if _, err := os.Stat(filepath.Join(root, "usr/bin/posd")); err == nil {
		t.Error("posd still installed after dpkg -r")
	}
	dpkg("-P", "posd")
	if _, err := os.Lstat(wants); err == nil {
		t.Error("the enabling symlink survived the purge")
	}
	if got, err := os.ReadFile(db); err != nil || string(got) != "payments" {
		t.Errorf("purge touched the payment database: %q, %v", got, err)
	}
}

// renderMan renders a man page (source or gzip) as text and returns it with man's warnings.
func renderMan(t *testing.T, page string) (text, warnings string) {
	t.Helper()
	man := testenv.Tool(t, "man")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// As lintian checks manual pages: groff warnings on, UTF-8, text output.
	cmd := exec.CommandContext(ctx, man, "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page)
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "LC_ALL=C.UTF-8")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("man -l %s: %v\n%s", page, err, errb.String())
	}
	// -Z leaves groff's intermediate output; render once more as plain text for reading.
	plain := exec.CommandContext(ctx, man, "-l", page)
	plain.Env = append(os.Environ(), "MANWIDTH=80", "LC_ALL=C.UTF-8")
	txt, err := plain.Output()
	if err != nil {
		t.Fatalf("man -l %s: %v", page, err)
	}
	return overstrike.ReplaceAllString(string(txt), ""), errb.String()
}

// systemctlCall is a command line of a shell script that runs systemctl (not a mention in a message).
var systemctlCall = regexp.MustCompile(`(?m)^(?:[^"#\n]*[;&|]\s*|\s*)systemctl\s+(\S+(?:\s+[a-z-]+)?)`)

// overstrike is grotty's bold and underline (c BS c, _ BS c), which man keeps in some environments.
var overstrike = regexp.MustCompile("[^\n]\x08")

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
