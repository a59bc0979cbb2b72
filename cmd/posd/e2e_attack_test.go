package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/internal/daemon"
	"github.com/posd/posd/internal/demo"
	"github.com/posd/posd/internal/posapi"
)

// hold opens n kept-alive connections to addr, each after one answered
// GET of path, and returns them: together they hold n of the endpoint's
// connection slots.
func hold(t *testing.T, addr, path string, n int) []net.Conn {
	t.Helper()
	var conns []net.Conn
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr)
		c.SetReadDeadline(time.Now().Add(e2eDeadline))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		conns = append(conns, c)
	}
	return conns
}

// unserved sends a request on a new connection and checks that no answer
// comes while the slots are held; it returns the reader to get the
// answer later.
func unserved(t *testing.T, addr, path string) *bufio.Reader {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr)
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	r := bufio.NewReader(c)
	if _, err := r.Peek(1); err == nil {
		t.Fatalf("%s: a connection over the cap was served", addr)
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("%s over the cap: %v, want no answer yet", addr, err)
	}
	c.SetReadDeadline(time.Now().Add(e2eDeadline))
	return r
}

// A flood of connections on the web endpoints (the display page, which in
// the demo also takes Alipay's notifications, and metrics) fills their
// caps: more connections wait unserved, and a payment still goes through
// the API socket and the gateway to SUCCEEDED.
func TestE2EFloodedListenersPaymentsGoOn(t *testing.T) {
	d := startDemo(t, t.TempDir())
	lim := daemon.DefaultLimits()
	display := hold(t, d.http, "/display/state", lim["display"].MaxConns)
	metrics := hold(t, d.metrics, "/metrics", lim["metrics"].MaxConns)
	waitingDisplay := unserved(t, d.http, "/display/state")
	waitingMetrics := unserved(t, d.metrics, "/metrics")

	d.posctl("keys", "8.80<SCAN:"+amssim.CodePaid+">")
	st := d.waitStatus("the payment to start", func(s posapi.Status) bool { return s.Current != "" })
	d.waitPayment(st.Current, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })

	// One held connection goes: the waiting one is served.
	display[0].Close()
	metrics[0].Close()
	for name, r := range map[string]*bufio.Reader{"display": waitingDisplay, "metrics": waitingMetrics} {
		resp, err := http.ReadResponse(r, nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s, once a slot was free: %v %v", name, resp, err)
		}
		resp.Body.Close()
	}
	if out := d.output(); strings.Contains(out, "too many open files") {
		t.Fatalf("posd ran out of file descriptors:\n%s", out)
	}
}

// A page on another site used to type the demo PIN (and a refund) through
// the cashier's browser with a cross-site form post. POST /cashier/keys
// now takes JSON only, refuses cross-origin browser requests and foreign
// Host names, and refuses bodies with anything after the JSON object;
// none of these types a key.
func TestE2ECashierKeysRefuseCrossSite(t *testing.T) {
	d := startDemo(t, t.TempDir())
	post := func(body, contentType string, header map[string]string, host string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, "http://"+d.http+"/cashier/keys", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	typed := func() string {
		var page struct{ Amount string }
		d.sim(http.MethodGet, "/cashier/state", nil, &page)
		return page.Amount
	}
	before := typed()
	for _, c := range []struct {
		what        string
		body, ctype string
		header      map[string]string
		host        string
		want        int
	}{
		{"a form post", `{"keys":"7"}`, "application/x-www-form-urlencoded", nil, "", http.StatusUnsupportedMediaType},
		{"text/plain", `{"keys":"7"}`, "text/plain", nil, "", http.StatusUnsupportedMediaType},
		{"JSON from another origin", `{"keys":"7"}`, "application/json", map[string]string{"Origin": "http://evil.example"}, "", http.StatusForbidden},
		{"JSON a browser marks cross-site", `{"keys":"7"}`, "application/json", map[string]string{"Sec-Fetch-Site": "cross-site"}, "", http.StatusForbidden},
		{"JSON to a rebound name", `{"keys":"7"}`, "application/json", nil, "evil.example", http.StatusMisdirectedRequest},
		{"trailing data", `{"keys":"7"}{"keys":"8"}`, "application/json", nil, "", http.StatusBadRequest},
		{"trailing junk", `{"keys":"7"} x`, "application/json", nil, "", http.StatusBadRequest},
	} {
		if got := post(c.body, c.ctype, c.header, c.host); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	if got := typed(); got != before {
		t.Fatalf("refused requests typed on the till: amount %q, was %q", got, before)
	}
	// DNS rebinding: a page on evil.example resolved to this machine reads
	// nothing from the display or metrics.
	for _, u := range []string{"http://" + d.http + "/display/state", "http://" + d.metrics + "/metrics"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Host = "evil.example"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("GET %s as evil.example: %s, want 421", u, resp.Status)
		}
	}
	// The cashier page itself: same origin, JSON.
	if got := post(`{"keys":"7"}`, "application/json", map[string]string{"Origin": "http://" + d.http, "Sec-Fetch-Site": "same-origin"}, ""); got != http.StatusNoContent {
		t.Fatalf("the cashier page's own request: %d", got)
	}
	if got := typed(); got == before || !strings.Contains(got, "7") {
		t.Fatalf("after the page's key: amount %q", got)
	}
}

// After a lockout, the rest of a typed PIN used to become a sale amount on
// the customer display, and a restart gave fresh tries. Now keys typed
// while locked reach neither, and the lockout outlives a restart.
func TestE2EManagerLockoutSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	d := startDemo(t, dir)
	d.posctl("keys", "<F1>1111<ENTER>2222<ENTER>3333<ENTER>4444<ENTER>")
	st := d.waitStatus("the lockout", func(s posapi.Status) bool { return s.Till == "locked" })
	if st.Current != "" {
		t.Fatalf("keys typed in the lockout started payment %s", st.Current)
	}
	var shown struct{ Kind string }
	d.sim(http.MethodGet, "/display/state", nil, &shown)
	if shown.Kind != "idle" {
		t.Fatalf("the customer display shows %q after keys typed in the lockout", shown.Kind)
	}
	d.stop()

	d = startDemo(t, dir)
	d.posctl("keys", "<F1>"+demo.ManagerPIN+"<ENTER>")
	st = d.waitStatus("the manager key handled", func(s posapi.Status) bool { return s.Till != "ready" })
	if st.Till != "locked" {
		t.Fatalf("after a restart in a lockout, the right PIN reached %q", st.Till)
	}
}
