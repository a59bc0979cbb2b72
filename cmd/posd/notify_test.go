package main

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// listenNotify is the systemd side: a unixgram socket posd writes to.
func listenNotify(t *testing.T) (string, <-chan string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	got := make(chan string, 16)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- string(buf[:n])
		}
	}()
	return path, got
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestNotifierSendsEachMessage(t *testing.T) {
	path, got := listenNotify(t)
	n := newNotifier(env(map[string]string{"NOTIFY_SOCKET": path}))
	for _, c := range []struct {
		send func() error
		want string
	}{
		{func() error { return n.ready("taking payments") }, "READY=1\nSTATUS=taking payments"},
		{func() error { return n.status("network trouble") }, "STATUS=network trouble"},
		{n.stopping, "STOPPING=1\nSTATUS=stopping"},
	} {
		if err := c.send(); err != nil {
			t.Fatal(err)
		}
		if msg := <-got; msg != c.want {
			t.Errorf("got %q, want %q", msg, c.want)
		}
	}
}

func TestNotifierWithoutSystemdIsSilent(t *testing.T) {
	n := newNotifier(env(nil))
	if n.enabled() {
		t.Fatal("enabled without NOTIFY_SOCKET")
	}
	if err := n.ready("x"); err != nil {
		t.Fatal(err)
	}
}

func TestNotifierReportsAMissingSocket(t *testing.T) {
	n := newNotifier(env(map[string]string{"NOTIFY_SOCKET": filepath.Join(t.TempDir(), "gone")}))
	if err := n.ready("x"); err == nil {
		t.Fatal("no error for a socket nobody listens on")
	}
}

func TestWatchdogInterval(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want time.Duration
		ok   bool
	}{
		{map[string]string{"WATCHDOG_USEC": "30000000"}, 15 * time.Second, true},
		{map[string]string{"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"}, 15 * time.Second, true},
		{map[string]string{"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "43"}, 0, false},
		{map[string]string{"WATCHDOG_USEC": "0"}, 0, false},
		{map[string]string{"WATCHDOG_USEC": "soon"}, 0, false},
		{nil, 0, false},
	} {
		got, ok := watchdogInterval(env(c.env), 42)
		if got != c.want || ok != c.ok {
			t.Errorf("%v: got %v %v, want %v %v", c.env, got, ok, c.want, c.ok)
		}
	}
}

func TestWatchdogPingsOnlyWhileAlive(t *testing.T) {
	path, got := listenNotify(t)
	n := newNotifier(env(map[string]string{"NOTIFY_SOCKET": path}))
	ticks := make(chan time.Time)
	healthy := make(chan bool)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		n.watchdog(ctx, ticks, func(context.Context) bool { return <-healthy })
		close(done)
	}()

	ticks <- time.Now()
	healthy <- true
	if msg := <-got; msg != "WATCHDOG=1" {
		t.Fatalf("got %q", msg)
	}
	// A wedged engine: ticks come, no ping goes out. The next healthy
	// tick's ping is the very next datagram, so nothing was sent between.
	ticks <- time.Now()
	healthy <- false
	ticks <- time.Now()
	healthy <- true
	if msg := <-got; msg != "WATCHDOG=1" {
		t.Fatalf("got %q", msg)
	}
	cancel()
	<-done
	// Datagrams arrive in order: had the unhealthy tick pinged, a second
	// WATCHDOG=1 would come before this marker.
	if err := n.status("end"); err != nil {
		t.Fatal(err)
	}
	if msg := <-got; msg != "STATUS=end" {
		t.Fatalf("got %q: a ping went out while the engine was wedged", msg)
	}
}
