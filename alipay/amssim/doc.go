// Package amssim is an Alipay AMS in-store gateway in memory: posd's
// httptest for AMS. Simulator is an http.Handler serving the real AMS paths
// (under /ams/api and /ams/sandbox/api) and, under /sim/, the customer's
// wallet page, the ground-truth ledger and fault injection. Tests mount it
// with httptest.NewTLSServer and talk to it with the alipay client;
// posd -demo and cmd/amssim serve it on the network.
package amssim
