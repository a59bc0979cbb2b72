//go:build powercut_nofsync

package queue

// noSync: this build never fsyncs the outbox. Only build/powercut's
// self-test uses it, to prove the rig reports the payments it loses.
const noSync = true
