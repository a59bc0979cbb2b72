package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/money"
)

type started struct {
	url, fingerprint, pubkey string
	logs                     *testenv.LogBuffer
	stop                     func() error
}

// start runs the command on a free port and reads what it prints.
func start(t *testing.T, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	logs := &testenv.LogBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), pw, logs)
		pw.CloseWithError(errors.New("amssim exited"))
		done <- err
	}()
	s := started{logs: logs}
	sc := bufio.NewScanner(pr)
	for s.url == "" && sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		switch k {
		case "tls-sha256":
			s.fingerprint = v
		case "gateway-pubkey":
			s.pubkey = v
		case "listening":
			s.url = v
		}
	}
	if s.url == "" {
		cancel()
		t.Fatalf("amssim did not start: %v\n%s", <-done, logs)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	s.stop = sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() { _ = s.stop() })
	return s
}

func writeKeys(t *testing.T) (dir string, merchant *rsa.PrivateKey) {
	t.Helper()
	merchant, _ = alipaytest.Keys(t)
	pub, err := alipay.PublicKeyBase64(&merchant.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "merchant.pub"), []byte(pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, merchant
}

func TestServesPinnedTLS(t *testing.T) {
	dir, merchant := writeKeys(t)
	state := filepath.Join(dir, "state.json")
	args := []string{"-client-id", "SANDBOX_CLI", "-merchant-pubkey", filepath.Join(dir, "merchant.pub"), "-state", state,
		"-faults", "inquiryPayment:unknown:1:1"}
	s := start(t, args...)
	if !strings.HasPrefix(s.url, "https://") || len(s.fingerprint) != 95 {
		t.Fatalf("url %q fingerprint %q", s.url, s.fingerprint)
	}
	client := pinnedClient(t, s, "SANDBOX_CLI", merchant)
	ctx := t.Context()
	req := paidRequest("CLI-1")
	if _, r, err := client.Pay(ctx, req); r.Outcome != alipay.OutcomeSuccess {
		t.Fatalf("pay over pinned TLS: %v %v", r.Outcome, err)
	}
	// The -faults flag: the first inquiry gets a signed UNKNOWN_EXCEPTION.
	_, r, _ := client.InquiryPayment(ctx, alipay.InquiryPaymentRequest{PaymentRequestID: "CLI-1"})
	if r.Result.ResultCode != alipay.CodeUnknownException {
		t.Fatalf("first inquiry: %+v", r.Result)
	}
	_, r, _ = client.InquiryPayment(ctx, alipay.InquiryPaymentRequest{PaymentRequestID: "CLI-1"})
	if r.Outcome != alipay.OutcomeSuccess {
		t.Fatalf("second inquiry: %v", r.Outcome)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "fault=unknown") || !strings.Contains(logs, "api=pay") {
		t.Fatalf("request log lacks the fault or the api:\n%s", logs)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	// Restarted on the same state: same gateway key, same ledger.
	s2 := start(t, args...)
	if s2.pubkey != s.pubkey {
		t.Fatal("gateway key not kept in -state")
	}
	if s2.fingerprint != s.fingerprint {
		t.Fatalf("TLS certificate not kept in -state: %s, then %s", s.fingerprint, s2.fingerprint)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: pinned(s2.fingerprint)}}
	resp, err := hc.Get(s2.url + "/sim/ledger")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l amssim.Ledger
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	if len(l.Payments) != 1 || l.Payments[0].Status != amssim.StatusSuccess || l.Payments[0].Calls.InquiryPayment != 2 {
		t.Fatalf("ledger after restart: %+v", l.Payments)
	}
}

// gatewayKeyFile writes the test gateway key, so that a started amssim
// need not generate one (slow under -race).
func gatewayKeyFile(t *testing.T, dir string) string {
	t.Helper()
	_, gw := alipaytest.Keys(t)
	der, err := x509MarshalPKCS8(gw)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "gateway.key")
	if err := os.WriteFile(keyFile, der, 0o600); err != nil {
		t.Fatal(err)
	}
	return keyFile
}

