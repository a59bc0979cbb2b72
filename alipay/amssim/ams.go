package amssim

import (
	"bufio"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// responseTimeLayout is ISO 8601 with offset, as in every Response-Time sample.
const responseTimeLayout = "2006-01-02T15:04:05-07:00"

// exchange is one AMS request on its way through the simulator.
type exchange struct {
	api      alipay.API
	path     string // the path requested (and signed): either prefix
	clientID string
	body     []byte
	fault    *Fault
	unsigned bool // answer without a signature (SIGNATURE_INVALID)
	res      alipay.Result
	ids      string // for the log line
}

// splitAMSPath accepts /ams/api/v1/... and /ams/sandbox/api/v1/...: the
// SDKs send sandbox client ids to the latter, the in-store docs show the
// former (https://docs.antom.com/ac/ams/api_fund).
func splitAMSPath(path string) (api alipay.API, prefix string, ok bool) {
	for _, prefix := range []string{alipay.PrefixProduction, alipay.PrefixSandbox} {
		if rest, ok := strings.CutPrefix(path, prefix); ok && alipay.API(rest).Known() {
			return alipay.API(rest), prefix, true
		}
	}
	return "", "", false
}

// prefixAllowed applies Config.Paths: which prefix a client id may use.
func prefixAllowed(rule PathRule, clientID, prefix string) bool {
	sandboxID := strings.HasPrefix(clientID, alipay.SandboxClientPrefix)
	switch rule {
	case PathsSDK:
		return sandboxID == (prefix == alipay.PrefixSandbox)
	case PathsAny:
		return true
	}
	// PathsDocs: the in-store sandbox shares /ams/api with production, the
	// online sandbox is /ams/sandbox/api; production ids exist only in
	// production, under /ams/api.
	return sandboxID || prefix == alipay.PrefixProduction
}

// registrationAPI reports the APIs whose pages spell the client error INVALID_CLIENT.
func registrationAPI(api alipay.API) bool {
	return api == alipay.APIRegistration || api == alipay.APIInquiryRegistrationStatus || api == alipay.APIInquiryRegistrationInfo
}

func (sim *Simulator) serveAMS(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ex := &exchange{path: r.URL.EscapedPath(), clientID: r.Header.Get("Client-Id")}
	status, reply := sim.handleAMS(w, r, ex)
	if reply != nil {
		sim.writeReply(w, r, ex, status, reply)
	}
	attrs := []slog.Attr{
		slog.String("api", ex.api.Name()), slog.String("path", ex.path), slog.String("client_id", ex.clientID),
		slog.String("result_status", string(ex.res.ResultStatus)), slog.String("result_code", ex.res.ResultCode),
		slog.Int("http_status", status), slog.Duration("took", time.Since(start)),
	}
	if ex.ids != "" {
		attrs = append(attrs, slog.String("ids", ex.ids))
	}
	if ex.fault != nil {
		attrs = append(attrs, slog.String("fault", string(ex.fault.Kind)))
	}
	sim.s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "ams request", attrs...)
}

