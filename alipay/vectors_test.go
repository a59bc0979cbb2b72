package alipay

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/posd/posd/alipay/alipaytest"
)

// testKeys holds the two vector key pairs, parsed.
type testKeys struct {
	merchant, gateway *rsa.PrivateKey
}

func (k testKeys) private(role string) *rsa.PrivateKey {
	if role == "merchant" {
		return k.merchant
	}
	return k.gateway
}

// loadVectors reads the vectors and parses both keys with this package's parser.
func loadVectors(t testing.TB) (alipaytest.Vectors, testKeys) {
	t.Helper()
	vf := alipaytest.Load(t)
	var keys testKeys
	for _, k := range vf.Keys {
		priv, err := ParsePrivateKey([]byte(k.PrivateKeyPkcs8Base64))
		if err != nil {
			t.Fatalf("%s key: %v", k.Role, err)
		}
		switch k.Role {
		case "merchant":
			keys.merchant = priv
		case "gateway":
			keys.gateway = priv
		}
	}
	if keys.merchant == nil || keys.gateway == nil {
		t.Fatal("vector file lacks a merchant or gateway key")
	}
	return vf, keys
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestSigningVectors(t *testing.T) {
	vf, keys := loadVectors(t)
	if len(vf.SigningVectors) == 0 {
		t.Fatal("no signing vectors")
	}
	for _, v := range vf.SigningVectors {
		t.Run(v.ID, func(t *testing.T) {
			body := []byte(v.Body)
			if len(body) != v.BodyUTF8Length || sha256Hex(body) != v.BodySha256Hex {
				t.Fatalf("body loaded as %d bytes sha256 %s; vector says %d %s", len(body), sha256Hex(body), v.BodyUTF8Length, v.BodySha256Hex)
			}
			content := ContentToSign(v.Method, v.Path, v.ClientID, v.RequestTime, body)
			if string(content) != v.ContentToSign || sha256Hex(content) != v.ContentToSignSha256Hex {
				t.Fatalf("content to sign differs:\n got %q\nwant %q", content, v.ContentToSign)
			}
			version, err := strconv.Atoi(v.KeyVersion)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewSigner(keys.private(v.SignedWith), version)
			if err != nil {
				t.Fatal(err)
			}
			header, err := s.Sign(v.Method, v.Path, v.ClientID, v.RequestTime, body)
			if err != nil {
				t.Fatal(err)
			}
			if header != v.SignatureHeader {
				t.Fatalf("header\n got %s\nwant %s", header, v.SignatureHeader)
			}
			h, err := ParseSignatureHeader(header)
			if err != nil || h.KeyVersion != v.KeyVersion || h.String() != v.SignatureHeader {
				t.Fatalf("ParseSignatureHeader round trip = %+v, %v", h, err)
			}
			pub := &keys.private(v.VerifiesWithPublicKey).PublicKey
			if err := Verify(pub, v.Method, v.Path, v.ClientID, v.RequestTime, body, header); err != nil {
				t.Fatalf("own signature does not verify: %v", err)
			}
		})
	}
}

func TestVerificationCases(t *testing.T) {
	vf, keys := loadVectors(t)
	if len(vf.VerificationCases) == 0 {
		t.Fatal("no verification cases")
	}
	for _, c := range vf.VerificationCases {
		t.Run(c.ID, func(t *testing.T) {
			pub := &keys.private(c.VerifyWithKey).PublicKey
			err := Verify(pub, c.Method, c.Path, c.ClientID, c.TimeHeaderValue, []byte(c.Body), c.SignatureHeader)
			if got := err == nil; got != c.ExpectedValid {
				t.Fatalf("valid = %v (%v), want %v: %s", got, err, c.ExpectedValid, c.Reason)
			}
		})
	}
}
