package daemon

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
)

const deployDir = "../../deploy"

// The alert rules load in Prometheus and fire when and only when they should (promtool's own rule tests).
func TestAlertRulesCheck(t *testing.T) {
	promtool := testenv.Tool(t, "promtool")
	dir := filepath.Join(deployDir, "prometheus")
	for _, args := range [][]string{{"check", "rules", "posd-alerts.yml"}, {"test", "rules", "posd-alerts.test.yml"}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, promtool, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil || !strings.Contains(string(out), "SUCCESS") {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// seriesName matches the series names an expression uses: posd's own, the Go and process collectors',
// and Prometheus's up.
var seriesName = regexp.MustCompile(`\b(?:posd|go|process)_[a-z0-9_]+\b|\bup\b`)

// Every series the alert rules and the dashboard name is one posd exports (a renamed metric would
// leave an alert that never fires and a panel that stays empty).
func TestAlertRulesAndDashboardNameExportedSeries(t *testing.T) {
	m := newMetrics("1.2.3", filepath.Join(t.TempDir(), "posd.db"))
	// Touch every labelled series, as a day at the till would.
	m.payment(outcomeSucceeded, money.Amount{Currency: "USD", Value: 1250})
	m.refund(money.Amount{Currency: "USD", Value: 250})
	m.observe("pay", 300*time.Millisecond)
	m.gatewayReply(alipay.Reply{Verified: true, ResponseTime: time.Now().Format(time.RFC3339)}, time.Now(), false)
	m.sample(&fakeOutbox{pending: []queue.Payment{{State: queue.NeedsAttention}}}, time.Now)
	srv := httptest.NewServer(m)
	defer srv.Close()
	exported := map[string]bool{"up": true} // up is Prometheus's own, per scrape target
	for k := range testenv.Scrape(t, srv.URL) {
		name, _, _ := strings.Cut(k, "{")
		exported[name] = true
	}

	rules, err := os.ReadFile(filepath.Join(deployDir, "prometheus", "posd-alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, line := range strings.Split(string(rules), "\n") {
		if e, ok := strings.CutPrefix(strings.TrimSpace(line), "expr:"); ok {
			exprs = append(exprs, e)
		}
	}
	if len(exprs) < 9 {
		t.Fatalf("found %d rule expressions; the rules file changed shape", len(exprs))
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	data, err := os.ReadFile(filepath.Join(deployDir, "grafana", "posd-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	names := 0
	for _, e := range exprs {
		found := seriesName.FindAllString(e, -1)
		if len(found) == 0 {
			t.Errorf("expression names no series: %s", e)
		}
		for _, n := range found {
			names++
			if !exported[n] {
				t.Errorf("%s is not a series posd exports (in %s)", n, strings.TrimSpace(e))
			}
		}
	}
	t.Logf("%d series references in %d expressions checked", names, len(exprs))
}
