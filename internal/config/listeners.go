package config

import (
	"net"
)

// listenAt is one TCP listener the configuration asks for.
type listenAt struct {
	section, key, what, addr string
}

// listeners are the TCP addresses posd would listen on.
func (c *Config) listeners() []listenAt {
	var out []listenAt
	if c.Display.Kind == "kiosk" {
		out = append(out, listenAt{"display", "listen", "customer display", c.Display.Listen})
	}
	if c.Cashier.Kind == "kiosk" {
		out = append(out, listenAt{"display", "listen", "cashier display", c.Cashier.Listen})
	}
	if c.Alipay.NotifyListen != "" {
		out = append(out, listenAt{"alipay", "notify_listen", "notifications", c.Alipay.NotifyListen})
	}
	if c.Metrics.Listen != "" {
		out = append(out, listenAt{"metrics", "listen", "metrics", c.Metrics.Listen})
	}
	if c.EntryCode.Enabled && c.EntryCode.Listen != "" {
		out = append(out, listenAt{"entry_code", "listen", "entry page", c.EntryCode.Listen})
	}
	return out
}

// checkListeners: two listeners written alike share one socket; written
// differently for the same port on the same address ("localhost:8080" and
// "127.0.0.1:8080", or a wildcard), the second could never start.
func (c *Config) checkListeners(bad badFunc) {
	ls := c.listeners()
	for i, a := range ls {
		for _, b := range ls[:i] {
			if a.addr != b.addr && sameSocket(a.addr, b.addr) {
				bad(a.section, a.key, "%s %q and %s %q take the same port: write both alike to share one listener, or use another port",
					a.what, a.addr, b.what, b.addr)
			}
		}
	}
}

// sameSocket reports whether listeners at a and b would contend for one
// port. Names other than localhost are not resolved here: they are left to
// the start.
func sameSocket(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb || pa == "0" {
		return false
	}
	wild := func(h string) bool { ip := net.ParseIP(h); return h == "" || ip != nil && ip.IsUnspecified() }
	loop := func(h string) bool { ip := net.ParseIP(h); return ip != nil && ip.IsLoopback() }
	ia, ib := net.ParseIP(ha), net.ParseIP(hb)
	switch {
	case wild(ha) || wild(hb), ha == hb:
		return true
	case ha == "localhost":
		return loop(hb)
	case hb == "localhost":
		return loop(ha)
	}
	return ia != nil && ib != nil && ia.Equal(ib)
}
