package amssim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// The /sim/ control paths: ground truth, the customer's side for tests,
// fault injection. They are plain JSON, unsigned: they are not AMS.

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(v)
}

type errorBody struct {
	Error string `json:"error"`
}

func (sim *Simulator) serveLedger(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, sim.Ledger())
}

func (sim *Simulator) servePublicKey(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	_, _ = io.WriteString(w, sim.publicKey+"\n")
}

// customerRequest is the body of POST /sim/customer.
type customerRequest struct {
	CodeValue string `json:"codeValue"`
	Action    string `json:"action"`
}

// maxControlBody bounds the /sim/ JSON bodies.
const maxControlBody = 64 << 10

func (sim *Simulator) serveCustomer(w http.ResponseWriter, r *http.Request) {
	var req customerRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{"body must be {\"codeValue\": \"...\", \"action\": \"pay|decline|insufficient|scan\"}"})
		return
	}
	p, err := sim.Customer(req.CodeValue, req.Action)
	switch {
	case errors.Is(err, ErrNoSuchCode):
		writeJSON(w, http.StatusNotFound, errorBody{err.Error()})
	case errors.Is(err, ErrBadAction):
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
	case errors.Is(err, ErrNotPayable):
		writeJSON(w, http.StatusConflict, struct {
			Error   string  `json:"error"`
			Payment Payment `json:"payment"`
		}{err.Error(), p})
	default:
		writeJSON(w, http.StatusOK, p)
	}
}

func (sim *Simulator) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		var f Fault
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody)).Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
			return
		}
		if err := sim.AddFault(f); err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
			return
		}
		sim.s.Logger.Info("fault added", "endpoint", f.Endpoint, "kind", string(f.Kind), "probability", f.Probability, "count", f.Count)
	case http.MethodDelete:
		sim.ClearFaults()
		sim.s.Logger.Info("faults cleared")
	}
	writeJSON(w, http.StatusOK, struct {
		Faults []Fault `json:"faults"`
	}{sim.Faults()})
}

// walletPath is where every codeValue and redirectUrl points.
const walletPath = "/sim/wallet/"

// tokenOf takes the token out of a codeValue URL (or accepts a bare token).
func tokenOf(codeValue string) string {
	if i := strings.LastIndex(codeValue, walletPath); i >= 0 {
		codeValue = codeValue[i+len(walletPath):]
	}
	return strings.TrimRight(codeValue, "/")
}
