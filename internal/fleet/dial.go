package fleet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"
)

// ErrConfig is wrapped by every refusal of a configuration; the errors
// below also say which setting is wrong.
var (
	ErrConfig     = errors.New("fleet: bad configuration")
	ErrCAFile     = fmt.Errorf("%w: CA file", ErrConfig)
	ErrClientCert = fmt.Errorf("%w: client certificate", ErrConfig)
	ErrClientID   = fmt.Errorf("%w: client id", ErrConfig)
)

// Broker is where and how to connect.
type Broker struct {
	// URL is mqtt://host[:1883] or mqtts://host[:8883] (tcp:// and ssl://,
	// tls:// are accepted as the same).
	URL      string
	ClientID string
	Username string
	Password []byte // never logged
	// CAFile verifies the broker (default: the system roots); CertFile and
	// KeyFile are a client certificate, for brokers that authenticate by it.
	CAFile, CertFile, KeyFile string
	// DialTimeout bounds the TCP and TLS handshake and the CONNACK wait
	// (default 10 s).
	DialTimeout time.Duration
}

// endpoint is a checked broker address.
type endpoint struct {
	addr string
	tls  *tls.Config // nil: plain TCP
}

// ParseURL checks a broker URL and returns host:port and whether it uses TLS.
func ParseURL(raw string) (addr string, secure bool, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, fmt.Errorf("%w: broker url: %w", ErrConfig, err)
	}
	port := "1883"
	switch u.Scheme {
	case "mqtt", "tcp":
	case "mqtts", "ssl", "tls":
		secure, port = true, "8883"
	default:
		return "", false, fmt.Errorf("%w: broker url %q: scheme must be mqtt:// or mqtts://", ErrConfig, raw)
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", false, fmt.Errorf("%w: broker url %q: want scheme://host[:port] (credentials go in their own keys)", ErrConfig, raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", false, fmt.Errorf("%w: broker url %q: port %q is not 1 to 65535", ErrConfig, raw, p)
		}
		port = p
	}
	if !validHost(u.Hostname()) {
		return "", false, fmt.Errorf("%w: broker url %q: %q is not a host name or IP address", ErrConfig, raw, u.Hostname())
	}
	return net.JoinHostPort(u.Hostname(), port), secure, nil
}

// resolve checks the broker settings and loads the TLS material.
func (b *Broker) resolve() (endpoint, error) {
	addr, secure, err := ParseURL(b.URL)
	if err != nil {
		return endpoint{}, err
	}
	ep := endpoint{addr: addr}
	if (b.CertFile == "") != (b.KeyFile == "") {
		return endpoint{}, fmt.Errorf("%w: needs both the certificate and the key file", ErrClientCert)
	}
	if !secure {
		if b.CAFile != "" || b.CertFile != "" {
			return endpoint{}, fmt.Errorf("%w: broker url %q is not mqtts:// but a CA or client certificate is set", ErrConfig, b.URL)
		}
		return ep, nil
	}
	host, _, _ := net.SplitHostPort(addr)
	ep.tls = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if b.CAFile != "" {
		pem, err := os.ReadFile(b.CAFile)
		if err != nil {
			return endpoint{}, fmt.Errorf("%w: %w", ErrCAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return endpoint{}, fmt.Errorf("%w: %s holds no PEM certificate", ErrCAFile, b.CAFile)
		}
		ep.tls.RootCAs = pool
	}
	if b.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(b.CertFile, b.KeyFile)
		if err != nil {
			return endpoint{}, fmt.Errorf("%w: %w", ErrClientCert, err)
		}
		ep.tls.Certificates = []tls.Certificate{cert}
	}
	return ep, nil
}

// Check validates the broker settings and reads the files they name.
func (b *Broker) Check() error {
	if b.ClientID == "" {
		return fmt.Errorf("%w: needed", ErrClientID)
	}
	if len(b.ClientID) > 128 {
		return fmt.Errorf("%w: longer than 128 bytes", ErrClientID)
	}
	if len(b.Password) > 0 && b.Username == "" {
		return fmt.Errorf("%w: a password needs a username", ErrConfig)
	}
	_, err := b.resolve()
	return err
}

func (b *Broker) dialTimeout() time.Duration {
	if b.DialTimeout > 0 {
		return b.DialTimeout
	}
	return 10 * time.Second
}

// dial opens the network connection, TLS verified when asked.
func (ep endpoint) dial(ctx context.Context, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", ep.addr)
	if err != nil {
		return nil, err
	}
	if ep.tls == nil {
		return conn, nil
	}
	tc := tls.Client(conn, ep.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// validHost accepts an IP address or a DNS name (letters, digits, '-',
// '_' and dots).
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
