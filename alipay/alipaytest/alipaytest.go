// Package alipaytest gives tests the AMS known-answer vectors
// (alipay/testdata/signature.json) and their two RSA-2048 key pairs: the
// merchant's, which signs requests, and a stand-in for the platform's
// (the "gateway" key), which signs replies and notifications. The keys are
// test material only, never credentials.
//
// It does not import package alipay, so alipay's own tests can use it.
package alipaytest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Vectors mirrors alipay/testdata/signature.json: known-answer signing and
// verification cases with their keys.
type Vectors struct {
	Keys              []KeyPair          `json:"keys"`
	SigningVectors    []SigningVector    `json:"signingVectors"`
	VerificationCases []VerificationCase `json:"verificationCases"`
}

// KeyPair is one key pair in all the forms the file carries.
type KeyPair struct {
	Role                  string `json:"role"` // "merchant" or "gateway"
	PrivateKeyPkcs8Base64 string `json:"privateKeyPkcs8Base64"`
	PrivateKeyPkcs8Pem    string `json:"privateKeyPkcs8Pem"`
	PublicKeySpkiBase64   string `json:"publicKeySpkiBase64"`
	PublicKeySpkiPem      string `json:"publicKeySpkiPem"`
}

// SigningVector is one request signed with a known key.
type SigningVector struct {
	ID                     string `json:"id"`
	SignedWith             string `json:"signedWith"`
	Method                 string `json:"method"`
	Path                   string `json:"path"`
	ClientID               string `json:"clientId"`
	RequestTime            string `json:"requestTime"`
	KeyVersion             string `json:"keyVersion"`
	Body                   string `json:"body"`
	BodyUTF8Length         int    `json:"bodyUtf8Length"`
	BodySha256Hex          string `json:"bodySha256Hex"`
	ContentToSign          string `json:"contentToSign"`
	ContentToSignSha256Hex string `json:"contentToSignSha256Hex"`
	SignatureBase64        string `json:"signatureBase64"`
	SignatureURLEncoded    string `json:"signatureUrlEncoded"`
	SignatureHeader        string `json:"signatureHeader"`
	VerifiesWithPublicKey  string `json:"verifiesWithPublicKey"`
}

// VerificationCase is one received message with the verdict a verifier must reach.
type VerificationCase struct {
	ID              string `json:"id"`
	MessageKind     string `json:"messageKind"` // "response" or "notification"
	Method          string `json:"method"`
	Path            string `json:"path"`
	ClientID        string `json:"clientId"`
	TimeHeaderName  string `json:"timeHeaderName"`
	TimeHeaderValue string `json:"timeHeaderValue"`
	Body            string `json:"body"`
	SignatureHeader string `json:"signatureHeader"`
	VerifyWithKey   string `json:"verifyWithKey"`
	ExpectedValid   bool   `json:"expectedValid"`
	Reason          string `json:"reason"`
}

// VectorsEnv names a signature.json to read instead of the source tree's:
// for a test binary run where the tree is not (the power-cut guest).
const VectorsEnv = "ALIPAYTEST_VECTORS"

// Load reads signature.json from the alipay package's testdata, or from
// $ALIPAYTEST_VECTORS when set.
func Load(t testing.TB) Vectors {
	t.Helper()
	path := os.Getenv(VectorsEnv)
	if path == "" {
		_, self, _, ok := runtime.Caller(0)
		if !ok {
			t.Fatal("alipaytest: cannot locate its own source")
		}
		path = filepath.Join(filepath.Dir(self), "..", "testdata", "signature.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("alipaytest: %v", err)
	}
	var v Vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("alipaytest: %v", err)
	}
	return v
}

// Pair returns the key pair of a role ("merchant" or "gateway").
func (v Vectors) Pair(t testing.TB, role string) KeyPair {
	t.Helper()
	for _, k := range v.Keys {
		if k.Role == role {
			return k
		}
	}
	t.Fatalf("alipaytest: no %s key", role)
	return KeyPair{}
}

// PrivateKey parses the pair's private key.
func (k KeyPair) PrivateKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(k.PrivateKeyPkcs8Base64)
	if err != nil {
		t.Fatalf("alipaytest: %s key: %v", k.Role, err)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatalf("alipaytest: %s key: %v", k.Role, err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("alipaytest: %s key is %T", k.Role, key)
	}
	return rsaKey
}

// Keys returns the merchant and gateway private keys (their public halves
// are .PublicKey).
func Keys(t testing.TB) (merchant, gateway *rsa.PrivateKey) {
	t.Helper()
	v := Load(t)
	return v.Pair(t, "merchant").PrivateKey(t), v.Pair(t, "gateway").PrivateKey(t)
}
