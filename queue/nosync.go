//go:build !powercut_nofsync

package queue

// noSync is true only in the power-cut rig's self-test build (tag
// powercut_nofsync, build/powercut): a posd that never fsyncs, which the
// rig must catch losing payments.
const noSync = false
