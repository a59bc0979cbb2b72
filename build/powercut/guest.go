package powercut

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Arch is one emulated board.
type Arch struct {
	Name   string   // Debian architecture: arm64 or armhf
	GOARCH string   // what posd is built for
	GOARM  string   // ARM version for GOARCH=arm
	QEMU   string   // the system emulator
	CPU    []string // machine and CPU options
}

// Arches are the boards the rig can boot: the Raspberry Pi 4's core in
// 64-bit mode, and a 32-bit ARMv7 core with Debian's LPAE kernel (what most
// Pi OS installs run).
var Arches = map[string]Arch{
	// -cpu max is about 3x slower under TCG (pointer authentication).
	"arm64": {Name: "arm64", GOARCH: "arm64", QEMU: "qemu-system-aarch64", CPU: []string{"-M", "virt", "-cpu", "cortex-a72"}},
	"armhf": {Name: "armhf", GOARCH: "arm", GOARM: "7", QEMU: "qemu-system-arm", CPU: []string{"-M", "virt", "-cpu", "cortex-a15"}},
}

// RepoRoot is the checkout this package lives in.
func RepoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("powercut: cannot locate the source tree")
	}
	return filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
}

// CacheDir is where fetched kernels and busybox are kept between runs:
// $POSD_POWERCUT_CACHE, else the user cache directory.
func CacheDir() (string, error) {
	if d := os.Getenv("POSD_POWERCUT_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "posd-powercut"), nil
}

// Kernel is a fetched guest kernel with its busybox and module tree.
type Kernel struct {
	Dir     string // holds vmlinuz, busybox and modules/
	Vmlinuz string
}

// FetchKernel runs fetch.sh for a (a no-op once fetched).
func FetchKernel(ctx context.Context, a Arch) (Kernel, error) {
	root, err := RepoRoot()
	if err != nil {
		return Kernel{}, err
	}
	cache, err := CacheDir()
	if err != nil {
		return Kernel{}, err
	}
	dir := filepath.Join(cache, a.Name)
	cmd := exec.CommandContext(ctx, filepath.Join(root, "build", "powercut", "fetch.sh"), a.Name, dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return Kernel{}, fmt.Errorf("fetch.sh %s: %w\n%s", a.Name, err, out.String())
	}
	return Kernel{Dir: dir, Vmlinuz: filepath.Join(dir, "vmlinuz")}, nil
}

// CrossBuild builds a main package of this repository for a, with build
// tags, into out, as build/build.sh builds a release (HTTP/2 left out,
// build/gcflags's inlining, 4 KiB segments on 32-bit ARM), so the guest
// runs the code and layout that ship.
func CrossBuild(ctx context.Context, a Arch, out, pkg string, tags ...string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	flags, err := os.ReadFile(filepath.Join(root, "build", "gcflags"))
	if err != nil {
		return err
	}
	ldflags := "-s -w"
	if a.GOARCH == "arm" {
		ldflags += " -R 0x1000"
	}
	args := []string{"build", "-trimpath", "-tags", strings.Join(append([]string{"nethttpomithttp2"}, tags...), ",")}
	args = append(args, GCFlags(string(flags))...)
	return goCmd(ctx, a, append(args, "-ldflags", ldflags, "-o", out, pkg)...)
}

// GCFlags reads build/gcflags: one go build argument a line, '#' lines
// and blank lines skipped, as build/build.sh reads it.
func GCFlags(file string) []string {
	var flags []string
	for line := range strings.Lines(file) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			flags = append(flags, line)
		}
	}
	return flags
}

// CrossTestBinary builds pkg's test binary for a (go test -c).
func CrossTestBinary(ctx context.Context, a Arch, out, pkg string) error {
	return goCmd(ctx, a, "test", "-c", "-o", out, pkg)
}

func goCmd(ctx context.Context, a Arch, args ...string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+a.GOARCH, "GOARM="+a.GOARM, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// GuestFile is a file placed in the guest's root.
type GuestFile struct {
	Path string // absolute path in the guest
	Perm fs.FileMode
	Data []byte
}

// initScript is the guest's PID 1: mounts, modules, static networking on
// qemu's user network (the host is 10.0.2.2), the data disk on the outbox
// directory, then the agent, restarted if it ever exits. PID 1 must never
// exit (the kernel panics).
const initScript = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
while read m; do insmod /lib/modules/$m || echo "init| insmod $m failed"; done < /etc/modules.order
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
mount -t ext4 /dev/vda /var/lib/posd || echo "init| data disk mount failed"
echo "init| up $(date -u +%s)"
while true; do AGENT_WATCH=/var/lib/posd /bin/agent; sleep 1; done
`

// BuildInitramfs writes the guest's root (an uncompressed newc cpio) to
// out: busybox, the kernel modules, the agent and the extra files.
func BuildInitramfs(k Kernel, agent string, extra []GuestFile, out string) error {
	a := initramfs{}
	for _, d := range []string{"/bin", "/proc", "/sys", "/dev", "/run", "/tmp", "/var/lib/posd", "/etc"} {
		a.dir(d)
	}
	a.char("/dev/console", 5, 1)
	bb, err := os.ReadFile(filepath.Join(k.Dir, "busybox"))
	if err != nil {
		return err
	}
	a.file("/bin/busybox", 0o755, bb)
	a.symlink("/bin/sh", "busybox")
	a.file("/init", 0o755, []byte(initScript))
	ag, err := os.ReadFile(agent)
	if err != nil {
		return err
	}
	a.file("/bin/agent", 0o755, ag)
	mods := filepath.Join(k.Dir, "modules")
	order, err := moduleOrder(mods, guestModules)
	if err != nil {
		return err
	}
	for _, m := range order {
		b, err := os.ReadFile(filepath.Join(mods, m))
		if err != nil {
			return err
		}
		a.file("/lib/modules/"+filepath.ToSlash(m), 0o644, b)
	}
	a.file("/etc/modules.order", 0o644, []byte(strings.Join(order, "\n")+"\n"))
	for _, f := range extra {
		a.file(f.Path, f.Perm, f.Data)
	}
	var buf bytes.Buffer
	if err := a.write(&buf); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// NewDisk creates a fresh 64 MiB ext4 image at path: the guest's
// /var/lib/posd.
func NewDisk(ctx context.Context, path string) error {
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		return err
	}
	if err := os.Truncate(path, 64<<20); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "mke2fs", "-q", "-F", "-t", "ext4", "-E", "lazy_itable_init=0,lazy_journal_init=0", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("mke2fs: %w\n%s", err, out)
	}
	return nil
}
