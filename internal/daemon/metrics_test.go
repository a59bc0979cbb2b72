package daemon

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
)

func TestMetricsExposition(t *testing.T) {
	depth := 3
	m := newMetrics("1.2.3", func() int { return depth })
	srv := httptest.NewServer(m)
	defer srv.Close()

	got := testenv.Scrape(t, srv.URL)
	if got[`posd_build_info{version="1.2.3"}`] != 1 || got["posd_outbox_depth"] != 3 || got["posd_printer_up"] != 0 {
		t.Fatalf("fresh metrics: %v", got)
	}

	m.payment("succeeded")
	m.payment("succeeded")
	m.payment("cancelled")
	m.observe("pay", 40*time.Millisecond)
	m.observe("pay", 3*time.Second)
	m.observe("pay", time.Minute) // beyond the last bucket
	m.observe("inquiryPayment", 10*time.Millisecond)
	m.printerUp.Store(true)
	m.networkUp.Store(true)
	depth = 1

	got = testenv.Scrape(t, srv.URL)
	want := map[string]float64{
		`posd_payments_total{outcome="succeeded"}`:                                    2,
		`posd_payments_total{outcome="cancelled"}`:                                    1,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="0.025"}`:            0,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="0.05"}`:             1,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="2.5"}`:              1,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="5"}`:                2,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="15"}`:               2,
		`posd_gateway_call_duration_seconds_bucket{call="pay",le="+Inf"}`:             3,
		`posd_gateway_call_duration_seconds_count{call="pay"}`:                        3,
		`posd_gateway_call_duration_seconds_sum{call="pay"}`:                          63.04,
		`posd_gateway_call_duration_seconds_bucket{call="inquiryPayment",le="0.025"}`: 1,
		"posd_outbox_depth": 1,
		"posd_printer_up":   1,
		"posd_network_up":   1,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

func TestMetricsRefusesWrites(t *testing.T) {
	srv := httptest.NewServer(newMetrics("dev", nil))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
