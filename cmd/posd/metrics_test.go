package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var sampleLine = regexp.MustCompile(`^([a-z_]+)(\{[^}]*\})? (\S+)$`)

// scrape fetches /metrics over HTTP and returns sample name+labels → value,
// failing on any line that is not valid exposition format.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	out := map[string]float64{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "#" && f[1] == "TYPE" {
			typed[f[2]] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("bad line %q", line)
		}
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		if !typed[family] && !typed[m[1]] {
			t.Errorf("sample %s before its TYPE", m[1])
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("bad value in %q", line)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

func TestMetricsExposition(t *testing.T) {
	depth := 3
	m := newMetrics("1.2.3", func() int { return depth })
	srv := httptest.NewServer(m)
	defer srv.Close()

	got := scrape(t, srv.URL)
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

	got = scrape(t, srv.URL)
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
