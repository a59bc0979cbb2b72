package alipay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"
)

// Client sends signed AMS calls to one gateway over one long-lived
// http.Client (keep-alive, TLS session resumption), verifies every reply
// and reports an Outcome. It is safe for concurrent use; create one per
// gateway and keep it.
type Client struct {
	s      settings
	signer *Signer
	http   *http.Client
	tr     *http.Transport
}

// NewClient checks cfg (keys, mix-up, URL, prefix, pin) and builds the client.
func NewClient(cfg Config) (*Client, error) {
	s, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	signer, err := NewSigner(s.PrivateKey, s.KeyVersion)
	if err != nil {
		return nil, err
	}
	tr := s.Transport
	if tr == nil {
		tr = newTransport(s)
	}
	return &Client{
		s:      s,
		signer: signer,
		tr:     tr,
		// No Client.Timeout: every call carries its own context deadline.
		// Redirects are refused: a signed reply is expected from the path we signed.
		http: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}, nil
}

func newTransport(s settings) *http.Transport {
	dialer := &net.Dialer{Timeout: s.ConnectTimeout, KeepAlive: 30 * time.Second}
	tlsConf := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
	}
	if s.pin != nil {
		pin := s.pin
		// With a pin the chain is not checked; the leaf must hash to the pin.
		// VerifyConnection runs on resumed sessions too.
		tlsConf.InsecureSkipVerify = true
		tlsConf.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("alipay: gateway sent no certificate")
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
				return fmt.Errorf("%w: the gateway presented %x", ErrPinMismatch, sum)
			}
			return nil
		}
	}
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsConf,
		TLSHandshakeTimeout: s.ConnectTimeout,
		MaxIdleConns:        4,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
}

// Close drops idle connections. Calls in flight finish.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// Path is the request path of api on this client: prefix + endpoint.
func (c *Client) Path(api API) string { return c.s.prefix + string(api) }

// Reply is everything a call established. Outcome is always set; the
// verified fields are filled only when the reply's signature checked out.
type Reply struct {
	API     API
	Outcome Outcome
	// Verified is true when the reply carried a valid platform signature.
	// Result, Status and Body are empty otherwise.
	Verified bool
	Result   Result // the reply's result object
	// Status is the inquired paymentStatus or refundStatus of a verified
	// inquiry reply.
	Status string
	Body   []byte // the verified reply body, byte for byte
	// Claim is the result object a reply claims when it cannot be trusted:
	// unsigned or badly signed (Err wraps ErrUnverified: an unsigned
	// SIGNATURE_INVALID is the classic sign of a wrong key), or signed but
	// about another request (ErrReplyMismatch: perhaps replayed). Nothing
	// about this request's money may be read from it; repeated, it may
	// raise an alert (a merchant or configuration code).
	Claim Result

	HTTPStatus   int    // 0 when no response arrived
	RequestTime  string // the Request-Time sent (and signed)
	ResponseTime string // the Response-Time received, verbatim
	TraceID      string // the gateway's tracerId header, for support tickets
	// Err explains an OutcomeUnknown or OutcomeNotSent; nil otherwise.
	Err error
}

// Action is what to do next: the result code's action for a verified
// reply; for a request never sent, repeat it (or alert, if it was refused
// as invalid); otherwise the action for an unknown status of this API
// (inquire after pay, repeat a cancel or refund with the same id).
func (r Reply) Action() Action {
	switch {
	case r.Verified:
		return LookupCode(r.API, r.Result.ResultCode, r.Result.ResultStatus).Action
	case r.Outcome == OutcomeNotSent && errors.Is(r.Err, ErrInvalidRequest):
		return ActionAlert
	case r.Outcome == OutcomeNotSent:
		return ActionRepeat
	}
	return statusAction(r.API, StatusUnknown)
}

// decoders check that a verified body has the full typed shape, so a reply
// the typed calls cannot read is unknown for Call as well.
var decoders = map[API]func([]byte) error{
	APIPay:                       func(b []byte) error { _, err := DecodePayResponse(b); return err },
	APIInquiryPayment:            func(b []byte) error { _, err := DecodeInquiryPaymentResponse(b); return err },
	APICancel:                    func(b []byte) error { _, err := DecodeCancelResponse(b); return err },
	APIRefund:                    func(b []byte) error { _, err := DecodeRefundResponse(b); return err },
	APIInquiryRefund:             func(b []byte) error { _, err := DecodeInquiryRefundResponse(b); return err },
	APIRegistration:              func(b []byte) error { _, err := DecodeRegistrationResponse(b); return err },
	APIInquiryRegistrationStatus: func(b []byte) error { _, err := DecodeInquiryRegistrationStatusResponse(b); return err },
	APIInquiryRegistrationInfo:   func(b []byte) error { _, err := DecodeInquiryRegistrationInfoResponse(b); return err },
}