// handleAMS authenticates, decodes, injects faults and processes one
// request. A nil reply means the connection was already dealt with.
func (sim *Simulator) handleAMS(w http.ResponseWriter, r *http.Request, ex *exchange) (int, any) {
	refuse := func(code, msg string) (int, any) {
		ex.res = fail(code, msg)
		return http.StatusOK, resultOnly{ex.res}
	}
	api, prefix, ok := splitAMSPath(ex.path)
	ex.api = api
	if !ok {
		ex.res = fail(alipay.CodeNoInterfaceDef, "no such API")
		return http.StatusNotFound, resultOnly{ex.res}
	}
	if r.Method != http.MethodPost {
		return refuse(alipay.CodeMethodNotSupported, "only POST is supported")
	}
	// With several Content-Type headers (the Go SDK sends two) the first
	// counts, as a servlet container reads it.
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" ||
		(params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return refuse(alipay.CodeMediaTypeNotAcceptable, "Content-Type must be application/json; charset=UTF-8")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, alipay.MaxBodyBytes))
	if err != nil {
		return refuse(alipay.CodeParamIllegal, "body unreadable or too large")
	}
	ex.body = body
	keys := sim.s.keys[ex.clientID]
	clientInvalid := func(msg string) (int, any) {
		if registrationAPI(api) {
			return refuse(alipay.CodeInvalidClient, msg)
		}
		return refuse(alipay.CodeClientInvalid, msg)
	}
	if keys == nil {
		return clientInvalid("unknown client id")
	}
	if !prefixAllowed(sim.s.Paths, ex.clientID, prefix) {
		return clientInvalid(fmt.Sprintf("client id not known under %s (-paths %s)", prefix, sim.s.Paths))
	}
	// The Go SDK sends an empty agent-token when none is set; a real one
	// names an ISV the simulator does not have (https://docs.antom.com/ac/ams/api_fund).
	if tok := r.Header.Get("Agent-Token"); tok != "" {
		return refuse(alipay.CodeAccessDenied, "amssim knows no Agent-Token")
	}
	// The gateway answers SIGNATURE_INVALID without signing (reference §3.6).
	unsigned := func(msg string) (int, any) {
		ex.res = fail(alipay.CodeSignatureInvalid, msg)
		ex.unsigned = true
		return http.StatusOK, resultOnly{ex.res}
	}
	sig, err := alipay.ParseSignatureHeader(r.Header.Get("Signature"))
	if err != nil {
		return unsigned("Signature header: " + strings.TrimPrefix(err.Error(), "alipay: "))
	}
	// keyVersion in Signature wins; the Go SDK also sends a Key-Version
	// header, used when Signature names none.
	version := sig.KeyVersion
	if version == "" {
		version = strings.TrimSpace(r.Header.Get("Key-Version"))
	}
	pub, err := pickKey(keys, version)
	if err != nil {
		return refuse(alipay.CodeKeyNotFound, err.Error())
	}
	requestTime := r.Header.Get("Request-Time")
	sent, err := alipay.ParseRequestTime(requestTime)
	if err != nil {
		return refuse(alipay.CodeParamIllegal, "Request-Time must be epoch milliseconds or ISO 8601")
	}
	if skew := sim.s.Now().Sub(sent).Abs(); sim.s.MaxSkew > 0 && skew > sim.s.MaxSkew {
		return refuse(alipay.CodeParamIllegal, fmt.Sprintf("Request-Time is %v off the gateway clock, more than %v", skew.Round(time.Millisecond), sim.s.MaxSkew))
	}
	if err := alipay.Verify(pub, r.Method, ex.path, ex.clientID, requestTime, body, r.Header.Get("Signature")); err != nil {
		return unsigned("signature does not verify")
	}
	op, err := sim.decode(api, ex.clientID, body, baseURL(r))
	if err != nil {
		var pe *errParam
		if errors.As(err, &pe) {
			return refuse(alipay.CodeParamIllegal, pe.msg)
		}
		return refuse(alipay.CodeParamIllegal, "invalid request")
	}
	ex.ids = op.ids

	sim.mu.Lock()
	op.count(sim.b)
	f, hit := sim.faults.pick(api.Name())
	if hit {
		ex.fault, op.fault = &f, &f
	}
	if !hit || f.Kind.processes() && f.Kind != FaultDelay {
		sim.processLocked(op, ex)
	}
	sim.persistLocked()
	sim.mu.Unlock()
	sim.wake()

	if hit {
		switch f.Kind {
		case FaultDropRequest:
			resetConnection(w)
			return 0, nil
		case FaultHTTP503:
			ex.res = result(alipay.StatusUnknown, "SERVICE_UNAVAILABLE", "injected 503")
			return http.StatusServiceUnavailable, resultOnly{ex.res}
		case FaultUnknown:
			ex.res = result(alipay.StatusUnknown, alipay.CodeUnknownException, "injected unknown exception")
			return http.StatusOK, resultOnly{ex.res}
		case FaultDelay:
			if !sleep(r.Context(), time.Duration(f.DelayMs)*time.Millisecond) {
				resetConnection(w)
				return 0, nil
			}
			sim.mu.Lock()
			sim.processLocked(op, ex)
			sim.persistLocked()
			sim.mu.Unlock()
			sim.wake()
		}
	}
	if op.hang {
		// The sandbox "timeout" amounts: hold the reply until the client gives up.
		sleep(r.Context(), sim.s.Hang)
		resetConnection(w)
		return 0, nil
	}
	if hit && f.Kind == FaultWrongAmount {
		return http.StatusOK, wrongAmount(op.reply)
	}
	return http.StatusOK, op.reply
}

// wrongAmount returns a copy of a reply whose amount is one minor unit off.
func wrongAmount(reply any) any {
	off := func(a *money.Amount) *money.Amount {
		if a == nil {
			return nil
		}
		w := *a
		if w.Value < money.MaxValue {
			w.Value++
		} else {
			w.Value--
		}
		return &w
	}
	switch r := reply.(type) {
	case payReply:
		r.PaymentAmount = off(r.PaymentAmount)
		return r
	case inquiryPaymentReply:
		r.PaymentAmount = off(r.PaymentAmount)
		return r
	case refundReply:
		r.RefundAmount = off(r.RefundAmount)
		return r
	case inquiryRefundReply:
		r.RefundAmount = off(r.RefundAmount)
		return r
	}
	return reply
}

// pickKey selects the merchant key for keyVersion, or the newest when absent.
func pickKey(keys map[int]*rsa.PublicKey, version string) (*rsa.PublicKey, error) {
	if version == "" {
		best := 0
		for v := range keys {
			best = max(best, v)
		}
		return keys[best], nil
	}
	v, err := strconv.Atoi(version)
	if err != nil || keys[v] == nil {
		return nil, fmt.Errorf("no public key with keyVersion %q", truncate(version, 16))
	}
	return keys[v], nil
}

