package alipay

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/money"
)

// notifyV09 is vector V-09: a payment notification signed by the gateway
// key over the notification URL path /alipay/notify.
type notifyMsg struct {
	path, clientID, requestTime, body, signature string
}

func vectorNotification(t *testing.T) notifyMsg {
	vf, _ := loadVectors(t)
	for _, c := range vf.VerificationCases {
		if c.ID == "V-09" {
			return notifyMsg{c.Path, c.ClientID, c.TimeHeaderValue, c.Body, c.SignatureHeader}
		}
	}
	t.Fatal("vector V-09 missing")
	return notifyMsg{}
}

// notifySink records what the callback received; fail makes it refuse.
type notifySink struct {
	mu   sync.Mutex
	got  []Notification
	fail error
}

func (s *notifySink) handle(_ context.Context, n Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.got = append(s.got, n)
	return nil
}

func (s *notifySink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func newNotifyServer(t *testing.T, sink *notifySink, modify func(*NotifyConfig)) *httptest.Server {
	t.Helper()
	_, keys := loadVectors(t)
	cfg := NotifyConfig{
		PlatformPublicKey: &keys.gateway.PublicKey,
		Handle:            sink.handle,
		ClientID:          testClientID,
		Now:               func() time.Time { return time.Date(2024, 5, 29, 8, 30, 0, 0, time.UTC) },
	}
	if modify != nil {
		modify(&cfg)
	}
	h, err := NewNotificationHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/alipay/notify", h)
	mux.Handle("/other/notify", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func postNotification(t *testing.T, url string, m notifyMsg) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+m.path, strings.NewReader(m.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Client-Id", m.clientID)
	req.Header.Set("Request-Time", m.requestTime)
	req.Header.Set("Signature", m.signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestNotificationAcceptedAndDuplicatesAcked(t *testing.T) {
	sink := &notifySink{}
	srv := newNotifyServer(t, sink, nil)
	m := vectorNotification(t)
	for i := 0; i < 2; i++ {
		code, body := postNotification(t, srv.URL, m)
		if code != 200 || body != NotificationAck {
			t.Fatalf("delivery %d: %d %s", i+1, code, body)
		}
	}
	if sink.count() != 2 {
		t.Fatalf("callback saw %d deliveries, want 2 (it dedupes, not the handler)", sink.count())
	}
	n := sink.got[0]
	if n.Kind != NotificationPayment || n.Payment.PaymentRequestID != "POS001-20240529-000002" || n.Payment.Outcome() != OutcomeSuccess ||
		*n.Payment.PaymentAmount != (money.Amount{Currency: "CNY", Value: 3200}) || n.RequestTime != m.requestTime || string(n.Body) != m.body {
		t.Errorf("notification %+v", n)
	}
}

func TestNotificationRefusals(t *testing.T) {
	good := vectorNotification(t)
	_, keys := loadVectors(t)
	gw, _ := NewSigner(keys.gateway, 1)
	merchant, _ := NewSigner(keys.merchant, 1)
	sign := func(s *Signer, m notifyMsg) notifyMsg {
		sig, err := s.Sign(http.MethodPost, m.path, m.clientID, m.requestTime, []byte(m.body))
		if err != nil {
			t.Fatal(err)
		}
		m.signature = sig
		return m
	}
	with := func(f func(*notifyMsg)) notifyMsg { m := good; f(&m); return m }
	tests := []struct {
		name string
		msg  notifyMsg
		code int
	}{
		{"unsigned", with(func(m *notifyMsg) { m.signature = "" }), 401},
		{"tampered amount", with(func(m *notifyMsg) { m.body = strings.Replace(m.body, "3200", "320000", 1) }), 401},
		{"posted to another path (V-10)", with(func(m *notifyMsg) { m.path = "/other/notify" }), 401},
		{"signed by the merchant key", sign(merchant, good), 401},
		{"other client id", sign(gw, with(func(m *notifyMsg) { m.clientID = "SOMEONE_ELSE" })), 401},
		{"stale", sign(gw, with(func(m *notifyMsg) { m.requestTime = "2024-05-29T15:00:00+08:00" })), 400},
		{"from the future", sign(gw, with(func(m *notifyMsg) { m.requestTime = "1716973300000" })), 400},
		{"time unreadable", sign(gw, with(func(m *notifyMsg) { m.requestTime = "yesterday" })), 400},
		{"signed but not JSON", sign(gw, with(func(m *notifyMsg) { m.body = "notifyType=PAYMENT_RESULT" })), 400},
		{"signed payment naming no payment", sign(gw, with(func(m *notifyMsg) { m.body = `{"notifyType":"PAYMENT_RESULT","result":{"resultStatus":"S"}}` })), 400},
		{"too large", sign(gw, with(func(m *notifyMsg) { m.body = `{"x":"` + strings.Repeat("a", MaxBodyBytes) + `"}` })), 413},
	}
	for _, tt := range tests {
		sink := &notifySink{}
		srv := newNotifyServer(t, sink, nil)
		code, body := postNotification(t, srv.URL, tt.msg)
		if code != tt.code || body == NotificationAck || sink.count() != 0 {
			t.Errorf("%s: %d %s, callback saw %d; want %d and no ack", tt.name, code, body, sink.count(), tt.code)
		}
	}
	// GET is not a notification.
	sink := &notifySink{}
	srv := newNotifyServer(t, sink, nil)
	resp, err := http.Get(srv.URL + "/alipay/notify")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

// The acknowledgement waits for the callback: a failed callback means the
// platform must resend, and the resend is then acknowledged.
func TestNotificationAckFollowsCallback(t *testing.T) {
	sink := &notifySink{fail: errors.New("disk full")}
	srv := newNotifyServer(t, sink, nil)
	m := vectorNotification(t)
	if code, body := postNotification(t, srv.URL, m); code != 500 || body == NotificationAck {
		t.Fatalf("failed callback answered %d %s", code, body)
	}
	sink.mu.Lock()
	sink.fail = nil
	sink.mu.Unlock()
	if code, body := postNotification(t, srv.URL, m); code != 200 || body != NotificationAck || sink.count() != 1 {
		t.Fatalf("resend: %d %s (%d recorded)", code, body, sink.count())
	}
}

func TestNotificationKinds(t *testing.T) {
	_, keys := loadVectors(t)
	gw, _ := NewSigner(keys.gateway, 1)
	sink := &notifySink{}
	srv := newNotifyServer(t, sink, func(c *NotifyConfig) { c.Path = "/alipay/notify"; c.MaxAge = -1 })
	send := func(body string) (int, string) {
		m := notifyMsg{"/alipay/notify", testClientID, "2020-01-01T00:00:00+08:00", body, ""}
		sig, _ := gw.Sign(http.MethodPost, m.path, m.clientID, m.requestTime, []byte(body))
		m.signature = sig
		return postNotification(t, srv.URL, m)
	}
	code, body := send(`{"referenceMerchantId":"M1","registrationRequestId":"REG1","registrationResult":{"registrationStatus":"COMPLETED"},` +
		`"pspRegistrationResultList":[{"pspName":"ALIPAY_CN","registrationResult":{"registrationStatus":"APPROVED"}}]}`)
	if code != 200 || body != NotificationAck || sink.count() != 1 || sink.got[0].Kind != NotificationRegistration ||
		sink.got[0].Registration.PSPRegistrationResultList[0].RegistrationResult.RegistrationStatus != "APPROVED" {
		t.Errorf("registration: %d %s %+v", code, body, sink.got)
	}
	code, body = send(`{"notifyType":"OFFLINE_PAYMENT_CODE","result":{"resultStatus":"S"}}`)
	if code != 200 || body != NotificationAck || sink.count() != 1 {
		t.Errorf("unknown notifyType: %d %s, callback saw %d (want ack, no callback)", code, body, sink.count())
	}
	code, _ = send(`{"notifyType":"PAYMENT_RESULT","result":{"resultCode":"PROCESS_FAIL","resultStatus":"F"},"paymentRequestId":"P9"}`)
	if code != 200 || sink.count() != 2 || sink.got[1].Payment.Outcome() != OutcomeFailure {
		t.Errorf("failed payment notification: %d %+v", code, sink.got)
	}
}

func TestPaymentNotificationOutcome(t *testing.T) {
	tests := []struct {
		status        ResultStatus
		paymentStatus string
		want          Outcome
	}{
		{"S", "", OutcomeSuccess},
		{"F", "", OutcomeFailure},
		{"U", "", OutcomeUnknown},
		{"", "", OutcomeUnknown},
		{"S", "FAIL", OutcomeFailure},
		{"S", "PROCESSING", OutcomeInProcess},
		{"F", "SUCCESS", OutcomeSuccess},
		{"S", "odd", OutcomeUnknown},
	}
	for _, tt := range tests {
		n := PaymentNotification{Envelope: Envelope{Result{ResultStatus: tt.status}}, PaymentStatus: tt.paymentStatus}
		if got := n.Outcome(); got != tt.want {
			t.Errorf("%s/%q: %v, want %v", tt.status, tt.paymentStatus, got, tt.want)
		}
	}
}

func TestParseRequestTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1685599933871":                 time.UnixMilli(1685599933871),
		"2019-07-12T12:08:56.253+05:30": time.Date(2019, 7, 12, 6, 38, 56, 253e6, time.UTC),
		"2020-04-29T17:18:47+08:00":     time.Date(2020, 4, 29, 9, 18, 47, 0, time.UTC),
	} {
		got, err := ParseRequestTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseRequestTime(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "12:00", "99999999999999999999", "-1685599933871", "2020-04-29 17:18:47"} {
		if _, err := ParseRequestTime(in); err == nil {
			t.Errorf("ParseRequestTime(%q) accepted", in)
		}
	}
}

func TestNewNotificationHandlerRejects(t *testing.T) {
	_, keys := loadVectors(t)
	if _, err := NewNotificationHandler(NotifyConfig{Handle: (&notifySink{}).handle}); err == nil {
		t.Error("no key accepted")
	}
	if _, err := NewNotificationHandler(NotifyConfig{PlatformPublicKey: &keys.gateway.PublicKey}); err == nil {
		t.Error("no callback accepted")
	}
}
