package fleet

import (
	"net"
	"testing"
)

// FuzzParseURL: a broker URL from posd.toml or the command line never
// panics, and what is accepted is a host:port to dial.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"mqtts://broker:8883", "mqtt://10.0.0.5", "tcp://[::1]:1883", "http://x", "mqtts://u:p@h/x?y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		addr, _, err := ParseURL(raw)
		if err != nil {
			return
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" || port == "" {
			t.Fatalf("%q accepted as %q", raw, addr)
		}
	})
}
