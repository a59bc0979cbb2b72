package main

import (
	"runtime"
	"runtime/debug"
	"strconv"
)

// gcPercent is posd's garbage collector target (GOGC) unless the
// environment sets one. posd's live heap is one to two megabytes; at Go's
// default of 100 the collector waits for a 4 MB heap and the runtime keeps
// those pages, so about a third of posd's resident memory would be garbage
// waiting. At 50 the heap stays near 2 MB (BenchmarkRSS: 2.4 MiB less
// anonymous memory) for 0.7 ms more CPU a payment on a 2-core x86.
const gcPercent = 50

// procs is how many threads run posd's Go code at once (GOMAXPROCS) unless the
// environment sets it. posd spends its time waiting on the gateway, the
// disk and the printer, and a payment needs a few milliseconds of CPU, so
// a second P buys nothing but a second set of per-P caches: one P keeps
// about 0.4 MiB less resident, spends less CPU a payment and leaves the
// board's other cores to the kiosk browser (issue 17, BenchmarkRSS).
const procs = 1

// tuning is the runtime's settings as posd runs with them: the
// environment's GOGC and GOMAXPROCS when set (the runtime has read them),
// else posd's own.
type tuning struct {
	gc, procs string
	ownGC     bool // posd sets GOGC
	ownProcs  bool // posd sets GOMAXPROCS
}

func tuningFrom(getenv func(string) string) tuning {
	t := tuning{gc: getenv("GOGC"), procs: getenv("GOMAXPROCS")}
	if t.gc == "" {
		t.gc, t.ownGC = strconv.Itoa(gcPercent), true
	}
	if t.procs == "" {
		t.procs, t.ownProcs = strconv.Itoa(procs), true
	}
	return t
}

// apply sets what posd sets. main calls it, not posd(): the tests that
// run posd in their own process keep the test binary's settings.
func (t tuning) apply() {
	if t.ownGC {
		debug.SetGCPercent(gcPercent)
	}
	if t.ownProcs {
		runtime.GOMAXPROCS(procs)
	}
}

// trimMemory is daemon.Options.Idle: when a sale has ended the till waits
// for a person, so posd collects and hands the heap's free pages back to
// the kernel. Between sales the heap holds the last sale's garbage; given
// back, posd is about 1.5 MiB smaller at the counter, for one collection a
// sale (about a millisecond of CPU on x86).
func trimMemory() { debug.FreeOSMemory() }
