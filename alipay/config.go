package alipay

import (
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default deadlines (reference §2.6): a pay gets 15 s end to end, every
// other call 10 s, and a connection (TCP plus TLS) 5 s.
const (
	DefaultPayTimeout     = 15 * time.Second
	DefaultCallTimeout    = 10 * time.Second
	DefaultConnectTimeout = 5 * time.Second
)

// MaxBodyBytes caps reply and notification bodies; larger ones are not read.
const MaxBodyBytes = 1 << 20

// Config configures a Client. ClientID, PrivateKey, PlatformPublicKey and
// BaseURL are required; the rest has defaults.
type Config struct {
	ClientID          string          // issued in the Antom dashboard
	PrivateKey        *rsa.PrivateKey // merchant key: signs requests
	PlatformPublicKey *rsa.PublicKey  // Antom's key: verifies replies
	KeyVersion        int             // announced in Signature; 0 means 1, as in the SDKs

	// BaseURL is the gateway, scheme and host only: one of the Host
	// constants, or the simulator ("https://127.0.0.1:9443"). Only https.
	BaseURL string
	// PathPrefix is PrefixProduction or PrefixSandbox. Empty: the sandbox
	// prefix for client ids starting with SANDBOX_, production otherwise,
	// as the official SDKs do.
	PathPrefix string
	// AgentToken is sent as Agent-Token when an ISV calls for a merchant.
	AgentToken string

	PayTimeout     time.Duration // whole pay call; 0 means DefaultPayTimeout
	CallTimeout    time.Duration // every other call; 0 means DefaultCallTimeout
	ConnectTimeout time.Duration // TCP connect and TLS handshake; 0 means DefaultConnectTimeout

	// PinSHA256 is the hex SHA-256 of the gateway's leaf certificate (DER),
	// colons allowed. When set, the certificate is checked against the pin
	// instead of the CA chain: meant for the simulator's self-signed certificate.
	PinSHA256 string

	Logger *slog.Logger     // nil: no logs
	Now    func() time.Time // clock for Request-Time; nil: time.Now
	// OnReply, when set, is told what every call established, after it
	// ends (metrics, the till's network line). It must not block.
	OnReply func(Reply)
	// Transport replaces the client's own transport (tests, benchmarks). Its
	// own TLS and dial settings then apply: PinSHA256 and ConnectTimeout do not.
	Transport *http.Transport
}

// settings is a validated Config with defaults applied.
type settings struct {
	Config
	base   string
	prefix string
	pin    []byte
}

func (cfg Config) resolve() (settings, error) {
	s := settings{Config: cfg}
	if err := headerSafe("ClientID", cfg.ClientID, true); err != nil {
		return s, err
	}
	if err := headerSafe("AgentToken", cfg.AgentToken, false); err != nil {
		return s, err
	}
	if err := CheckKeyPair(cfg.PrivateKey, cfg.PlatformPublicKey); err != nil {
		return s, err
	}
	if bits := cfg.PlatformPublicKey.N.BitLen(); bits < MinKeyBits {
		return s, fmt.Errorf("%w: platform public key has %d bits", ErrKeyTooSmall, bits)
	}
	if s.KeyVersion == 0 {
		s.KeyVersion = 1
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return s, fmt.Errorf("alipay: BaseURL %q must be https://host[:port], e.g. %s", truncate(cfg.BaseURL, 64), HostAsia)
	}
	s.base = "https://" + u.Host
	switch {
	case cfg.PathPrefix == "" && strings.HasPrefix(cfg.ClientID, SandboxClientPrefix):
		s.prefix = PrefixSandbox
	case cfg.PathPrefix == "":
		s.prefix = PrefixProduction
	case !strings.HasPrefix(cfg.PathPrefix, "/") || strings.HasSuffix(cfg.PathPrefix, "/") || strings.ContainsAny(cfg.PathPrefix, "?# "):
		return s, fmt.Errorf("alipay: PathPrefix %q must look like %s", truncate(cfg.PathPrefix, 64), PrefixProduction)
	default:
		s.prefix = cfg.PathPrefix
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&s.PayTimeout, DefaultPayTimeout}, {&s.CallTimeout, DefaultCallTimeout}, {&s.ConnectTimeout, DefaultConnectTimeout}} {
		if *d.v < 0 {
			return s, fmt.Errorf("alipay: negative timeout %v", *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if cfg.PinSHA256 != "" {
		pin, err := hex.DecodeString(strings.ReplaceAll(cfg.PinSHA256, ":", ""))
		if err != nil || len(pin) != 32 {
			return s, fmt.Errorf("alipay: PinSHA256 must be 64 hex digits (colons allowed)")
		}
		s.pin = pin
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	return s, nil
}

// headerSafe accepts visible ASCII only: the value goes into a header and
// into the signed content.
func headerSafe(name, v string, required bool) error {
	if v == "" {
		if required {
			return fmt.Errorf("alipay: %s is required", name)
		}
		return nil
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			return fmt.Errorf("alipay: %s must be visible ASCII without spaces", name)
		}
	}
	return nil
}
