package powercut

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// guestModules are the modules the guest loads: Debian builds virtio's
// transports, disk, network and ext4 as modules. crc32c_generic is what
// ext4's metadata checksums need, though no module lists it as a
// dependency.
var guestModules = []string{"crc32c_generic", "virtio_pci", "virtio_blk", "virtio_net", "ext4", "virtio-rng"}

// moduleOrder resolves want against the module tree dir (lib/modules/VER as
// unpacked from the kernel package, which ships no modules.dep): each
// module's "depends=" from its .modinfo section, dependencies first. It
// returns the paths relative to dir. Modules built into the kernel are
// skipped.
func moduleOrder(dir string, want []string) ([]string, error) {
	byName := map[string]string{}
	err := filepath.WalkDir(filepath.Join(dir, "kernel"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".ko") {
			byName[normModule(strings.TrimSuffix(d.Name(), ".ko"))] = p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var order []string
	seen := map[string]bool{}
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		name = normModule(name)
		if seen[name] {
			return nil
		}
		if len(chain) > 32 {
			return fmt.Errorf("module dependency loop: %v", chain)
		}
		p, ok := byName[name]
		if !ok {
			return nil // built in (or not in this kernel at all: insmod would say)
		}
		deps, err := moduleDepends(p)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d, append(chain, name)); err != nil {
				return err
			}
		}
		seen[name] = true
		rel, _ := filepath.Rel(dir, p)
		order = append(order, rel)
		return nil
	}
	for _, w := range want {
		if _, ok := byName[normModule(w)]; !ok && !builtin(dir, w) {
			return nil, fmt.Errorf("module %s is neither in %s nor built in", w, dir)
		}
		if err := visit(w, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func normModule(n string) string { return strings.ReplaceAll(n, "-", "_") }

func builtin(dir, name string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "modules.builtin"))
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if normModule(strings.TrimSuffix(filepath.Base(l), ".ko")) == normModule(name) {
			return true
		}
	}
	return false
}

// moduleDepends reads "depends=a,b" from a module's .modinfo section.
func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", path, err)
	}
	defer f.Close()
	s := f.Section(".modinfo")
	if s == nil {
		return nil, fmt.Errorf("module %s has no .modinfo", path)
	}
	data, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", path, err)
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}
