package powercut

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Memory is a process's resident memory as the guest's kernel reports it.
type Memory struct {
	// Status is every kB field of /proc/PID/status (VmRSS, VmHWM,
	// RssAnon, RssFile, RssShmem, ...), in KiB.
	Status map[string]int
	// Rss is the Rss of /proc/PID/smaps summed by what is mapped: a
	// file's path, a bracketed kernel name ([heap], [stack]), or "" for
	// anonymous memory; in KiB. Unlike status's counters, which a kernel
	// before 6.2 keeps per thread and adds up only now and then, smaps
	// walks the page tables: it is exact.
	Rss map[string]int
	// Anon is smaps's Anonymous the same way: the part of Rss that is
	// anonymous memory, such as the written pages of a binary's data.
	Anon map[string]int
	// Size is smaps's Size the same way: the address space mapped.
	Size map[string]int
}

// KiB is a /proc/PID/status field, or an error naming it when the kernel
// did not report it.
func (m Memory) KiB(field string) (int, error) {
	n, ok := m.Status[field]
	if !ok {
		return 0, fmt.Errorf("powercut: no %s in /proc/PID/status", field)
	}
	return n, nil
}

// ProcMemory reads pid's /proc/PID/status and /proc/PID/smaps in the
// guest.
func (m *Machine) ProcMemory(ctx context.Context, pid int) (Memory, error) {
	read := func(name string) ([]byte, error) {
		path := fmt.Sprintf("/proc/%d/%s", pid, name)
		res, err := m.Run(ctx, "cat", path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if res.Code != 0 {
			return nil, fmt.Errorf("reading %s: exit %d: %s", path, res.Code, strings.TrimSpace(res.Err))
		}
		return []byte(res.Out), nil
	}
	status, err := read("status")
	if err != nil {
		return Memory{}, err
	}
	smaps, err := read("smaps")
	if err != nil {
		return Memory{}, err
	}
	return Memory{Status: ParseStatusKiB(status), Rss: ParseSmaps(smaps, "Rss"), Anon: ParseSmaps(smaps, "Anonymous"), Size: ParseSmaps(smaps, "Size")}, nil
}

// ParseStatusKiB returns the fields of a /proc/PID/status text whose value
// is a number of kB ("VmRSS:\t  1234 kB"); other lines are left out.
func ParseStatusKiB(status []byte) map[string]int {
	out := map[string]int{}
	for line := range bytes.Lines(status) {
		name, value, ok := strings.Cut(string(line), ":")
		if !ok {
			continue
		}
		if n, ok := kiB(value); ok {
			out[name] = n
		}
	}
	return out
}

// ParseSmaps sums a kB field (Rss, Anonymous, ...) of a /proc/PID/smaps
// text by mapping name (see Memory.Rss).
func ParseSmaps(smaps []byte, field string) map[string]int {
	out := map[string]int{}
	name, in := "", false
	for line := range bytes.Lines(smaps) {
		fields := strings.Fields(string(line))
		if len(fields) == 0 {
			continue
		}
		if header(fields) {
			// The name is the rest of the line after five fields; a path
			// may hold spaces.
			name, in = strings.Join(fields[5:], " "), true
			continue
		}
		if v, ok := strings.CutPrefix(string(line), field+":"); ok && in {
			if n, ok := kiB(v); ok {
				out[name] += n
			}
		}
	}
	return out
}

// header reports whether fields are a smaps mapping line:
// "start-end perms offset dev inode [name]".
func header(fields []string) bool {
	if len(fields) < 5 {
		return false
	}
	start, end, ok := strings.Cut(fields[0], "-")
	if !ok {
		return false
	}
	for _, hex := range []string{start, end, fields[2]} {
		if _, err := strconv.ParseUint(hex, 16, 64); err != nil {
			return false
		}
	}
	return len(fields[1]) == 4
}

// kiB parses " 1234 kB".
func kiB(v string) (int, bool) {
	num, ok := strings.CutSuffix(strings.TrimSpace(v), " kB")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 31)
	if err != nil {
		return 0, false
	}
	return int(n), true
}
