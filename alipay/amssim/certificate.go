package amssim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// SelfSignedCertificate makes a TLS server certificate for serving the
// simulator: ECDSA P-256, valid from an hour before now for one year,
// naming each of hosts (IP addresses as IP SANs, other names as DNS SANs;
// empty, repeated and unspecified addresses are left out). It returns the
// certificate with the SHA-256 fingerprint of its DER as colon-separated
// upper-case hex, a form alipay.Config.PinSHA256 and posd's pin_sha256
// take, so a client pins this certificate instead of trusting a CA.
func SelfSignedCertificate(hosts []string, now time.Time) (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("amssim: certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("amssim: certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "amssim", Organization: []string{"posd gateway simulator"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	seen := map[string]bool{}
	for _, h := range hosts {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			if !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("amssim: certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, Fingerprint(der), nil
}

// Fingerprint is the SHA-256 of a certificate's DER as colon-separated
// upper-case hex, the form alipay.Config.PinSHA256 takes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	hexParts := make([]string, len(sum))
	for i, b := range sum {
		hexParts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hexParts, ":")
}

// TLSCertificate is the certificate to serve the simulator with. With
// Config.StatePath it is the one kept in the state file, as long as it is
// valid for another day and names every one of hosts; otherwise a new
// SelfSignedCertificate, which is then kept. So a restarted amssim
// presents the certificate its clients pinned. Without a state file it
// is a new one every time.
func (sim *Simulator) TLSCertificate(hosts []string, now time.Time) (tls.Certificate, string, error) {
	sim.mu.Lock()
	kept := sim.kept
	sim.mu.Unlock()
	if kept != nil {
		if cert, ok := reusable(kept, hosts, now); ok {
			return cert, Fingerprint(kept.Certificate), nil
		}
	}
	cert, fingerprint, err := SelfSignedCertificate(hosts, now)
	if err != nil || sim.s.StatePath == "" {
		return cert, fingerprint, err
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("amssim: certificate key: %w", err)
	}
	sim.mu.Lock()
	sim.kept = &keptCert{Certificate: cert.Certificate[0], Key: key}
	sim.dirty = true
	sim.mu.Unlock()
	if err := sim.Flush(); err != nil {
		return tls.Certificate{}, "", err
	}
	return cert, fingerprint, nil
}

// reusable reports whether a kept certificate can still be served for hosts.
func reusable(k *keptCert, hosts []string, now time.Time) (tls.Certificate, bool) {
	leaf, err := x509.ParseCertificate(k.Certificate)
	if err != nil || now.Before(leaf.NotBefore) || now.Add(24*time.Hour).After(leaf.NotAfter) {
		return tls.Certificate{}, false
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); h == "" || ip != nil && ip.IsUnspecified() {
			continue
		}
		if leaf.VerifyHostname(h) != nil {
			return tls.Certificate{}, false
		}
	}
	key, err := x509.ParsePKCS8PrivateKey(k.Key)
	if err != nil {
		return tls.Certificate{}, false
	}
	return tls.Certificate{Certificate: [][]byte{k.Certificate}, PrivateKey: key, Leaf: leaf}, true
}
