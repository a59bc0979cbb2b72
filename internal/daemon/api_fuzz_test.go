package daemon

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/internal/posapi"
)

// FuzzAPI sends arbitrary requests to the local API: it must never panic,
// and every refusal must be a 4xx/5xx with a JSON error naming the reason.
func FuzzAPI(f *testing.F) {
	f.Add("GET", "/v1/status", "")
	f.Add("POST", "/v1/keys", `{"keys":"1250<ENTER>"}`)
	f.Add("POST", "/v1/payments/P1/refund", `{"amount":"1.50"}`)
	f.Add("GET", "/v1/export?from=2026-11-01&to=2026-11-30", "")
	f.Add("POST", "/v1/report", `{"day":"2026-11-23","print":true}`)
	f.Add("POST", "/v1/report", `{"from":"2026-11-01","to":"2026-11-30T10:00:00+08:00"}`)
	f.Add("POST", "/v1/test-print", "")
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") || method == "" || strings.ContainsAny(method, " \r\n\t()<>@,;:\\\"/[]?={}") {
			return // not an HTTP request line a client could send
		}
		b := &ledgerBackend{payments: map[string]posapi.Payment{
			"P1": {PaymentRequestID: "P1", State: "SUCCEEDED", Final: true, Amount: usd(1250), CreatedAt: time.Unix(0, 0)},
		}}
		h := apiHandler(b, slog.New(slog.DiscardHandler))
		req, err := http.NewRequest(method, "http://posd"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 400 && rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			var e posapi.Error
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("%s %s: %d with body %q", method, path, rec.Code, rec.Body.String())
			}
		}
	})
}
