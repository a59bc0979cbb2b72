package testenv

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Mosquitto is a real MQTT broker (Debian package mosquitto) started for a
// test on a free loopback port, with persistence in the test's directory
// so a stop and a start keep retained messages and kept sessions, as a
// production broker does.
type Mosquitto struct {
	t    testing.TB
	bin  string
	dir  string
	conf string
	Port int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	log  *os.File
}

// StartMosquitto starts a broker that allows anonymous clients; extra
// lines are appended to its configuration (listener options, ACLs). It is
// stopped when the test ends.
func StartMosquitto(t testing.TB, extra ...string) *Mosquitto {
	t.Helper()
	if testing.Short() {
		// The emulated ARM runs (-short) leave out tests that start daemons.
		t.Skip("starts a Mosquitto broker; not with -short")
	}
	bin := Tool(t, "mosquitto")
	dir := t.TempDir()
	_, port, _ := net.SplitHostPort(FreeAddr(t))
	m := &Mosquitto{t: t, bin: bin, dir: dir, conf: filepath.Join(dir, "mosquitto.conf")}
	m.Port, _ = strconv.Atoi(port)
	lines := []string{
		fmt.Sprintf("listener %d 127.0.0.1", m.Port),
		"allow_anonymous true",
		"persistence true",
		"persistence_location " + dir + "/",
		"max_queued_messages 0", // a kept session's queue is not capped
		"max_inflight_messages 20",
		"log_type error",
		"log_type warning",
		"log_type notice",
	}
	if os.Getuid() == 0 {
		lines = append(lines, "user root") // else it drops to user mosquitto, which cannot write dir
	}
	lines = append(lines, extra...)
	if err := os.WriteFile(m.conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(m.Stop)
	return m
}

// Addr is host:port of the broker.
func (m *Mosquitto) Addr() string { return "127.0.0.1:" + strconv.Itoa(m.Port) }

// URL is the broker's mqtt:// URL.
func (m *Mosquitto) URL() string { return "mqtt://" + m.Addr() }

// Dir is the broker's directory (configuration, persistence, log).
func (m *Mosquitto) Dir() string { return m.dir }

// Start starts the broker (again, after Stop or Kill) on the same port and
// waits until it accepts connections.
func (m *Mosquitto) Start() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return
	}
	log, err := os.OpenFile(filepath.Join(m.dir, "mosquitto.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		m.t.Fatal(err)
	}
	cmd := exec.Command(m.bin, "-c", m.conf)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		m.t.Fatalf("mosquitto: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Readiness: an MQTT CONNECT on the port is answered by this broker
	// (not by another program that took the port first). Bounded; a broker
	// that exits is reported with its log.
	deadline := time.Now().Add(15 * time.Second)
	for !m.answers() {
		select {
		case err := <-exited:
			log.Close()
			data, _ := os.ReadFile(filepath.Join(m.dir, "mosquitto.log"))
			m.t.Fatalf("mosquitto exited at start: %v\n%s", err, lastLines(string(data), 10))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			log.Close()
			m.t.Fatalf("mosquitto did not answer on %s within 15 s", m.Addr())
		}
	}
	select {
	case err := <-exited:
		log.Close()
		m.t.Fatalf("mosquitto exited at start (port %d taken?): %v\n%s", m.Port, err, lastLines(m.Log(), 10))
	default:
	}
	done := make(chan struct{})
	m.cmd, m.log, m.done = cmd, log, done
	go func() { <-exited; close(done) }()
}

// Stop stops the broker as an operator would (SIGTERM): it saves its
// persistence file and closes every connection. Clients see the broker go.
func (m *Mosquitto) Stop() { m.signal(syscall.SIGTERM) }

// Kill kills the broker outright (SIGKILL): nothing is saved.
func (m *Mosquitto) Kill() { m.signal(syscall.SIGKILL) }

func (m *Mosquitto) signal(sig syscall.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Signal(sig)
	select {
	case <-m.done:
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
	}
	m.log.Close()
	m.cmd = nil
}

// Reload makes the broker read its configuration files again (SIGHUP):
// ACL and password files.
func (m *Mosquitto) Reload() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		_ = m.cmd.Process.Signal(syscall.SIGHUP)
	}
}

// Log returns what the broker logged so far (for failure messages).
func (m *Mosquitto) Log() string {
	data, _ := os.ReadFile(filepath.Join(m.dir, "mosquitto.log"))
	return string(data)
}

// answers sends an MQTT 3.1.1 CONNECT (clean session, empty client id) and
// reports whether a CONNACK accepting it comes back.
func (m *Mosquitto) answers() bool {
	c, err := net.DialTimeout("tcp", m.Addr(), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte{0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0, 0, 0}); err != nil {
		return false
	}
	var ack [4]byte
	_, err = io.ReadFull(c, ack[:])
	return err == nil && ack[0] == 0x20 && ack[3] == 0
}