// Call signs body with a fresh Request-Time, posts it to api, verifies the
// reply and judges the outcome. body is sent exactly as given, so an outbox
// can persist it before the first attempt and resend the same bytes. The
// error is non-nil exactly when the outcome is unknown or not sent, and
// says why; switch on reply.Outcome, never on err alone.
func (c *Client) Call(ctx context.Context, api API, body []byte) (Reply, error) {
	r := Reply{API: api}
	if !api.Known() {
		r.Outcome, r.Err = OutcomeNotSent, fmt.Errorf("%w: unknown API %q", ErrInvalidRequest, truncate(string(api), 64))
		return r, r.Err
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		r.Outcome, r.Err = OutcomeNotSent, fmt.Errorf("%w: body is not a JSON object", ErrInvalidRequest)
		return r, r.Err
	}
	timeout := c.s.CallTimeout
	if api == APIPay {
		timeout = c.s.PayTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	var reused atomic.Bool
	c.exchange(ctx, &r, body, &reused)
	if r.Err != nil && r.Outcome.Final() {
		r.Outcome = OutcomeUnknown // defensive: an error never leaves a final outcome
	}
	c.log(ctx, &r, time.Since(start), reused.Load())
	if c.s.OnReply != nil {
		c.s.OnReply(r)
	}
	return r, r.Err
}

// exchange does the I/O of one call and fills r.
func (c *Client) exchange(ctx context.Context, r *Reply, body []byte, reused *atomic.Bool) {
	path := c.Path(r.API)
	r.RequestTime = strconv.FormatInt(c.s.Now().UnixMilli(), 10)
	signature, err := c.signer.Sign(http.MethodPost, path, c.s.ClientID, r.RequestTime, body)
	if err != nil {
		r.Outcome, r.Err = OutcomeNotSent, err
		return
	}
	// wrote flips when the request headers were handed to the connection:
	// from then on the gateway may have received (and acted on) the request.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		GotConn:      func(info httptrace.GotConnInfo) { reused.Store(info.Reused) },
		WroteHeaders: func() { wrote.Store(true) },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, c.s.base+path, bytes.NewReader(body))
	if err != nil {
		r.Outcome, r.Err = OutcomeNotSent, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
		return
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", c.s.ClientID)
	req.Header.Set("Request-Time", r.RequestTime)
	req.Header.Set("Signature", signature)
	if c.s.AgentToken != "" {
		req.Header.Set("Agent-Token", c.s.AgentToken)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if wrote.Load() {
			r.Outcome, r.Err = OutcomeUnknown, fmt.Errorf("%w: %w", ErrTransport, err)
		} else {
			r.Outcome, r.Err = OutcomeNotSent, fmt.Errorf("%w: %w", ErrNotSent, err)
		}
		return
	}
	defer resp.Body.Close()
	r.Outcome = OutcomeUnknown
	r.HTTPStatus = resp.StatusCode
	r.ResponseTime = resp.Header.Get("Response-Time")
	r.TraceID = resp.Header.Get("tracerId")
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	switch {
	case err != nil:
		r.Err = fmt.Errorf("%w: reading reply: %w", ErrTransport, err)
		return
	case len(data) > MaxBodyBytes:
		r.Err = fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, MaxBodyBytes)
		return
	case resp.StatusCode != http.StatusOK:
		r.Err = fmt.Errorf("%w: %s%s", ErrHTTPStatus, resp.Status, claimed(data))
		return
	}
	clientID := resp.Header.Get("Client-Id")
	if clientID == "" {
		clientID = c.s.ClientID // not echoed: verify against the id we sent
	}
	if clientID != c.s.ClientID {
		r.Err = fmt.Errorf("%w: reply for client id %q", ErrUnverified, truncate(clientID, 64))
		return
	}
	if err := Verify(c.s.PlatformPublicKey, http.MethodPost, path, clientID, r.ResponseTime, data, resp.Header.Get("Signature")); err != nil {
		r.Err = fmt.Errorf("%w: %w%s", ErrUnverified, err, claimed(data))
		r.Claim = claimedResult(data)
		return
	}
	// Verified: from here on the body may be read.
	if err := decoders[r.API](data); err != nil {
		r.Err = err
		return
	}
	outcome, got, err := judge(r.API, body, data)
	if err != nil { // e.g. a genuine reply replayed for another request: not ours to act on
		r.Err = err
		if errors.Is(err, ErrReplyMismatch) && got.Result != nil {
			r.Claim = *got.Result
		}
		return
	}
	r.Verified, r.Body, r.Result = true, data, *got.Result
	if r.API == APIInquiryRefund {
		r.Status = got.RefundStatus
	} else if r.API == APIInquiryPayment {
		r.Status = got.PaymentStatus
	}
	r.Outcome = outcome
}

