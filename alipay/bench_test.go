package alipay

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"
)

func BenchmarkSign(b *testing.B) {
	vf, keys := loadVectors(b)
	v := vf.SigningVectors[0]
	s, err := NewSigner(keys.merchant, 1)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(v.Body)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(v.Method, v.Path, v.ClientID, v.RequestTime, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	vf, keys := loadVectors(b)
	c := vf.VerificationCases[0]
	body := []byte(c.Body)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(&keys.gateway.PublicKey, c.Method, c.Path, c.ClientID, c.TimeHeaderValue, body, c.SignatureHeader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPayRoundTrip is one verified pay over TLS on loopback: sign,
// send, receive, verify, judge. "reuse" keeps one connection (posd's
// client); "new-connection" dials and handshakes for every call, as the
// official Go SDK does with its per-call transport.
func BenchmarkPayRoundTrip(b *testing.B) {
	g := newTestGateway(b)
	g.handle = g.answer(upmSuccess, nil)
	body, err := EncodePay(examplePay())
	if err != nil {
		b.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(g.srv.Certificate())
	cases := []struct {
		name string
		tr   *http.Transport
	}{
		{"reuse", nil},
		{"new-connection", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			cfg := g.config()
			cfg.Transport = tc.tr
			c := g.client(cfg)
			b.ReportAllocs()
			for b.Loop() {
				if r, err := c.PayBody(context.Background(), body); r.Outcome != OutcomeSuccess {
					b.Fatal(err)
				}
			}
		})
	}
}
