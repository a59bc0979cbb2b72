package demo

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/posd/posd/internal/lang"

	"github.com/posd/posd/internal/daemon"
	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/terminal"
)

// cashierPage is the demo's on-screen keypad and cashier screen.
//
//go:embed cashier.html
var cashierPage []byte

// CashierScreen is what the cashier page draws: GET /cashier/state.
type CashierScreen struct {
	Phase    string   `json:"phase"`
	Title    string   `json:"title"`
	Amount   string   `json:"amount,omitempty"`
	Lines    []string `json:"lines,omitempty"`
	Hint     string   `json:"hint,omitempty"`
	Notice   string   `json:"notice,omitempty"`
	Alerts   []string `json:"alerts,omitempty"`
	QR       string   `json:"qr,omitempty"`
	Wallet   string   `json:"wallet,omitempty"` // the QR's wallet page, when it is a web link
	Receipts []string `json:"receipts,omitempty"`
	// Lang and Labels put the page's own words in the till's language
	// (the elements marked data-t); absent in English.
	Lang   string            `json:"lang,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// walletLink returns codeValue when a browser can open it: the simulator's
// wallet page. A real Alipay code is not a page to open, so no link.
func walletLink(codeValue string) string {
	u, err := url.Parse(codeValue)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return codeValue
}

// receiptNames lists the receipt PNGs in dir, newest first.
func receiptNames(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	type named struct {
		name string
		mod  int64
	}
	var files []named
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".png") {
			continue
		}
		if fi, err := e.Info(); err == nil {
			files = append(files, named{e.Name(), fi.ModTime().UnixNano()})
		}
	}
	slices.SortFunc(files, func(a, b named) int { return cmp.Compare(b.mod, a.mod) })
	out := make([]string, 0, min(len(files), 10))
	for i := 0; i < len(files) && i < 10; i++ {
		out = append(out, files[i].name)
	}
	return out
}

// pageLabels are the cashier page's own words (data-t in cashier.html).
var pageLabels = []string{"a payment terminal against a simulated Alipay gateway. Nothing here moves real money.",
	"Cancel", "⌫ Back", "Enter", "Clear", "F1 · Manager menu", "Scan", "Customer display", "open alone", "Open wallet to pay", "Receipt ",
	"Type an amount and press Enter: the customer display shows the QR code.",
	"Click Open wallet to pay (or scan the QR code with a phone on this network) and pay. The receipt appears below and in receipts/.",
	"The keyboard works too: digits, ., Enter, Backspace, Esc = Cancel.",
	"F1 opens the manager menu (refund, reprint, last payments); the demo's PIN is 1234.",
	"Try the customer code 280000000000000001 (pays at once) or …0002 (insufficient balance).",
	"Customer payment code (18 digits)", // data-tp: the code field's placeholder
	"posd is not answering"}             // the script's title when the state cannot be read

// cashierHandler serves the cashier page at /, its state and keys under
// /cashier/, and the receipt PNGs of receiptsDir under /receipts/.
func cashierHandler(d daemon.Desk, receiptsDir string, l lang.Lang, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	var labels map[string]string
	if l.Chinese() {
		labels = make(map[string]string, len(pageLabels))
		for _, k := range pageLabels {
			labels[k] = l.T(k)
		}
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(cashierPage)
	})
	mux.HandleFunc("GET /cashier/state", func(w http.ResponseWriter, r *http.Request) {
		s := screenOf(d.Screen())
		s.Wallet = walletLink(s.QR)
		s.Receipts = receiptNames(receiptsDir)
		if labels != nil {
			s.Lang, s.Labels = l.String(), labels
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(s)
	})
	// The keys endpoint types on the till, manager PIN included: a page on
	// another site must not reach it through the cashier's browser. JSON
	// only (a cross-site form cannot send it without a CORS preflight,
	// which is never granted), and cross-origin browser requests are
	// refused by Origin and Sec-Fetch-Site (the listener checks Host).
	keys := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			writeError(w, log, fmt.Errorf("%w: Content-Type must be application/json", errUnsupportedMedia))
			return
		}
		var req struct {
			Keys string `json:"keys"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxKeysBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeError(w, log, fmt.Errorf("%w: body: %w", daemon.ErrBadRequest, err))
			return
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			writeError(w, log, fmt.Errorf("%w: body: data after the JSON object", daemon.ErrBadRequest))
			return
		}
		if err := d.Keys(r.Context(), req.Keys); err != nil {
			writeError(w, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("POST /cashier/keys", http.NewCrossOriginProtection().Handler(keys))
	// The receipts the virtual printer wrote, by name only, served whole:
	// small PNGs, so no ranges, no directory listings and no
	// http.FileServer (whose range and type machinery posd would carry).
	mux.HandleFunc("GET /receipts/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if filepath.Base(name) != name || !strings.HasSuffix(name, ".png") {
			http.NotFound(w, r)
			return
		}
		b, err := readReceipt(filepath.Join(receiptsDir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(b)
	})
	return mux
}

// screenOf is the cashier page's view of the flow's screen.
func screenOf(v terminal.Screen) CashierScreen {
	s := CashierScreen{Phase: v.Phase.String(), Title: v.Title, Amount: v.Amount, Lines: v.Lines, Hint: v.Hint, Notice: v.Notice, Alerts: v.Alerts}
	if v.Customer.Kind == terminal.CustomerQR {
		s.QR = v.Customer.CodeValue
	}
	return s
}

// maxReceiptPNG bounds a receipt image the page serves.
const maxReceiptPNG = 4 << 20

// readReceipt reads a receipt image: a regular file (not a link), at most
// maxReceiptPNG bytes, that starts as a PNG does (not trusted for its name).
func readReceipt(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("demo: %s is not a receipt file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxReceiptPNG+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxReceiptPNG || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		return nil, fmt.Errorf("demo: %s is not a PNG of a receipt", path)
	}
	return b, nil
}

// errUnsupportedMedia is a keys request that is not JSON.
var errUnsupportedMedia = errors.New("demo: unsupported media type")

// maxKeysBody bounds a key script's request, as the API does.
const maxKeysBody = 64 << 10

// writeError answers as the API does: a posapi.Error with the status the
// error's kind calls for.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, errUnsupportedMedia):
		code = http.StatusUnsupportedMediaType
	case errors.Is(err, daemon.ErrBadRequest):
		code = http.StatusBadRequest
	case errors.Is(err, daemon.ErrClosing):
		code = http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		code = http.StatusGatewayTimeout
	default:
		log.Error("cashier page", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(posapi.Error{Error: err.Error()})
}
