package config

import "testing"

func TestSameSocket(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"127.0.0.1:8080", "localhost:8080", true},
		{"localhost:8080", "[::1]:8080", true},
		{"0.0.0.0:8080", "127.0.0.1:8080", true},
		{":8080", "192.168.1.20:8080", true},
		{"[::]:8443", "127.0.0.1:8443", true},
		{"127.0.0.1:8080", "127.0.0.1:8081", false},
		{"127.0.0.1:8080", "192.168.1.20:8080", false},
		{"127.0.0.1:8080", "[::1]:8080", false}, // two sockets, both can be bound
		{"pos.local:8080", "127.0.0.1:8080", false},
		{"127.0.0.1:0", "localhost:0", false},
		{"nonsense", "127.0.0.1:8080", false},
	} {
		if got := sameSocket(c.a, c.b); got != c.want {
			t.Errorf("sameSocket(%q, %q) = %v", c.a, c.b, got)
		}
		if got := sameSocket(c.b, c.a); got != c.want {
			t.Errorf("sameSocket(%q, %q) = %v", c.b, c.a, got)
		}
	}
}
