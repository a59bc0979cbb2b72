package testenv

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Relay is a TCP forwarder a test puts between a client and a server to
// cut the network: while cut, connections are accepted (or kept) but no
// byte passes either way, as when a cable is pulled or a route vanishes;
// the client learns it only from its own timeouts.
type Relay struct {
	Addr   string
	target string
	l      net.Listener

	mu      sync.Mutex
	cut     bool
	replies bool // cut only what the server sends back
	conns   []net.Conn
	wake    *sync.Cond
}

// StartRelay forwards a free loopback port to target until the test ends.
func StartRelay(t testing.TB, target string) *Relay {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Relay{Addr: l.Addr().String(), target: target, l: l}
	r.wake = sync.NewCond(&r.mu)
	go r.accept()
	t.Cleanup(func() {
		l.Close()
		r.Restore()
	})
	return r
}

// Cut stops every byte from passing, on open and new connections alike.
func (r *Relay) Cut() {
	r.mu.Lock()
	r.cut, r.replies = true, false
	r.mu.Unlock()
}

// CutReplies lets the client's bytes reach the server but loses every
// byte the server sends back: requests arrive, answers never do.
func (r *Relay) CutReplies() {
	r.mu.Lock()
	r.cut, r.replies = true, true
	r.mu.Unlock()
}

// cutting reports whether bytes going that way are lost now.
func (r *Relay) cutting(reply bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cut && (reply || !r.replies)
}

// Restore closes the connections held while cut (their peers gave up on
// them long ago) and forwards again.
func (r *Relay) Restore() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cut {
		for _, c := range r.conns {
			c.Close()
		}
		r.conns = nil
	}
	r.cut, r.replies = false, false
	r.wake.Broadcast()
}

func (r *Relay) accept() {
	for {
		c, err := r.l.Accept()
		if err != nil {
			return
		}
		go r.serve(c)
	}
}

func (r *Relay) track(c net.Conn) {
	r.mu.Lock()
	r.conns = append(r.conns, c)
	r.mu.Unlock()
}

func (r *Relay) serve(c net.Conn) {
	r.track(c)
	r.mu.Lock()
	for r.cut && !r.replies {
		r.wake.Wait()
	}
	r.mu.Unlock()
	s, err := net.Dial("tcp", r.target)
	if err != nil {
		c.Close()
		return
	}
	r.track(s)
	go r.pipe(s, c, false)
	r.pipe(c, s, true)
}

// pipe copies src to dst until the relay cuts that way; then what src
// sends is lost and the connection stays open until Restore closes it.
func (r *Relay) pipe(dst, src net.Conn, reply bool) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if r.cutting(reply) {
				_, _ = io.Copy(io.Discard, src)
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
