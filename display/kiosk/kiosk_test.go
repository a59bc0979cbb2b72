package kiosk

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/money"
)

// serveKiosk mounts k at /display/ the way the daemon does, on loopback.
func serveKiosk(t *testing.T, k *display.Kiosk, cfg Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h := Handler(k, cfg)
	mux.Handle("/display/", http.StripPrefix("/display", h))
	mux.Handle("/display", http.StripPrefix("/display", h))
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() {
		k.Close()
		srv.Close()
	})
	return "http://" + ln.Addr().String() + "/display/"
}

func TestKioskPageShowsScannableCodeInChromium(t *testing.T) {
	for _, c := range []struct {
		content string
		size    image.Point
	}{{shortCode, image.Pt(800, 480)}, {shortCode, image.Pt(480, 800)}, {longestCode(), image.Pt(800, 480)}} {
		content := c.content
		t.Run(fmt.Sprintf("%d-bytes-%dx%d", len(content), c.size.X, c.size.Y), func(t *testing.T) {
			k := display.NewKiosk(display.KioskConfig{Now: func() time.Time { return time.Now() }})
			s := display.Screen{Kind: display.Waiting, Merchant: "Golden Dragon", Amount: money.Amount{Currency: "USD", Value: 123456}, QR: content, ExpiresAt: time.Now().Add(5 * time.Minute)}
			if err := k.Show(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			url := serveKiosk(t, k, Config{})
			shot := testenv.Screenshot(t, url, c.size.X, c.size.Y)
			got, err := testenv.DecodeQR(t, shot)
			if err != nil || len(got) != 1 || got[0] != content {
				t.Fatalf("zbarimg on the screenshot: %q, %v", got, err)
			}
		})
	}
}

// TestKioskPageFollowsEventsAndReconnects opens the idle page in Chromium,
// then restarts "posd" (a new server on the same port, now showing a
// code) while the page is open: the page must reconnect by itself and draw
// the code it hears about over server-sent events.
func TestKioskPageFollowsEventsAndReconnects(t *testing.T) {
	testenv.Tool(t, "chromium")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	streams := make(chan string, 16)
	serve := func(ln net.Listener, k *display.Kiosk, name string) *http.Server {
		mux := http.NewServeMux()
		mux.Handle("/display/", http.StripPrefix("/display", Handler(k, Config{})))
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/events") {
				select {
				case streams <- name:
				default: // only the first stream matters
				}
			}
			mux.ServeHTTP(w, r)
		})}
		go srv.Serve(ln)
		return srv
	}
	first := display.NewKiosk(display.KioskConfig{})
	srvA := serve(ln, first, "first")
	defer srvA.Close()

	second := display.NewKiosk(display.KioskConfig{})
	s := display.Screen{Kind: display.Waiting, Amount: money.Amount{Currency: "USD", Value: 880}, QR: shortCode, ExpiresAt: time.Now().Add(5 * time.Minute)}
	if err := second.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	restarted := make(chan *http.Server, 1)
	go func() {
		if <-streams != "first" {
			return
		}
		srvA.Close() // drops the page's event stream, as a crash would
		first.Close()
		lnB, err := net.Listen("tcp", addr)
		if err != nil {
			restarted <- nil
			return
		}
		restarted <- serve(lnB, second, "second")
	}()
	page := testenv.OpenChromium(t, "http://"+addr+"/display/", image.Pt(800, 480))
	// Wait for the page, not for a guess of the time it needs: the promise
	// settles when the code is drawn.
	page.Eval(t, `new Promise(ok => { const f = () => { const b = document.getElementById("qrbox"); b && !b.hidden ? ok(true) : setTimeout(f, 20); }; f(); })`)
	shot := page.Screenshot(t)
	select {
	case srvB := <-restarted:
		if srvB == nil {
			t.Fatal("could not listen again on the same port")
		}
		defer srvB.Close()
		defer second.Close()
	default:
		t.Fatal("the page never opened its event stream")
	}
	got, err := testenv.DecodeQR(t, shot)
	if err != nil || len(got) != 1 || got[0] != shortCode {
		t.Fatalf("after the restart the page shows %q (%v), want the new code", got, err)
	}

	// The page counts down by itself and takes the code away at expiry.
	s.ExpiresAt = time.Now().Add(1500 * time.Millisecond)
	if err := second.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	page.Eval(t, `new Promise(ok => { const f = () => { const d = document.querySelector("[data-countdown]");
		d && d.textContent === "Code expired" && document.getElementById("qrbox").hidden ? ok(true) : setTimeout(f, 20); }; f(); })`)
	if got, err := testenv.DecodeQR(t, page.Screenshot(t)); !errors.Is(err, testenv.ErrNoSymbol) {
		t.Fatalf("an expired code is still on the page: %q %v", got, err)
	}
}

