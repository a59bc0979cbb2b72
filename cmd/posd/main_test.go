package main

import (
	"strings"
	"testing"
)

func TestPosdCommandLine(t *testing.T) {
	var out, errb strings.Builder
	if code := posd([]string{"-version"}, &out, &errb, env(nil)); code != exitOK || out.String() != "posd "+version+"\n" {
		t.Fatalf("-version: %d %q", code, out.String())
	}
	errb.Reset()
	if code := posd([]string{"-config", "testdata/nonexistent.toml"}, &out, &errb, env(nil)); code != exitFail || !strings.Contains(errb.String(), "testdata/nonexistent.toml") {
		t.Fatalf("missing config: %d %q", code, errb.String())
	}
	if code := posd([]string{"extra"}, &out, &errb, env(nil)); code != exitUsage {
		t.Fatalf("stray argument: %d", code)
	}
}