func TestPlainHTTPAndGatewayKeyFile(t *testing.T) {
	dir, _ := writeKeys(t)
	_, gw := alipaytest.Keys(t)
	keyFile := gatewayKeyFile(t, dir)
	s := start(t, "-tls=false", "-client-id", "C1", "-merchant-pubkey", filepath.Join(dir, "merchant.pub"), "-gateway-key", keyFile)
	if !strings.HasPrefix(s.url, "http://") || s.fingerprint != "" {
		t.Fatalf("url %q fingerprint %q", s.url, s.fingerprint)
	}
	want, _ := alipay.PublicKeyBase64(&gw.PublicKey)
	if s.pubkey != want {
		t.Fatal("-gateway-key not used")
	}
	resp, err := http.Get(s.url + "/sim/gateway-pubkey")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.TrimSpace(string(body)) != want {
		t.Fatalf("/sim/gateway-pubkey: %q", body)
	}
}

func TestUsageErrors(t *testing.T) {
	dir, _ := writeKeys(t)
	pub := filepath.Join(dir, "merchant.pub")
	for name, args := range map[string][]string{
		"no client id":   {"-merchant-pubkey", pub},
		"no key":         {"-client-id", "C1"},
		"bad faults":     {"-client-id", "C1", "-merchant-pubkey", pub, "-faults", "pay:explode"},
		"missing key":    {"-client-id", "C1", "-merchant-pubkey", filepath.Join(dir, "nope")},
		"bad time scale": {"-client-id", "C1", "-merchant-pubkey", pub, "-time-scale", "-1"},
		"extra argument": {"-client-id", "C1", "-merchant-pubkey", pub, "now"},
		"zero window":    {"-client-id", "C1", "-merchant-pubkey", pub, "-cancel-window", "0"},
		"negative delay": {"-client-id", "C1", "-merchant-pubkey", pub, "-refund-delay", "-1s"},
		"cert alone":     {"-client-id", "C1", "-merchant-pubkey", pub, "-cert", pub},
		"bad cert":       {"-client-id", "C1", "-merchant-pubkey", pub, "-cert", pub, "-key", pub},
		"bad paths":      {"-client-id", "C1", "-merchant-pubkey", pub, "-paths", "both"},
	} {
		err := run(t.Context(), append([]string{"-listen", "127.0.0.1:0"}, args...), io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%s: started", name)
		}
	}
}

