package powercut

import (
	"fmt"
	"strings"
	"testing"
)

// TestPowerCutNoFsync is the rig's own test: posd built with the
// powercut_nofsync tag never fsyncs its outbox, so a cut soon after a
// payment loses its record while the gateway keeps it. The rig must report
// that as a violation, or it proves nothing.
func TestPowerCutNoFsync(t *testing.T) {
	n := min(skipUnlessAsked(t, 2), 2)
	r := newRig(t, rigOptions{tags: []string{"powercut_nofsync"}})
	for _, sc := range scenarios {
		if sc.name == "answer-before-commit" {
			r.scen = []scenario{sc}
		}
	}
	cuts, resolved, violations, _ := r.run(t.Context(), n)
	for _, v := range violations {
		t.Logf("reported, as it should be: %s", v)
	}
	lost := 0
	for _, v := range violations {
		if strings.Contains(v, "unknown to posd") {
			lost++
		}
	}
	if lost == 0 {
		t.Errorf("posd without fsync went through %d cuts (%d resolved) and the rig reported no lost payment", cuts, resolved)
	}
	fmt.Printf("self-test (posd without fsync): cuts=%d lost payments reported=%d violations=%d\n", cuts, lost, len(violations))
}
