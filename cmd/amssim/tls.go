package main

import "crypto/tls"

// tlsConfig serves HTTP/1.1 only, so that the connection faults can take
// the connection over and reset it.
func tlsConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
	}
}
