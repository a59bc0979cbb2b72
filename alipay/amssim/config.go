package amssim

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/posd/posd/alipay"
)

// Defaults for the durations a Config leaves zero.
const (
	// DefaultPaymentExpiry is the life of a payment that names no
	// paymentExpiryTime: three minutes, the usual contract default for
	// merchant-scan payments (https://docs.antom.com/ac/ams_zh-cn/oc).
	DefaultPaymentExpiry = 3 * time.Minute
	// DefaultCancelWindow is how long after creation a payment may be
	// cancelled. The in-store value is set by contract (unconfirmed); the
	// online one runs to 00:15 UTC+8 the next day, about a day.
	DefaultCancelWindow = 24 * time.Hour
	// DefaultRefundWindow is how long after payment a refund is accepted.
	DefaultRefundWindow = 365 * 24 * time.Hour
	// DefaultPasswordDelay is how long a "password" test code takes to settle.
	DefaultPasswordDelay = 5 * time.Second
	// DefaultRegistrationDelay is how long a registration takes to complete.
	DefaultRegistrationDelay = 10 * time.Second
	// DefaultRefundProcessing is how long the refund-processing fault keeps
	// a refund PROCESSING when neither its delayMs nor RefundDelay say.
	DefaultRefundProcessing = 5 * time.Second
	// DefaultHang is how long a sandbox "timeout" amount holds a reply
	// before dropping the connection, unless the client gives up first.
	DefaultHang = 60 * time.Second
)

// PathRule says which path prefix a client id may use (reference §2.2):
// the docs and the SDKs disagree for in-store sandbox calls.
type PathRule string

const (
	// PathsDocs, the default, follows the environment table of the API
	// overview (https://docs.antom.com/ac/ams/api_fund): the in-store
	// sandbox is served under /ams/api like production, the online sandbox
	// under /ams/sandbox/api, so a SANDBOX_ client id may use either
	// prefix; a production client id exists only under /ams/api and is
	// CLIENT_INVALID under /ams/sandbox/api.
	PathsDocs PathRule = "docs"
	// PathsSDK follows the official SDKs (Go SDK 1.2.13 and later): a
	// SANDBOX_ client id only under /ams/sandbox/api, a production one
	// only under /ams/api.
	PathsSDK PathRule = "sdk"
	// PathsAny serves every client id under both prefixes.
	PathsAny PathRule = "any"
)

// MerchantKey is one public key a merchant uploaded.
type MerchantKey struct {
	ClientID   string
	KeyVersion int // 1 when zero
	PublicKey  *rsa.PublicKey
}

// Config configures a Simulator. Only Merchants is required.
type Config struct {
	// Merchants are the registered merchant public keys, by Client-Id and
	// keyVersion. A request without keyVersion is checked against the
	// highest version of its client id, as the gateway does
	// (https://docs.antom.com/ac/ams/api_fund).
	Merchants []MerchantKey
	// GatewayKey signs every response and notification. Nil: a fresh
	// RSA-2048 key (or the one kept in the state file).
	GatewayKey *rsa.PrivateKey
	// Now is the simulator's clock; nil means time.Now. Expiry, windows,
	// delays and the notification schedule all read it.
	Now func() time.Time
	// TimeScale speeds up the durations the simulator chooses itself:
	// default expiry, password and registration delays and the
	// notification retry schedule are divided by it. 0 means 1.
	TimeScale float64
	// Seed makes fault injection and generated tokens reproducible.
	Seed uint64
	// CancelWindow and RefundWindow bound cancel (from creation) and refund
	// (from payment); they are not scaled. 0 means the defaults.
	CancelWindow time.Duration
	RefundWindow time.Duration
	// PaymentExpiry is the life of a payment without paymentExpiryTime
	// (scaled). 0 means DefaultPaymentExpiry.
	PaymentExpiry time.Duration
	// PasswordDelay is how long the password test codes wait before they
	// settle (scaled). 0 means DefaultPasswordDelay.
	PasswordDelay time.Duration
	// RegistrationDelay is how long a registration stays PROCESSING (scaled).
	RegistrationDelay time.Duration
	// RefundDelay is how long an accepted refund stays PROCESSING before
	// it succeeds (scaled): refund answers U REFUND_IN_PROCESS meanwhile,
	// so the merchant's inquiryRefund path runs. 0: refunds complete at once.
	RefundDelay time.Duration
	// Hang bounds how long a sandbox timeout amount holds its reply.
	Hang time.Duration
	// BaseURL is the scheme and host put in codeValue and redirectUrl
	// wallet links, e.g. "https://192.168.1.20:9443" so a phone on the LAN
	// can open them. Empty: taken from each pay request's Host.
	BaseURL string
	// SandboxAmounts turns on the ams-java-sdk sandbox triggers: a pay of
	// value 9901 answers UNKNOWN_EXCEPTION, 9902 times out, and inquiries
	// of payments of 9903 and 9904 answer UNKNOWN_EXCEPTION and time out.
	SandboxAmounts bool
	// RequireRegistration makes pay answer MERCHANT_NOT_REGISTERED for a
	// referenceMerchantId that was not registered through registration.
	RequireRegistration bool
	// Paths says which prefix each client id may use; empty means PathsDocs.
	Paths PathRule
	// MaxSkew, when positive, refuses a request whose Request-Time is
	// further than this from Now (PARAM_ILLEGAL). No page states a limit
	// (reference §12 item 3), so 0, the default, checks nothing.
	MaxSkew time.Duration
	// Faults are injected from the start (more can be added at run time).
	Faults []Fault
	// StatePath, when set, keeps the ledger (and a generated gateway key)
	// across restarts in a JSON file written atomically.
	StatePath string
	// NotifyClient posts notifications. Nil: a client with a 10 s timeout.
	NotifyClient *http.Client
	// Logger receives one line per request. Nil: no logs.
	Logger *slog.Logger
}

