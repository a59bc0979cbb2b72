// Package powercut is the power-cut rig: it boots a real ARM Linux under
// qemu (arm64 on qemu-system-aarch64, armhf on qemu-system-arm) with posd
// inside, runs payments against amssim on the host, cuts the power by
// killing qemu at chosen moments, boots again and checks that nothing was
// lost.
//
// Killing posd with SIGKILL keeps the kernel's page cache, so a write posd
// never fsync'd still reaches the disk; killing the whole machine loses it,
// as a power failure on a Raspberry Pi does. The outbox lives on its own raw
// ext4 image (qemu cache=writeback: what the guest submitted survives, its
// page cache does not).
//
// Pieces: fetch.sh gets Debian's kernel and busybox-static for the guest
// with apt (private lists and cache, the host's configuration untouched);
// BuildInitramfs makes the guest's root (busybox, the kernel modules virtio
// and ext4 need, posd, posctl, and the agent of build/powercut/agent);
// Start boots it as a Machine, whose console lines (posd's own log lines)
// are the triggers of Machine.CutOn, and Gateway's hooks cut while a call
// is at amssim; CheckDisk runs e2fsck on a copy of the disk and copies the
// outbox out, BoltCheck verifies every page, and Agreement compares the
// outbox with amssim's ledger and with the paper the guest's printer cut.
//
// The same board measures posd's memory on a real ARM kernel:
// BenchmarkRSSOnDevice has the agent make payments through posd's API
// socket in the guest and reads posd's /proc/PID/status and smaps there
// (Machine.ProcMemory).
//
// The tests run only when asked (-cuts N, or POSD_POWERCUT=1): see README
// "Power-cut tests"; the benchmark with -rss-payments N or
// POSD_RSS_DEVICE=1 (README "Performance").
package powercut
