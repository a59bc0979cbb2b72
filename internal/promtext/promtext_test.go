package promtext

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRenderFormat(t *testing.T) {
	r := NewRegistry()
	c := r.NewCounterVec("shop_sales_total", "Sales by currency.", "currency")
	c.With("USD").Add(1250)
	c.With("CNY").Inc()
	g := r.NewGauge("shop_open", "1 when open.\nSecond line with a \\ backslash.")
	g.Set(math.Inf(1))
	r.NewGaugeFunc("shop_temp", "Temperature.", func() float64 { return -0.5 })
	h := r.NewHistogramVec("shop_wait_seconds", "Waits.", []float64{0.1, 1}, "till")
	w := h.With(`a"b\c` + "\n")
	for _, v := range []float64{0.05, 0.1, 0.5, 1, 7} {
		w.Observe(v)
	}
	r.NewFunc("shop_code", "Stopped by a code.", GaugeType, []string{"code"}, func(emit Emit) { emit(1, "X") })
	want := `# HELP shop_code Stopped by a code.
# TYPE shop_code gauge
shop_code{code="X"} 1
# HELP shop_open 1 when open.\nSecond line with a \\ backslash.
# TYPE shop_open gauge
shop_open +Inf
# HELP shop_sales_total Sales by currency.
# TYPE shop_sales_total counter
shop_sales_total{currency="CNY"} 1
shop_sales_total{currency="USD"} 1250
# HELP shop_temp Temperature.
# TYPE shop_temp gauge
shop_temp -0.5
# HELP shop_wait_seconds Waits.
# TYPE shop_wait_seconds histogram
shop_wait_seconds_bucket{till="a\"b\\c\n",le="0.1"} 2
shop_wait_seconds_bucket{till="a\"b\\c\n",le="1"} 4
shop_wait_seconds_bucket{till="a\"b\\c\n",le="+Inf"} 5
shop_wait_seconds_sum{till="a\"b\\c\n"} 8.65
shop_wait_seconds_count{till="a\"b\\c\n"} 5
`
	if got := string(r.Render()); got != want {
		t.Errorf("render:\n%s\nwant:\n%s", got, want)
	}
}

// Prometheus's own checker reads what posd writes, runtime series included.
func TestRenderPassesPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool (apt package prometheus) is needed in CI")
		}
		t.Skip("promtool not installed (apt package prometheus)")
	}
	r := NewRegistry()
	r.RegisterRuntime()
	r.NewCounterVec("posd_payments_total", "Payments by outcome.", "outcome").With("succeeded").Inc()
	r.NewHistogramVec("posd_call_seconds", "Calls.", []float64{0.5, 1}, "call").With("pay").Observe(0.7)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(r.Render())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestRuntimeSeries(t *testing.T) {
	r := NewRegistry()
	r.RegisterRuntime()
	out := string(r.Render())
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes",
		"process_open_fds", "process_start_time_seconds", "process_max_fds"} {
		v, ok := value(out, name)
		if !ok || v <= 0 {
			t.Errorf("%s = %v, %v", name, v, ok)
		}
	}
	// A fresh test may not have used a clock tick; qemu-user (the ARM
	// test runs) writes its own /proc/self/stat, with rss 0.
	for _, name := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if v, ok := value(out, name); !ok || v < 0 {
			t.Errorf("%s = %v, %v", name, v, ok)
		}
	}
	if st, _ := value(out, "process_start_time_seconds"); math.Abs(st-float64(time.Now().Unix())) > 3600 {
		t.Errorf("start time %v is not about now", st)
	}
}

// value is the sample of an unlabelled series in a rendering.
func value(out, name string) (float64, bool) {
	for line := range strings.Lines(out) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			_, err := fmt.Sscan(strings.TrimSpace(v), &f)
			return f, err == nil
		}
	}
	return 0, false
}

func TestRegistrationMistakesPanic(t *testing.T) {
	for name, f := range map[string]func(r *Registry){
		"bad name":       func(r *Registry) { r.NewGauge("9lives", "") },
		"bad label":      func(r *Registry) { r.NewCounterVec("ok", "", "bad-label") },
		"le label":       func(r *Registry) { r.NewHistogramVec("ok", "", []float64{1}, "le") },
		"twice":          func(r *Registry) { r.NewGauge("ok", ""); r.NewGauge("ok", "") },
		"label count":    func(r *Registry) { r.NewCounterVec("ok", "", "a").With("x", "y") },
		"unsorted le":    func(r *Registry) { r.NewHistogramVec("ok", "", []float64{2, 1}) },
		"func histogram": func(r *Registry) { r.NewFunc("ok", "", HistogramType, nil, func(Emit) {}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f(NewRegistry())
		})
	}
}

// Counting and scraping at once is safe (run with -race) and loses no count.
func TestConcurrentUpdatesAndScrapes(t *testing.T) {
	r := NewRegistry()
	r.RegisterRuntime()
	c := r.NewCounterVec("n_total", "n", "k")
	h := r.NewHistogramVec("d_seconds", "d", []float64{1}, "k")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 1000 {
				c.With(string(rune('a' + i%2))).Inc()
				h.With("x").Observe(0.5)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 20 {
				r.Render()
			}
		})
	}
	wg.Wait()
	out := string(r.Render())
	for _, s := range []string{`n_total{k="a"} 2000`, `n_total{k="b"} 2000`, `d_seconds_count{k="x"} 4000`, `d_seconds_bucket{k="x",le="1"} 4000`} {
		if !strings.Contains(out, s+"\n") {
			t.Errorf("missing %q", s)
		}
	}
}

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and parentheses, as a process may set it.
	line := "4242 (po) d (x) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 75 0 0 20 0 9 0 5000 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, err := parseProcStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st != (procStat{utime: 250, stime: 75, startTicks: 5000, vsize: 123456789, rssPages: 2048}) {
		t.Errorf("parsed %+v", st)
	}
	for _, bad := range []string{"", "1 (x S 1", "1 (x) S 1 2 3", strings.Replace(line, " 250 ", " -250 ", 1)} {
		if _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		if _, err := parseProcStat(b); err != nil {
			t.Errorf("this process's stat: %v", err)
		}
	}
}

func FuzzParseProcStat(f *testing.F) {
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseProcStat(b)
		if err != nil && st != (procStat{}) {
			t.Errorf("error %v with values %+v", err, st)
		}
	})
}