// settings is a checked Config with defaults applied.
type settings struct {
	Config
	keys map[string]map[int]*rsa.PublicKey
	base *url.URL
}

func (cfg Config) resolve() (settings, error) {
	s := settings{Config: cfg, keys: map[string]map[int]*rsa.PublicKey{}}
	if len(cfg.Merchants) == 0 {
		return s, fmt.Errorf("%w: at least one merchant public key is required", ErrInvalid)
	}
	for _, m := range cfg.Merchants {
		if m.ClientID == "" || m.PublicKey == nil {
			return s, fmt.Errorf("%w: merchant key needs a client id and a public key", ErrInvalid)
		}
		if bits := m.PublicKey.N.BitLen(); bits < alipay.MinKeyBits {
			return s, fmt.Errorf("%w: %s: public key has %d bits", ErrInvalid, m.ClientID, bits)
		}
		v := m.KeyVersion
		if v == 0 {
			v = 1
		}
		if v < 0 {
			return s, fmt.Errorf("%w: %s: key version %d", ErrInvalid, m.ClientID, v)
		}
		if s.keys[m.ClientID] == nil {
			s.keys[m.ClientID] = map[int]*rsa.PublicKey{}
		}
		s.keys[m.ClientID][v] = m.PublicKey
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.TimeScale == 0 {
		s.TimeScale = 1
	}
	if s.TimeScale < 0 || s.TimeScale > 1e6 {
		return s, fmt.Errorf("%w: time scale %v out of range (0, 1e6]", ErrInvalid, s.TimeScale)
	}
	switch s.Paths {
	case "":
		s.Paths = PathsDocs
	case PathsDocs, PathsSDK, PathsAny:
	default:
		return s, fmt.Errorf("%w: paths %q: want docs, sdk or any", ErrInvalid, s.Paths)
	}
	if s.MaxSkew < 0 {
		return s, fmt.Errorf("%w: negative max skew %v", ErrInvalid, s.MaxSkew)
	}
	if s.RefundDelay < 0 {
		return s, fmt.Errorf("%w: negative refund delay %v", ErrInvalid, s.RefundDelay)
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&s.CancelWindow, DefaultCancelWindow}, {&s.RefundWindow, DefaultRefundWindow},
		{&s.PaymentExpiry, DefaultPaymentExpiry}, {&s.PasswordDelay, DefaultPasswordDelay},
		{&s.RegistrationDelay, DefaultRegistrationDelay}, {&s.Hang, DefaultHang},
	} {
		if *d.v < 0 {
			return s, fmt.Errorf("%w: negative duration %v", ErrInvalid, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return s, fmt.Errorf("%w: BaseURL %q must be http(s)://host[:port]", ErrInvalid, s.BaseURL)
		}
		s.base = u
	}
	for _, f := range s.Faults {
		if err := f.check(); err != nil {
			return s, err
		}
	}
	if s.NotifyClient == nil {
		s.NotifyClient = &http.Client{Timeout: 10 * time.Second}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// scaled shortens a simulator-chosen duration by the time scale.
func (s *settings) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.TimeScale)
}

// generateGatewayKey makes a fresh RSA-2048 gateway key.
func generateGatewayKey() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("amssim: generate gateway key: %w", err)
	}
	return k, nil
}
