// Package clocktest is the one hand-driven clock posd's tests share
// (queue, display, amssim, the daemon): time moves only when a test says
// so, so no test sleeps and hopes.
package clocktest