// baseURL is where this request reached us, for wallet links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// processLocked runs the operation and records its result.
func (sim *Simulator) processLocked(op *operation, ex *exchange) {
	op.run(sim.s.Now())
	ex.res = op.res
}

// writeReply serialises the reply once, signs those bytes over the request
// path, and sends them, unless a fault says otherwise.
func (sim *Simulator) writeReply(w http.ResponseWriter, r *http.Request, ex *exchange, status int, reply any) {
	body := mustEncode(reply)
	now := sim.s.Now()
	responseTime := now.Format(responseTimeLayout)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	sim.mu.Lock()
	sim.traceID++
	h.Set("tracerId", fmt.Sprintf("amssim%012d", sim.traceID))
	sim.mu.Unlock()
	kind := FaultKind("")
	if ex.fault != nil {
		kind = ex.fault.Kind
	}
	if ex.clientID != "" && !ex.unsigned && kind != FaultUnsigned {
		sig, err := sim.signer.Sign(http.MethodPost, ex.path, ex.clientID, responseTime, body)
		if err != nil {
			sim.s.Logger.Error("sign reply", "error", err.Error())
			resetConnection(w)
			return
		}
		if kind == FaultBadSignature {
			sig = corrupt(sig)
		}
		if ro, ok := reply.(resultOnly); ok && kind == "" && status == http.StatusOK && ro.Result.ResultStatus == alipay.StatusFailure {
			sim.keepForReplay(ex, signedReply{body: body, responseTime: responseTime, signature: sig})
		}
		if kind == FaultReplayError {
			old, err := sim.replayFor(ex, now)
			if err != nil {
				sim.s.Logger.Error("sign replayed reply", "error", err.Error())
				resetConnection(w)
				return
			}
			body, responseTime, sig = old.body, old.responseTime, old.signature
			ex.res = old.res
		}
		h.Set("Client-Id", ex.clientID)
		h.Set("Response-Time", responseTime)
		h.Set("Signature", sig)
	}
	switch kind {
	case FaultDropResponse:
		resetConnection(w)
		return
	case FaultHTTP500:
		status = http.StatusInternalServerError
	case FaultTruncate:
		writeTruncated(w, status, body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// signedReply is a reply as it went out, kept for the replay-error fault.
type signedReply struct {
	body                    []byte
	responseTime, signature string
	res                     alipay.Result
}

// maxReplays bounds the replies kept for replay (one per client and path).
const maxReplays = 256

func (sim *Simulator) keepForReplay(ex *exchange, r signedReply) {
	r.res = ex.res
	sim.mu.Lock()
	defer sim.mu.Unlock()
	k := key(ex.clientID, ex.path)
	if _, ok := sim.replays[k]; ok || len(sim.replays) < maxReplays {
		sim.replays[k] = r
	}
}

// replayFor is the earlier F reply to replay on this path: the last one
// this client really received there or, when none was sent yet, the
// PARAM_ILLEGAL answer the gateway gives a malformed request, signed a
// minute ago as though it had been captured then.
func (sim *Simulator) replayFor(ex *exchange, now time.Time) (signedReply, error) {
	sim.mu.Lock()
	r, ok := sim.replays[key(ex.clientID, ex.path)]
	sim.mu.Unlock()
	if ok {
		return r, nil
	}
	res := fail(alipay.CodeParamIllegal, "illegal parameter")
	body := mustEncode(resultOnly{res})
	at := now.Add(-time.Minute).Format(responseTimeLayout)
	sig, err := sim.signer.Sign(http.MethodPost, ex.path, ex.clientID, at, body)
	if err != nil {
		return r, err
	}
	return signedReply{body: body, responseTime: at, signature: sig, res: res}, nil
}

// corrupt flips one bit of a signature so it no longer verifies.
func corrupt(header string) string {
	h, err := alipay.ParseSignatureHeader(header)
	if err != nil {
		return header + "x"
	}
	h.Signature[len(h.Signature)/2] ^= 0x01
	return h.String()
}

// resetConnection closes the client's connection without a response: a
// TCP reset (linger 0) when the connection can be taken over.
func resetConnection(w http.ResponseWriter) {
	conn, _, ok := hijack(w)
	if !ok {
		panic(http.ErrAbortHandler) // net/http's way to abort a reply it owns (HTTP/2)
	}
	closeHard(conn)
}

func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil, false
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, false
	}
	return conn, rw, true
}

// closeHard closes the TCP connection under conn (under TLS too) with a reset.
func closeHard(conn net.Conn) {
	raw := conn
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		raw = nc.NetConn()
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = raw.Close()
}

// writeTruncated announces the whole body but sends half of it, then closes.
func writeTruncated(w http.ResponseWriter, status int, body []byte) {
	conn, rw, ok := hijack(w)
	if !ok {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		panic(http.ErrAbortHandler)
	}
	fmt.Fprintf(rw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_ = w.Header().Write(rw)
	_, _ = rw.WriteString("\r\n")
	_, _ = rw.Write(body[:len(body)/2])
	_ = rw.Flush()
	closeHard(conn)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