// pinnedClient is an alipay client for a started amssim.
func pinnedClient(t *testing.T, s started, clientID string, merchant *rsa.PrivateKey) *alipay.Client {
	t.Helper()
	gw, err := alipay.ParsePublicKey([]byte(s.pubkey))
	if err != nil {
		t.Fatal(err)
	}
	client, err := alipay.NewClient(alipay.Config{
		ClientID: clientID, PrivateKey: merchant, PlatformPublicKey: gw, BaseURL: s.url, PinSHA256: s.fingerprint,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return client
}

func paidRequest(id string) alipay.PayRequest {
	return alipay.PayRequest{
		PaymentRequestID: id,
		Order: alipay.Order{OrderDescription: "Tea", Merchant: alipay.Merchant{ReferenceMerchantID: "M1", MerchantName: "Cafe", MerchantMCC: "5814",
			Store: alipay.Store{ReferenceStoreID: "S1", StoreName: "Main", StoreMCC: "5814"}},
			Env: alipay.Env{StoreTerminalID: "T1", StoreTerminalRequestTime: alipay.NewTime(time.Now())}},
		PaymentAmount:    money.Amount{Currency: "JPY", Value: 450},
		PaymentMethod:    alipay.PaymentMethod{PaymentMethodID: amssim.CodePaid},
		PaymentFactor:    alipay.PaymentFactor{InStorePaymentScenario: alipay.ScenarioPaymentCode},
		PaymentNotifyURL: "https://127.0.0.1:1/notify",
	}
}

// -cancel-window with a short value, on the real clock: paid, cancelled
// too late, refunded instead; -refund-delay keeps that refund PROCESSING
// for a while.
func TestShortCancelWindowAndRefundDelay(t *testing.T) {
	dir, merchant := writeKeys(t)
	const window, delay = 100 * time.Millisecond, 300 * time.Millisecond
	s := start(t, "-client-id", "C1", "-merchant-pubkey", filepath.Join(dir, "merchant.pub"), "-gateway-key", gatewayKeyFile(t, dir),
		"-cancel-window", window.String(), "-refund-delay", delay.String())
	client := pinnedClient(t, s, "C1", merchant)
	ctx := t.Context()
	resp, r, _ := client.Pay(ctx, paidRequest("W1"))
	if r.Outcome != alipay.OutcomeSuccess {
		t.Fatalf("pay: %v %v", r.Outcome, r.Err)
	}
	paid := time.Now() // the payment was created before this
	time.Sleep(time.Until(paid.Add(window + 10*time.Millisecond)))
	_, r, _ = client.Cancel(ctx, alipay.CancelRequest{PaymentRequestID: "W1"})
	if r.Outcome != alipay.OutcomeFailure || r.Result.ResultCode != alipay.CodeCancelWindowExceed {
		t.Fatalf("late cancel: %v %+v", r.Outcome, r.Result)
	}
	refund := alipay.RefundRequest{RefundRequestID: "W1-R1", PaymentID: resp.PaymentID, RefundAmount: money.Amount{Currency: "JPY", Value: 450}}
	refunded := time.Now()
	_, r, _ = client.Refund(ctx, refund)
	if r.Outcome != alipay.OutcomeInProcess {
		t.Fatalf("delayed refund: %v %+v %v", r.Outcome, r.Result, r.Err)
	}
	accepted := time.Now() // the refund was accepted before this
	ir, _, _ := client.InquiryRefund(ctx, alipay.InquiryRefundRequest{RefundRequestID: "W1-R1"})
	if time.Since(refunded) < delay && (ir == nil || ir.RefundStatus != alipay.RefundStatusProcessing) {
		t.Fatalf("inquiry inside the delay: %+v", ir)
	}
	time.Sleep(time.Until(accepted.Add(delay + 10*time.Millisecond)))
	ir, r, _ = client.InquiryRefund(ctx, alipay.InquiryRefundRequest{RefundRequestID: "W1-R1"})
	if r.Outcome != alipay.OutcomeSuccess || ir.RefundStatus != alipay.RefundStatusSuccess {
		t.Fatalf("inquiry after the delay: %v %+v", r.Outcome, ir)
	}
}

func TestCertAndKeyFlags(t *testing.T) {
	dir, merchant := writeKeys(t)
	cert, fingerprint, err := amssim.SelfSignedCertificate([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, "-client-id", "C1", "-merchant-pubkey", filepath.Join(dir, "merchant.pub"), "-gateway-key", gatewayKeyFile(t, dir),
		"-cert", certFile, "-key", keyFile)
	if s.fingerprint != fingerprint {
		t.Fatalf("fingerprint %s, want the given certificate's %s", s.fingerprint, fingerprint)
	}
	client := pinnedClient(t, s, "C1", merchant)
	if _, r, _ := client.Pay(t.Context(), paidRequest("CERT-1")); r.Outcome != alipay.OutcomeSuccess {
		t.Fatalf("pay over the given certificate: %v %v", r.Outcome, r.Err)
	}
}

// An idle keep-alive connection is closed by the server after -idle-timeout.
func TestIdleConnectionsTimeOut(t *testing.T) {
	dir, _ := writeKeys(t)
	s := start(t, "-tls=false", "-client-id", "C1", "-merchant-pubkey", filepath.Join(dir, "merchant.pub"),
		"-gateway-key", gatewayKeyFile(t, dir), "-idle-timeout", "200ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /sim/gateway-pubkey HTTP/1.1\r\nHost: amssim\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("the server did not keep the connection alive")
	}
	// The server closes the idle connection on its own; without
	// -idle-timeout it would wait 30 s (ReadTimeout) and the read below
	// would hit its deadline instead.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: %v, want the server to close it", err)
	}
}

// -version prints the stamped version and serves nothing, so it needs no other flag.
func TestVersion(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-version"}, &out, io.Discard)
	if !errors.Is(err, errVersion) {
		t.Fatalf("run -version = %v, want errVersion", err)
	}
	if got := out.String(); got != "amssim "+version+"\n" {
		t.Fatalf("amssim -version printed %q", got)
	}
}
