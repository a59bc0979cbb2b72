package daemon

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/net/netutil"

	"github.com/posd/posd/internal/posapi"
)

// backend is what the local API needs from the running daemon.
type backend interface {
	Status(ctx context.Context) posapi.Status
	List(ctx context.Context, since time.Time) ([]posapi.Payment, error)
	Show(ctx context.Context, id string) (posapi.Payment, error)
	Keys(ctx context.Context, script string) error
	// KeysStart types like Keys and returns the paymentRequestId of the
	// payment the keys started, "" if none.
	KeysStart(ctx context.Context, script string) (string, error)
	Cancel(ctx context.Context, id string) (posapi.Payment, error)
	Refund(ctx context.Context, id, amount string) (posapi.Payment, error)
	Reprint(ctx context.Context, id string) (posapi.Reprint, error)
	// Export writes the reconciliation rows of [from, to) as CSV, or as
	// a JSON array when format is "json".
	Export(ctx context.Context, w io.Writer, from, to time.Time, format string) error
	Receipt(ctx context.Context, id string) (json.RawMessage, error)
	// EntryCode is the Entry Code sticker's content; ErrNotFound when off.
	EntryCode(ctx context.Context) (posapi.EntryCode, error)
	// PrintEntryCode prints the Entry Code sticker on the receipt printer.
	PrintEntryCode(ctx context.Context) error
	// Report sums a day or window (and prints it when asked).
	Report(ctx context.Context, req posapi.ReportRequest) (posapi.Report, error)
	// TestPrint prints a test slip.
	TestPrint(ctx context.Context) error
}

// maxAPIBody bounds request bodies: the largest is a key script.
const maxAPIBody = 64 << 10