// claimed quotes the result an unverified or non-200 body claims, for
// people reading the error: an unsigned SIGNATURE_INVALID is the classic
// sign of a wrong key. Nothing acts on it.
func claimedResult(body []byte) Result {
	var probe struct {
		Result Result `json:"result"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return Result{}
	}
	r := probe.Result
	r.ResultCode, r.ResultStatus, r.ResultMessage = truncate(r.ResultCode, 64), ResultStatus(truncate(string(r.ResultStatus), 4)), ""
	return r
}

func claimed(body []byte) string {
	var probe struct {
		Result struct {
			ResultCode   string `json:"resultCode"`
			ResultStatus string `json:"resultStatus"`
		} `json:"result"`
	}
	if json.Unmarshal(body, &probe) != nil || probe.Result.ResultCode == "" {
		return ""
	}
	return fmt.Sprintf(" (unverified body claims %s/%s)", truncate(probe.Result.ResultCode, 64), truncate(probe.Result.ResultStatus, 4))
}

func (c *Client) log(ctx context.Context, r *Reply, took time.Duration, reused bool) {
	level := slog.LevelInfo
	if r.Err != nil {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("api", r.API.Name()),
		slog.String("outcome", r.Outcome.String()),
		slog.Int("http_status", r.HTTPStatus),
		slog.Duration("took", took),
		slog.Bool("conn_reused", reused),
		slog.String("request_time", r.RequestTime),
	}
	if r.Verified {
		attrs = append(attrs, slog.String("result_code", r.Result.ResultCode), slog.String("result_status", string(r.Result.ResultStatus)))
	}
	if r.Status != "" {
		attrs = append(attrs, slog.String("status", r.Status))
	}
	if r.TraceID != "" {
		attrs = append(attrs, slog.String("tracer_id", r.TraceID))
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("error", r.Err.Error()))
	}
	c.s.Logger.LogAttrs(ctx, level, "ams call", attrs...)
}

// callTyped is a typed call: send the encoded body, then decode a verified reply.
func callTyped[T any](ctx context.Context, c *Client, api API, body []byte, encErr error, decode func([]byte) (*T, error)) (*T, Reply, error) {
	if encErr != nil {
		r := Reply{API: api, Outcome: OutcomeNotSent, Err: encErr}
		return nil, r, encErr
	}
	r, err := c.Call(ctx, api, body)
	if !r.Verified {
		return nil, r, err
	}
	resp, derr := decode(r.Body)
	if derr != nil { // Call already decoded it once; kept so a change there cannot pass garbage on
		r.Outcome, r.Err = OutcomeUnknown, derr
		return nil, r, derr
	}
	return resp, r, err
}

// Pay validates, encodes and sends a pay. For an outbox, use EncodePay,
// persist the bytes, then PayBody.
func (c *Client) Pay(ctx context.Context, req PayRequest) (*PayResponse, Reply, error) {
	body, err := EncodePay(req)
	return callTyped(ctx, c, APIPay, body, err, DecodePayResponse)
}

// PayBody sends an already encoded pay body (from EncodePay) unchanged.
func (c *Client) PayBody(ctx context.Context, body []byte) (Reply, error) {
	return c.Call(ctx, APIPay, body)
}

// InquiryPayment asks how a payment stands.
func (c *Client) InquiryPayment(ctx context.Context, req InquiryPaymentRequest) (*InquiryPaymentResponse, Reply, error) {
	body, err := EncodeInquiryPayment(req)
	return callTyped(ctx, c, APIInquiryPayment, body, err, DecodeInquiryPaymentResponse)
}

// Cancel closes or reverses a payment.
func (c *Client) Cancel(ctx context.Context, req CancelRequest) (*CancelResponse, Reply, error) {
	body, err := EncodeCancel(req)
	return callTyped(ctx, c, APICancel, body, err, DecodeCancelResponse)
}

// Refund refunds all or part of a successful payment.
func (c *Client) Refund(ctx context.Context, req RefundRequest) (*RefundResponse, Reply, error) {
	body, err := EncodeRefund(req)
	return callTyped(ctx, c, APIRefund, body, err, DecodeRefundResponse)
}

// InquiryRefund asks how a refund stands.
func (c *Client) InquiryRefund(ctx context.Context, req InquiryRefundRequest) (*InquiryRefundResponse, Reply, error) {
	body, err := EncodeInquiryRefund(req)
	return callTyped(ctx, c, APIInquiryRefund, body, err, DecodeInquiryRefundResponse)
}

// Registration registers a secondary merchant and store.
func (c *Client) Registration(ctx context.Context, req RegistrationRequest) (*RegistrationResponse, Reply, error) {
	body, err := EncodeRegistration(req)
	return callTyped(ctx, c, APIRegistration, body, err, DecodeRegistrationResponse)
}

// InquiryRegistrationStatus asks how a registration stands.
func (c *Client) InquiryRegistrationStatus(ctx context.Context, req InquiryRegistrationStatusRequest) (*InquiryRegistrationStatusResponse, Reply, error) {
	body, err := EncodeInquiryRegistrationStatus(req)
	return callTyped(ctx, c, APIInquiryRegistrationStatus, body, err, DecodeInquiryRegistrationStatusResponse)
}

// InquiryRegistrationInfo fetches a registered merchant's data.
func (c *Client) InquiryRegistrationInfo(ctx context.Context, req InquiryRegistrationInfoRequest) (*InquiryRegistrationInfoResponse, Reply, error) {
	body, err := EncodeInquiryRegistrationInfo(req)
	return callTyped(ctx, c, APIInquiryRegistrationInfo, body, err, DecodeInquiryRegistrationInfoResponse)
}
