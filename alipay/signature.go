package alipay

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// AlgorithmRSA256 is the only signature algorithm AMS defines:
// RSASSA-PKCS1-v1_5 over SHA-256 (https://docs.antom.com/ac/ams/digital_signature).
const AlgorithmRSA256 = "RSA256"

// ContentToSign builds the exact bytes AMS signs:
//
//	<method> <path>\n<clientID>.<time>.<body>
//
// time is the Request-Time or Response-Time header value, verbatim; body is
// the raw bytes sent or received (https://docs.antom.com/ac/ams/digital_signature).
func ContentToSign(method, path, clientID, time string, body []byte) []byte {
	b := make([]byte, 0, len(method)+len(path)+len(clientID)+len(time)+len(body)+4)
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, '\n')
	b = append(b, clientID...)
	b = append(b, '.')
	b = append(b, time...)
	b = append(b, '.')
	return append(b, body...)
}

// Signer signs AMS messages with one private key, parsed once. It is safe
// for concurrent use.
type Signer struct {
	key        *rsa.PrivateKey
	keyVersion int
}

// NewSigner returns a signer for key, announcing keyVersion (>= 1) in the
// header so the peer picks the matching uploaded public key.
func NewSigner(key *rsa.PrivateKey, keyVersion int) (*Signer, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no private key", ErrKeyFormat)
	}
	if bits := key.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("%w: private key has %d bits", ErrKeyTooSmall, bits)
	}
	if keyVersion < 1 {
		return nil, fmt.Errorf("alipay: key version %d: must be 1 or more", keyVersion)
	}
	return &Signer{key: key, keyVersion: keyVersion}, nil
}

// KeyVersion is the version written into every Signature header.
func (s *Signer) KeyVersion() int { return s.keyVersion }

// Public returns the public half of the signing key.
func (s *Signer) Public() *rsa.PublicKey { return &s.key.PublicKey }

// Sign returns the Signature header value for one message:
// algorithm=RSA256,keyVersion=N,signature=<form-URL-encoded base64>.
// Requests pass their Request-Time; a gateway signing a response passes its
// Response-Time and the request path.
func (s *Signer) Sign(method, path, clientID, time string, body []byte) (string, error) {
	digest := sha256.Sum256(ContentToSign(method, path, clientID, time, body))
	sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("alipay: sign: %w", err)
	}
	return SignatureHeader{Algorithm: AlgorithmRSA256, KeyVersion: strconv.Itoa(s.keyVersion), Signature: sig}.String(), nil
}

// SignatureHeader is a parsed Signature header.
type SignatureHeader struct {
	Algorithm  string // "RSA256"
	KeyVersion string // as received; empty when absent
	Signature  []byte // raw RSA signature bytes
}

// String formats the header the way every AMS SDK does: base64 with the
// standard alphabet and padding, then form URL-encoded (+ %2B, / %2F, = %3D).
func (h SignatureHeader) String() string {
	var b strings.Builder
	b.WriteString("algorithm=")
	b.WriteString(h.Algorithm)
	if h.KeyVersion != "" {
		b.WriteString(",keyVersion=")
		b.WriteString(h.KeyVersion)
	}
	b.WriteString(",signature=")
	b.WriteString(url.QueryEscape(base64.StdEncoding.EncodeToString(h.Signature)))
	return b.String()
}

// ParseSignatureHeader reads "algorithm=RSA256,keyVersion=1,signature=...".
// Like the official SDKs it takes everything after the first "signature="
// as the signature; the pairs before it are comma separated with optional
// spaces. The signature is form URL-decoded once (escapes in either case)
// and then base64-decoded, so a raw or doubly encoded value is rejected.
func ParseSignatureHeader(value string) (SignatureHeader, error) {
	var h SignatureHeader
	if strings.TrimSpace(value) == "" {
		return h, ErrSignatureMissing
	}
	head, encoded, ok := strings.Cut(value, "signature=")
	if !ok {
		return h, fmt.Errorf("%w: no signature= field", ErrSignatureMalformed)
	}
	for _, pair := range strings.Split(head, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return h, fmt.Errorf("%w: field %q is not key=value", ErrSignatureMalformed, truncate(pair, 32))
		}
		switch strings.TrimSpace(k) {
		case "algorithm":
			h.Algorithm = strings.TrimSpace(v)
		case "keyVersion":
			h.KeyVersion = strings.TrimSpace(v)
		}
	}
	if h.Algorithm != AlgorithmRSA256 {
		return h, fmt.Errorf("%w: %q", ErrSignatureAlgorithm, truncate(h.Algorithm, 32))
	}
	text, err := url.QueryUnescape(strings.TrimSpace(encoded))
	if err != nil {
		return h, fmt.Errorf("%w: URL decoding: %v", ErrSignatureMalformed, err)
	}
	sig, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return h, fmt.Errorf("%w: base64: %v", ErrSignatureMalformed, err)
	}
	if len(sig) == 0 {
		return h, fmt.Errorf("%w: empty signature", ErrSignatureMalformed)
	}
	h.Signature = sig
	return h, nil
}

// Verify checks the Signature header of a message received from the peer
// holding pub's private key. For a response, path is the path of our
// request and timeHeader the Response-Time header; for a notification,
// path is the notification URL's path and timeHeader the Request-Time. The
// body must be the raw bytes received, before any JSON parsing. The error
// wraps ErrSignatureMissing, ErrSignatureMalformed, ErrSignatureAlgorithm
// or ErrSignatureMismatch.
func Verify(pub *rsa.PublicKey, method, path, clientID, timeHeader string, body []byte, signatureHeader string) error {
	if pub == nil {
		return fmt.Errorf("%w: no public key to verify with", ErrKeyFormat)
	}
	h, err := ParseSignatureHeader(signatureHeader)
	if err != nil {
		return err
	}
	if timeHeader == "" {
		return fmt.Errorf("%w: signed message without its time header", ErrSignatureMissing)
	}
	if clientID == "" {
		return fmt.Errorf("%w: signed message without Client-Id", ErrSignatureMissing)
	}
	digest := sha256.Sum256(ContentToSign(method, path, clientID, timeHeader, body))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], h.Signature); err != nil {
		return ErrSignatureMismatch
	}
	return nil
}

// truncate keeps error strings short when they quote peer input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
