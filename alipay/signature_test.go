package alipay

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSignatureHeader(t *testing.T) {
	tests := []struct {
		in      string
		version string
		err     error
	}{
		{"algorithm=RSA256,keyVersion=1,signature=AAEC", "1", nil},
		{" algorithm=RSA256 , keyVersion=2 , signature=AAEC ", "2", nil},
		{"keyVersion=3,algorithm=RSA256,signature=AAEC", "3", nil},
		{"algorithm=RSA256,signature=AAEC", "", nil},
		{"algorithm=RSA256,keyVersion=1,signature=AA%3d%3D", "1", nil},
		{"", "", ErrSignatureMissing},
		{"   ", "", ErrSignatureMissing},
		{"algorithm=RSA256,keyVersion=1", "", ErrSignatureMalformed},
		{"algorithm=RSA256,keyVersion=1,signature=", "", ErrSignatureMalformed},
		{"algorithm=RSA256,keyVersion=1,signature=%zz", "", ErrSignatureMalformed},
		{"algorithm=RSA256,keyVersion=1,signature=A+B/", "", ErrSignatureMalformed},
		{"algorithm=RSA256,keyVersion=1,signature=AA%253D", "", ErrSignatureMalformed},
		{"algorithm=RSA256,bogus,signature=AAEC", "", ErrSignatureMalformed},
		{"algorithm=RSA,keyVersion=1,signature=AAEC", "", ErrSignatureAlgorithm},
		{"algorithm=rsa256,keyVersion=1,signature=AAEC", "", ErrSignatureAlgorithm},
		{"keyVersion=1,signature=AAEC", "", ErrSignatureAlgorithm},
		{"signature=AAEC,algorithm=RSA256", "", ErrSignatureAlgorithm},
	}
	for _, tt := range tests {
		h, err := ParseSignatureHeader(tt.in)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("ParseSignatureHeader(%q) = %v, want %v", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || h.KeyVersion != tt.version || len(h.Signature) == 0 {
			t.Errorf("ParseSignatureHeader(%q) = %+v, %v", tt.in, h, err)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	_, keys := loadVectors(t)
	s, err := NewSigner(keys.gateway, 1)
	if err != nil {
		t.Fatal(err)
	}
	const path, client, tm = "/ams/api/v1/payments/pay", "C1", "2024-05-29T16:26:40+08:00"
	body := []byte(`{"result":{"resultStatus":"S"}}`)
	header, err := s.Sign("POST", path, client, tm, body)
	if err != nil {
		t.Fatal(err)
	}
	pub := &keys.gateway.PublicKey
	cases := []struct {
		name                    string
		path, client, tm, sigHd string
		err                     error
	}{
		{"no signature", path, client, tm, "", ErrSignatureMissing},
		{"no time", path, client, "", header, ErrSignatureMissing},
		{"no client id", path, "", tm, header, ErrSignatureMissing},
		{"other client id", path, "C2", tm, header, ErrSignatureMismatch},
		{"other path", "/ams/sandbox/api/v1/payments/pay", client, tm, header, ErrSignatureMismatch},
		{"mangled", path, client, tm, strings.Replace(header, "signature=", "signature=AAAA", 1), ErrSignatureMismatch},
		{"bad algorithm", path, client, tm, strings.Replace(header, "RSA256", "RSA512", 1), ErrSignatureAlgorithm},
	}
	for _, c := range cases {
		if err := Verify(pub, "POST", c.path, c.client, c.tm, body, c.sigHd); !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
	if err := Verify(&keys.merchant.PublicKey, "POST", path, client, tm, body, header); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("merchant key: %v", err)
	}
	if err := Verify(nil, "POST", path, client, tm, body, header); err == nil {
		t.Error("nil key verified")
	}
}

func TestNewSignerRejects(t *testing.T) {
	_, keys := loadVectors(t)
	if _, err := NewSigner(nil, 1); !errors.Is(err, ErrKeyFormat) {
		t.Errorf("nil key: %v", err)
	}
	if _, err := NewSigner(keys.merchant, 0); err == nil {
		t.Error("key version 0 accepted")
	}
}

func FuzzParseSignatureHeader(f *testing.F) {
	f.Add("algorithm=RSA256,keyVersion=1,signature=AAEC")
	f.Add("algorithm=RSA256, keyVersion=1, signature=4%2fHk%3d")
	f.Add("signature=")
	f.Fuzz(func(t *testing.T, in string) {
		h, err := ParseSignatureHeader(in)
		if err != nil {
			if !errors.Is(err, ErrSignatureMissing) && !errors.Is(err, ErrSignatureMalformed) && !errors.Is(err, ErrSignatureAlgorithm) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if h.Algorithm != AlgorithmRSA256 || len(h.Signature) == 0 {
			t.Fatalf("accepted %q as %+v", in, h)
		}
		// What we format, we parse back to the same signature.
		again, err := ParseSignatureHeader(h.String())
		if err != nil || string(again.Signature) != string(h.Signature) {
			t.Fatalf("re-parse of %q: %+v, %v", h.String(), again, err)
		}
	})
}