// apiHandler routes the posapi contract to b.
func apiHandler(b backend, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			apiError(w, log, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /v1/entry-code", func(w http.ResponseWriter, r *http.Request) {
		e, err := b.EntryCode(r.Context())
		reply(w, e, err)
	})
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		reply(w, b.Status(r.Context()), nil)
	})
	mux.HandleFunc("GET /v1/payments", func(w http.ResponseWriter, r *http.Request) {
		var since time.Time
		if s := r.URL.Query().Get("since"); s != "" {
			var err error
			if since, err = parseWhen(s, false); err != nil {
				apiError(w, log, err)
				return
			}
		}
		ps, err := b.List(r.Context(), since)
		if ps == nil {
			ps = []posapi.Payment{}
		}
		reply(w, ps, err)
	})
	mux.HandleFunc("GET /v1/payments/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, err := b.Show(r.Context(), r.PathValue("id"))
		reply(w, p, err)
	})
	mux.HandleFunc("POST /v1/keys", func(w http.ResponseWriter, r *http.Request) {
		var req posapi.KeysRequest
		if err := decodeBody(r, &req); err != nil {
			apiError(w, log, err)
			return
		}
		if req.Wait {
			id, err := b.KeysStart(r.Context(), req.Keys)
			reply(w, posapi.KeysReply{PaymentRequestID: id}, err)
			return
		}
		if err := b.Keys(r.Context(), req.Keys); err != nil {
			apiError(w, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /v1/payments/{id}/cancel", func(w http.ResponseWriter, r *http.Request) {
		p, err := b.Cancel(r.Context(), r.PathValue("id"))
		reply(w, p, err)
	})
	mux.HandleFunc("POST /v1/payments/{id}/refund", func(w http.ResponseWriter, r *http.Request) {
		var req posapi.RefundRequest
		if err := decodeBody(r, &req); err != nil {
			apiError(w, log, err)
			return
		}
		p, err := b.Refund(r.Context(), r.PathValue("id"), req.Amount)
		reply(w, p, err)
	})
	mux.HandleFunc("POST /v1/payments/{id}/reprint", func(w http.ResponseWriter, r *http.Request) {
		rp, err := b.Reprint(r.Context(), r.PathValue("id"))
		reply(w, rp, err)
	})
	mux.HandleFunc("GET /v1/export", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		format := cmp.Or(q.Get("format"), "csv")
		if format != "csv" && format != "json" {
			apiError(w, log, fmt.Errorf("%w: format %q: csv or json", ErrBadRequest, format))
			return
		}
		// all=1: every record the outbox holds, whatever its date.
		from, to := time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		if q.Get("all") != "1" {
			var err error
			if from, err = parseWhen(q.Get("from"), false); err != nil {
				apiError(w, log, err)
				return
			}
			if to, err = parseWhen(q.Get("to"), true); err != nil {
				apiError(w, log, err)
				return
			}
			if !to.After(from) {
				apiError(w, log, fmt.Errorf("%w: --to %s is not after --from %s", ErrBadRequest, q.Get("to"), q.Get("from")))
				return
			}
		}
		w.Header().Set("Content-Type", map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json"}[format])
		if err := b.Export(r.Context(), w, from, to, format); err != nil {
			// Rows may be out already: the status cannot change any more.
			log.Error("export", "err", err)
		}
	})
	mux.HandleFunc("GET /v1/payments/{id}/receipt", func(w http.ResponseWriter, r *http.Request) {
		rc, err := b.Receipt(r.Context(), r.PathValue("id"))
		reply(w, rc, err)
	})
	mux.HandleFunc("POST /v1/report", func(w http.ResponseWriter, r *http.Request) {
		var req posapi.ReportRequest
		if err := decodeBody(r, &req); err != nil {
			apiError(w, log, err)
			return
		}
		rep, err := b.Report(r.Context(), req)
		reply(w, rep, err)
	})
	printed := func(print func(context.Context) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := print(r.Context()); err != nil {
				apiError(w, log, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}
	mux.HandleFunc("POST /v1/test-print", printed(b.TestPrint))
	mux.HandleFunc("POST /v1/entry-code/print", printed(b.PrintEntryCode))
	return mux
}

// parseWhen reads a query's date, as posapi.ParseDate does.
func parseWhen(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: a date is required (2026-11-23 or RFC 3339)", ErrBadRequest)
	}
	t, err := posapi.ParseDate(s, end)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	return t, nil
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: body: %w", ErrBadRequest, err)
	}
	return nil
}

// apiError maps an error to its status by sentinel.
func apiError(w http.ResponseWriter, log *slog.Logger, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrBadRequest):
		code = http.StatusBadRequest
	case errors.Is(err, ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, ErrConflict):
		code = http.StatusConflict
	case errors.Is(err, ErrClosing):
		code = http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		code = http.StatusGatewayTimeout
	}
	if code == http.StatusInternalServerError {
		log.Error("api", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(posapi.Error{Error: err.Error()})
}

// listenSocket listens on a unix socket at path with the given mode. A
// socket file left by a crashed posd is replaced; one a live posd still
// serves is an error, as is any other file at path.
func listenSocket(path string, mode os.FileMode) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != os.ModeSocket {
			return nil, fmt.Errorf("api socket %s: a file that is not a socket is in the way", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("api socket %s: another posd is serving it", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("api socket %s: removing the stale socket: %w", path, err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("api socket: %w", err)
	}
	if err := os.Chmod(path, mode); err != nil {
		l.Close()
		return nil, fmt.Errorf("api socket %s: %w", path, err)
	}
	return l, nil
}

// serveAPI serves h on l until ctx is done, then waits briefly for
// requests in flight.
func serveAPI(ctx context.Context, l net.Listener, lim Limits, h http.Handler, log *slog.Logger) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: min(5*time.Second, lim.ReadTimeout), ReadTimeout: lim.ReadTimeout,
		WriteTimeout: lim.WriteTimeout, IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	l = netutil.LimitListener(l, lim.MaxConns)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("api", "err", err)
	}
}
