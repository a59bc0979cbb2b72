package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestTuningApply(t *testing.T) {
	gcBefore, procsBefore := debug.SetGCPercent(100), runtime.GOMAXPROCS(4)
	defer func() { debug.SetGCPercent(gcBefore); runtime.GOMAXPROCS(procsBefore) }()

	tu := tuningFrom(func(string) string { return "" })
	if tu.gc != "50" || tu.procs != "1" {
		t.Errorf("without GOGC and GOMAXPROCS: %+v, want GOGC 50 and GOMAXPROCS 1", tu)
	}
	tu.apply()
	if now := debug.SetGCPercent(100); now != gcPercent {
		t.Errorf("without GOGC the collector runs at %d, want %d", now, gcPercent)
	}
	if now := runtime.GOMAXPROCS(4); now != procs {
		t.Errorf("without GOMAXPROCS posd runs %d Ps, want %d", now, procs)
	}

	env := map[string]string{"GOGC": "200", "GOMAXPROCS": "3"}
	tu = tuningFrom(func(k string) string { return env[k] })
	if tu.gc != "200" || tu.procs != "3" {
		t.Errorf("with GOGC=200 GOMAXPROCS=3: %+v, want the environment's", tu)
	}
	tu.apply()
	if now := debug.SetGCPercent(100); now != 100 {
		t.Errorf("with GOGC set posd changed the collector to %d; the runtime's reading of GOGC must stand", now)
	}
	if now := runtime.GOMAXPROCS(0); now != 4 {
		t.Errorf("with GOMAXPROCS set posd changed it to %d; the runtime's reading must stand", now)
	}
}
