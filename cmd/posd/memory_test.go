package main

import (
	"runtime/debug"
	"testing"
)

func TestSetGCPercent(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	if got := setGCPercent(func(string) string { return "" }); got != "50" {
		t.Errorf("without GOGC: setting %q, want 50", got)
	}
	if now := debug.SetGCPercent(100); now != gcPercent {
		t.Errorf("without GOGC the collector runs at %d, want %d", now, gcPercent)
	}
	env := map[string]string{"GOGC": "200"}
	if got := setGCPercent(func(k string) string { return env[k] }); got != "200" {
		t.Errorf("with GOGC=200: setting %q, want the environment's", got)
	}
	if now := debug.SetGCPercent(100); now != 100 {
		t.Errorf("with GOGC set posd changed the collector to %d; the runtime's reading of GOGC must stand", now)
	}
}
