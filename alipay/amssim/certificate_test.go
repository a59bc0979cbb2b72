package amssim_test

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
)

func TestSelfSignedCertificate(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	hosts := []string{"localhost", "127.0.0.1", "", "::1", "localhost", "0.0.0.0", "sim.example", "127.0.0.1"}
	cert, fingerprint, err := amssim.SelfSignedCertificate(hosts, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"localhost", "sim.example"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNS names %q, want %q", leaf.DNSNames, want)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1"}; !slices.Equal(ips, want) {
		t.Errorf("IP addresses %q, want %q (no unspecified address, no repeats)", ips, want)
	}
	if !leaf.NotBefore.Equal(now.Add(-time.Hour)) || !leaf.NotAfter.Equal(now.AddDate(0, 0, 365)) {
		t.Errorf("valid %v to %v, want an hour before %v for 365 days", leaf.NotBefore, leaf.NotAfter, now)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("extended key usage %v, want server auth only", leaf.ExtKeyUsage)
	}
	if err := leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}

	sum := sha256.Sum256(cert.Certificate[0])
	if got := strings.ReplaceAll(fingerprint, ":", ""); len(fingerprint) != 95 || got != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Errorf("fingerprint %q, want the colon-separated SHA-256 of the DER %X", fingerprint, sum)
	}

	again, fingerprint2, err := amssim.SelfSignedCertificate(hosts, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf2, _ := x509.ParseCertificate(again.Certificate[0])
	if fingerprint2 == fingerprint || leaf2.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
		t.Errorf("two certificates share a fingerprint or serial number")
	}
}

// TestSelfSignedCertificateServes serves HTTPS with the certificate and
// connects the two ways a client can trust it: the certificate as its only
// root with the host name checked, and the fingerprint pinned.
func TestSelfSignedCertificateServes(t *testing.T) {
	cert, fingerprint, err := amssim.SelfSignedCertificate([]string{"127.0.0.1", "sim.example"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	pinned := &tls.Config{
		InsecureSkipVerify: true, // the pin replaces the chain, as in the alipay client
		VerifyConnection: func(cs tls.ConnectionState) error {
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if !strings.EqualFold(hex.EncodeToString(sum[:]), strings.ReplaceAll(fingerprint, ":", "")) {
				return fmt.Errorf("certificate does not match the pin")
			}
			return nil
		},
	}
	for name, c := range map[string]struct {
		conf *tls.Config
		ok   bool
	}{
		"trusted by IP":      {&tls.Config{RootCAs: roots}, true},
		"trusted by name":    {&tls.Config{RootCAs: roots, ServerName: "sim.example"}, true},
		"name not in it":     {&tls.Config{RootCAs: roots, ServerName: "other.example"}, false},
		"unknown authority":  {&tls.Config{}, false},
		"pinned fingerprint": {pinned, true},
	} {
		t.Run(name, func(t *testing.T) {
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: c.conf}}
			defer hc.CloseIdleConnections()
			resp, err := hc.Get("https://127.0.0.1:" + port + "/")
			if err == nil {
				resp.Body.Close()
			}
			if (err == nil) != c.ok {
				t.Fatalf("GET: %v, want success %v", err, c.ok)
			}
		})
	}
}
