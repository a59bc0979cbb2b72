package promtext

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// RegisterRuntime registers the Go runtime's series (go_*) and the
// process's (process_*) under the names client_golang's collectors use,
// so dashboards and alert rules written for them keep working.
func (r *Registry) RegisterRuntime() {
	r.NewGaugeFunc("go_goroutines", "Number of goroutines that currently exist.", func() float64 { return float64(runtime.NumGoroutine()) })
	r.NewGaugeFunc("go_threads", "Number of OS threads created.", func() float64 {
		n, _ := runtime.ThreadCreateProfile(nil)
		return float64(n)
	})
	r.NewFunc("go_info", "Information about the Go environment.", GaugeType, []string{"version"}, func(emit Emit) {
		emit(1, runtime.Version())
	})
	// One ReadMemStats and one read of /proc/self/stat per scrape, shared
	// by the series below.
	var (
		ms     runtime.MemStats
		st     procStat
		stErr  error
		shared = func() { runtime.ReadMemStats(&ms); st, stErr = readProcStat() }
	)
	r.mu.Lock()
	r.snapshots = append(r.snapshots, shared)
	r.mu.Unlock()
	for _, s := range []struct {
		name, help string
		typ        Type
		v          func() uint64
	}{
		{"go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", GaugeType, func() uint64 { return ms.Alloc }},
		{"go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap, even if freed.", CounterType, func() uint64 { return ms.TotalAlloc }},
		{"go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", GaugeType, func() uint64 { return ms.HeapAlloc }},
		{"go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", GaugeType, func() uint64 { return ms.HeapInuse }},
		{"go_memstats_heap_objects", "Number of currently allocated objects.", GaugeType, func() uint64 { return ms.HeapObjects }},
		{"go_memstats_sys_bytes", "Number of bytes obtained from the system.", GaugeType, func() uint64 { return ms.Sys }},
		{"go_memstats_next_gc_bytes", "Heap size at which the next garbage collection takes place.", GaugeType, func() uint64 { return ms.NextGC }},
		{"go_memstats_gc_cycles_total", "Number of completed garbage collection cycles.", CounterType, func() uint64 { return uint64(ms.NumGC) }},
	} {
		r.register(&family{name: s.name, help: s.help, typ: s.typ, write: func(b *bytes.Buffer) {
			sample(b, s.name, nil, nil, "", strconv.FormatUint(s.v(), 10))
		}})
	}

	start := float64(time.Now().UnixNano()/1e6) / 1e3
	if at, err := readProcStat(); err == nil {
		if boot, err := bootTime(); err == nil {
			start = float64(boot) + float64(at.startTicks)/userHZ
		}
	}
	r.NewGaugeFunc("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", func() float64 { return start })
	r.NewFunc("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", CounterType, nil, func(emit Emit) {
		if stErr == nil {
			emit(float64(st.utime+st.stime) / userHZ)
		}
	})
	r.NewFunc("process_resident_memory_bytes", "Resident memory size in bytes.", GaugeType, nil, func(emit Emit) {
		if stErr == nil {
			emit(float64(st.rssPages) * float64(os.Getpagesize()))
		}
	})
	r.NewFunc("process_virtual_memory_bytes", "Virtual memory size in bytes.", GaugeType, nil, func(emit Emit) {
		if stErr == nil {
			emit(float64(st.vsize))
		}
	})
	r.NewFunc("process_open_fds", "Number of open file descriptors.", GaugeType, nil, func(emit Emit) {
		if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
			emit(float64(len(ents)))
		}
	})
	r.NewFunc("process_max_fds", "Maximum number of open file descriptors.", GaugeType, nil, func(emit Emit) {
		var lim unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil {
			emit(float64(lim.Cur))
		}
	})
}

// userHZ is the kernel's clock tick for /proc times: 100 on every Linux
// posd runs on (procfs and client_golang assume the same).
const userHZ = 100

// procStat is what posd reads of /proc/self/stat.
type procStat struct {
	utime, stime, startTicks, vsize, rssPages uint64
}

var errProcStat = errors.New("promtext: unexpected /proc/self/stat")

func readProcStat() (procStat, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(b)
}

// parseProcStat reads the fields of proc_pid_stat(5) posd exports. The
// command name (field 2) is in parentheses and may hold spaces and
// parentheses itself, so fields are counted after its last ')'.
func parseProcStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errProcStat
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state): field n is f[n-3].
	const utime, stime, starttime, vsize, rss = 14 - 3, 15 - 3, 22 - 3, 23 - 3, 24 - 3
	if len(f) <= rss {
		return procStat{}, fmt.Errorf("%w: %d fields", errProcStat, len(f)+2)
	}
	var st procStat
	for _, x := range []struct {
		i   int
		dst *uint64
	}{{utime, &st.utime}, {stime, &st.stime}, {starttime, &st.startTicks}, {vsize, &st.vsize}} {
		v, err := strconv.ParseUint(string(f[x.i]), 10, 64)
		if err != nil {
			return procStat{}, fmt.Errorf("%w: %v", errProcStat, err)
		}
		*x.dst = v
	}
	// rss is signed in the kernel's format.
	r, err := strconv.ParseInt(string(f[rss]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("%w: %v", errProcStat, err)
	}
	st.rssPages = uint64(max(r, 0))
	return st, nil
}

// bootTime is the btime line of /proc/stat: when the system booted, in Unix seconds.
func bootTime() (uint64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			return strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
		}
	}
	return 0, errors.New("promtext: no btime in /proc/stat")
}