// readEvent reads one server-sent event (skipping comments and retry).
func readEvent(t *testing.T, r *bufio.Reader) (name, id string, data []byte) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && name != "":
			return name, id, data
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			data = []byte(strings.TrimPrefix(line, "data: "))
		}
	}
}

func TestKioskEventStream(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	k := display.NewKiosk(display.KioskConfig{Now: func() time.Time { return now }})
	base := serveKiosk(t, k, Config{MaxClients: 1})
	resp, err := http.Get(base + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	if line, _ := r.ReadString('\n'); line != "retry: 1000\n" {
		t.Fatalf("first line %q, want a retry interval", line)
	}
	var st display.KioskState
	name, _, data := readEvent(t, r)
	if err := json.Unmarshal(data, &st); err != nil || name != "screen" || st.Kind != "idle" {
		t.Fatalf("first event %s %s (%v)", name, data, err)
	}

	// The newest page wins the only slot (MaxClients 1): the first stream
	// ends, and the test goes on with the second.
	second, err := http.Get(base + "events")
	if err != nil || second.StatusCode != http.StatusOK {
		t.Fatalf("second stream: %v %v", second.Status, err)
	}
	defer second.Body.Close()
	if _, err := io.ReadAll(r); err != nil {
		t.Fatalf("first stream after a newer one came: %v, want its end", err)
	}
	r = bufio.NewReader(second.Body)
	if line, _ := r.ReadString('\n'); line != "retry: 1000\n" {
		t.Fatalf("second stream's first line %q", line)
	}
	if name, _, _ := readEvent(t, r); name != "screen" {
		t.Fatalf("second stream's first event %q", name)
	}

	s := display.Screen{Kind: display.Waiting, Merchant: "</script><b>x", Amount: money.Amount{Currency: "USD", Value: 1999}, QR: shortCode, ExpiresAt: now.Add(time.Minute)}
	if err := k.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	_, id, data := readEvent(t, r)
	if err := json.Unmarshal(data, &st); err != nil || st.Kind != "waiting" || len(st.QR) != st2modules(t, shortCode) || st.ExpiresAt != now.Add(time.Minute).UnixMilli() {
		t.Fatalf("waiting event %s: %+v (%v)", id, st, err)
	}
	if got := st.Lines[0].Text; got != s.Merchant {
		t.Fatalf("merchant %q", got)
	}
	now = now.Add(time.Second) // the countdown tick the FailSafe refresher causes
	if err := k.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if err := k.Show(context.Background(), display.Screen{Kind: display.Paid, Amount: money.Amount{Currency: "USD", Value: 1999}}); err != nil {
		t.Fatal(err)
	}
	// The repeated waiting screen sent nothing: the next event is display.Paid.
	_, id2, data := readEvent(t, r)
	if err := json.Unmarshal(data, &st); err != nil || st.Kind != "paid" || id2 != "2" || id != "1" {
		t.Fatalf("after waiting (id %s) came id %s: %s", id, id2, data)
	}

	// The page embeds the state safely: no raw "</script>" from the name.
	page, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if strings.Count(string(body), "</script>") != 2 || !strings.Contains(string(body), `"kind":"paid"`) {
		t.Fatalf("page does not embed the state safely:\n%s", body)
	}

	// Close ends the stream; the page then reconnects on its own.
	k.Close()
	if _, err := r.ReadString('\n'); err != io.EOF {
		t.Fatalf("stream after Close: %v", err)
	}
	if err := k.Show(context.Background(), s); !errors.Is(err, display.ErrClosed) {
		t.Fatalf("Show after Close: %v", err)
	}
}

func st2modules(t *testing.T, content string) int {
	p, err := display.PlanQR(content, 480)
	if err != nil {
		t.Fatal(err)
	}
	return p.Modules
}

func TestKioskRoutes(t *testing.T) {
	k := display.NewKiosk(display.KioskConfig{})
	base := serveKiosk(t, k, Config{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "", http.StatusOK},
		{"GET", "state", http.StatusOK},
		{"GET", "nope", http.StatusNotFound},
		{"POST", "", http.StatusMethodNotAllowed},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s /display/%s: %s", c.method, c.path, resp.Status)
		}
	}
	resp, err := client.Get(strings.TrimSuffix(base, "/"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/display/" {
		t.Fatalf("/display: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
}

// shortCode is a QR code value the size AMS returns.
const shortCode = "https://qr.alipay.com/281002040092rDrbN1ijPfPJK7QAc1Ol0V9w3Hc1"

// longestCode is the longest codeValue a display takes, shaped like an AMS URL.
func longestCode() string {
	return "https://qr.alipay.com/" + strings.Repeat("a1B2", (display.MaxQRContent-22)/4)
}

// Pages that open /display/events and never read used to hold every slot,
// so the real kiosk got 503. Now the newest stream wins: flooding the
// slots with streams that never read still lets the kiosk in.
func TestKioskNewestStreamWins(t *testing.T) {
	k := display.NewKiosk(display.KioskConfig{})
	base := serveKiosk(t, k, Config{MaxClients: 2})
	addr := strings.TrimPrefix(strings.TrimSuffix(base, "/display/"), "http://")
	var hogs []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprint(c, "GET /display/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		hogs = append(hogs, c)
	}
	// Each hog got its stream in turn (a slot is taken before the reply
	// starts), never reading on; two of them hold the slots now.
	for i, c := range hogs {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.Contains(line, "200") {
			t.Fatalf("hog %d: %q %v", i, line, err)
		}
	}
	kiosk, err := http.Get(base + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer kiosk.Body.Close()
	if kiosk.StatusCode != http.StatusOK {
		t.Fatalf("the kiosk, after streams that never read took every slot: %s", kiosk.Status)
	}
	r := bufio.NewReader(kiosk.Body)
	r.ReadString('\n')
	if name, _, _ := readEvent(t, r); name != "screen" {
		t.Fatalf("kiosk's first event %q", name)
	}
}

func TestKioskEvictionPolicy(t *testing.T) {
	local, remote := &stream{local: true}, &stream{}
	for _, c := range []struct {
		streams  []*stream
		newLocal bool
		want     int
	}{
		{[]*stream{local, remote}, false, 1}, // a remote newcomer replaces the oldest remote stream
		{[]*stream{remote, local}, true, 0},  // so does a local one
		{[]*stream{local, local}, true, 0},   // a local newcomer replaces the oldest local stream
		{[]*stream{local, local}, false, -1}, // a remote newcomer never ends the local kiosk
	} {
		if got := evict(c.streams, c.newLocal); got != c.want {
			t.Errorf("evict(%v, local %v) = %d, want %d", c.streams, c.newLocal, got, c.want)
		}
	}
}

// The daemon's display server has read and write timeouts; an event
// stream outlives both, extending its own write deadline per event.
func TestKioskStreamOutlivesServerTimeouts(t *testing.T) {
	k := display.NewKiosk(display.KioskConfig{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.StripPrefix("/display", Handler(k, Config{KeepAlive: 50 * time.Millisecond})),
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond}
	go srv.Serve(ln)
	t.Cleanup(func() { k.Close(); srv.Close() })
	resp, err := http.Get("http://" + ln.Addr().String() + "/display/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	r.ReadString('\n')
	readEvent(t, r)
	// Pings keep coming well past both server timeouts.
	deadline := time.Now().Add(time.Second)
	for pings := 0; time.Now().Before(deadline) || pings < 3; pings++ {
		if name, _, _ := readEvent(t, r); name != "ping" {
			t.Fatalf("event %q", name)
		}
	}
}
