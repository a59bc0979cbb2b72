// Command agent runs inside the power-cut rig's guest (build/powercut): the
// host's hands and eyes in an emulated board whose power it cuts.
//
// It serves a small HTTP API on the guest's port 7000 (reached through
// qemu's hostfwd): POST /run runs a command (posctl) and returns its output,
// POST /start starts a long-running one (posd, the queue crash child) and
// returns its PID. Every line those print goes to the console, prefixed
// "name| ", which is the serial port the host reads: posd's own log lines
// are the host's triggers. POST /pay makes many payments through posd's API
// socket from inside the guest, with posapi's client (posctl exec'd per key
// would cost more than posd's own work under emulation), and returns once
// every payment was paid and its slip cut (the RSS benchmark's workload).
//
// It is also the receipt printer: an ESC/POS printer (printer/virtual) on
// 127.0.0.1:9100 that reports every slip it cuts ("paper| "), so paper that
// came out before a cut is known to the host, as paper in a shop survives a
// power cut. And it watches the outbox file grow ("grow| "), for cuts during
// bbolt's file growth.
package main
