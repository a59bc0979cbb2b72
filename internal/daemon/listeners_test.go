package daemon

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/posapi"
)

// startMetrics serves the metrics endpoint alone on a free loopback port
// with lim, and returns its address.
func startMetrics(t *testing.T, lim Limits) string {
	t.Helper()
	var wg sync.WaitGroup
	l := &listeners{wg: &wg, log: slog.New(slog.DiscardHandler)}
	cfg := config.Default()
	cfg.Metrics.Listen = "127.0.0.1:0"
	err := l.start(cfg, webParts{metrics: newMetrics("test", ""), printerState: func() string { return "ok" },
		limits: map[string]Limits{"metrics": lim}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.shutdown(); wg.Wait() })
	return l.addrs["metrics"]
}

// get sends one GET /metrics on c and reads the status line and headers.
func get(t *testing.T, c net.Conn, r *bufio.Reader, host string) string {
	t.Helper()
	fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: %s\r\n\r\n", host)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Status
}

// Idle connections used to be kept forever (22,000 of them exhausted
// posd's file descriptors). Now the server closes one after IdleTimeout.
func TestListenerClosesIdleConnection(t *testing.T) {
	addr := startMetrics(t, Limits{IdleTimeout: 100 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if st := get(t, c, r, addr); !strings.HasPrefix(st, "200") {
		t.Fatalf("GET /metrics: %s", st)
	}
	// Kept alive, then idle: the server hangs up (EOF), well before our
	// own deadline.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: %v, want the server to close it", err)
	}
}

// A client that sends half a request (slowloris) is cut off after the
// read timeout.
func TestListenerClosesSlowRequest(t *testing.T) {
	addr := startMetrics(t, Limits{ReadTimeout: 100 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: %s\r\nX-Slow: ", addr)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("half a request: %v, want the server to close the connection", err)
	}
}

// Connections beyond the cap wait unserved in the kernel's backlog; one is
// served as soon as a held connection goes.
func TestListenerCapsConnections(t *testing.T) {
	addr := startMetrics(t, Limits{MaxConns: 2, IdleTimeout: time.Hour})
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if st := get(t, c, bufio.NewReader(c), addr); !strings.HasPrefix(st, "200") {
			t.Fatalf("GET /metrics: %s", st)
		}
		held = append(held, c)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	fmt.Fprintf(extra, "GET /metrics HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	// Over the cap: no answer while both slots are held.
	extra.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	r := bufio.NewReader(extra)
	if _, err := r.ReadByte(); err == nil {
		t.Fatal("a connection over the cap was served")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("over the cap: %v, want no answer yet", err)
	}
	held[0].Close()
	extra.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(r, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("once a slot was free: %v %v", resp, err)
	}
	resp.Body.Close()
}

// DNS rebinding: a page on evil.example resolves its name to 127.0.0.1
// and reads the replies. The endpoints answer only their own names and
// IP literals.
func TestListenerChecksHost(t *testing.T) {
	addr := startMetrics(t, Limits{})
	_, port, _ := net.SplitHostPort(addr)
	hostname, _ := os.Hostname()
	for host, want := range map[string]int{
		addr:                     http.StatusOK,
		"localhost:" + port:      http.StatusOK,
		"LOCALHOST.":             http.StatusOK,
		"[::1]:" + port:          http.StatusOK,
		"192.168.1.20":           http.StatusOK,
		hostname + ":" + port:    http.StatusOK,
		"evil.example:" + port:   http.StatusMisdirectedRequest,
		"127.0.0.1.evil.example": http.StatusMisdirectedRequest,
	} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %s, want %d", host, resp.Status, want)
		}
	}
}

// The API socket is local, but a stuck script holding connections must
// not keep them forever either: idle ones are closed, and at most
// MaxConns are served at once.
func TestAPISocketLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posd.sock")
	l, err := listenSocket(path, 0o660)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lim := Limits{MaxConns: 1, ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: 200 * time.Millisecond}
	go func() {
		serveAPI(ctx, l, lim, apiHandler(&ledgerBackend{payments: map[string]posapi.Payment{}}, slog.New(slog.DiscardHandler)), slog.New(slog.DiscardHandler))
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })

	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	fmt.Fprint(c, "GET /v1/status HTTP/1.1\r\nHost: posd\r\n\r\n")
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// A second connection waits while the first holds the only slot...
	second, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	fmt.Fprint(second, "GET /v1/status HTTP/1.1\r\nHost: posd\r\n\r\n")
	// ...until the first, idle, is closed by the server; then it is served.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle API connection: %v, want the server to close it", err)
	}
	second.SetReadDeadline(time.Now().Add(10 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(second), nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("second connection once the slot was free: %v %v", resp, err)
	}
}
