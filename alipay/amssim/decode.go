package amssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/posd/posd/alipay"
)

// errParam is a request the gateway answers with PARAM_ILLEGAL; its text
// becomes the resultMessage.
type errParam struct{ msg string }

func (e *errParam) Error() string { return e.msg }

func paramf(format string, args ...any) error { return &errParam{msg: fmt.Sprintf(format, args...)} }

// stringsOnly checks the body is one UTF-8 JSON object whose scalars are
// all strings: AMS sends integers and booleans quoted
// (https://docs.antom.com/ac/ams/me.md). null counts as absent.
func stringsOnly(body []byte) error {
	if !utf8.Valid(body) {
		return paramf("body is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return paramf("body is not valid JSON")
	}
	if dec.More() {
		return paramf("data after the JSON object")
	}
	if _, ok := v.(map[string]any); !ok {
		return paramf("body is not a JSON object")
	}
	return scalarsAreStrings("", v, 0)
}

// maxDepth bounds nesting; AMS bodies are a few levels deep.
const maxDepth = 16

func scalarsAreStrings(path string, v any, depth int) error {
	if depth > maxDepth {
		return paramf("%s: nested too deeply", path)
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys) // report the same field for the same body every time
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if err := scalarsAreStrings(p, t[k], depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range t {
			if err := scalarsAreStrings(path+"[]", e, depth+1); err != nil {
				return err
			}
		}
	case string, nil:
	default:
		return paramf("%s must be a string", truncate(path, 80))
	}
	return nil
}

// decodeInto checks the body's shape and decodes it into v.
func decodeInto(body []byte, v any) error {
	if err := stringsOnly(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return paramf("%s has the wrong type", truncate(typeErr.Field, 80))
		}
		return paramf("%s", truncate(strings.TrimPrefix(err.Error(), "alipay: "), 120))
	}
	return nil
}

// validated turns an alipay Encode error (the client's own field rules,
// shared so both ends agree) into PARAM_ILLEGAL.
func validated(_ []byte, err error) error {
	if err == nil {
		return nil
	}
	return paramf("%s", strings.TrimPrefix(err.Error(), alipay.ErrInvalidRequest.Error()+": "))
}

// decodePay reads a pay request. productCode, paymentMethodType and
// order.orderAmount must be present: the client fills them in, the
// gateway does not.
func decodePay(body []byte) (alipay.PayRequest, error) {
	var req alipay.PayRequest
	if err := decodeInto(body, &req); err != nil {
		return req, err
	}
	switch {
	case req.ProductCode == "":
		return req, paramf("productCode: required")
	case req.PaymentMethod.PaymentMethodType == "":
		return req, paramf("paymentMethod.paymentMethodType: required")
	case req.Order.OrderAmount == (alipay.Amount{}):
		return req, paramf("order.orderAmount: required")
	}
	return req, validated(alipay.EncodePay(req))
}

// decodeAs decodes a request and checks it with the client's encoder.
func decodeAs[T any](body []byte, encode func(T) ([]byte, error)) (T, error) {
	var req T
	if err := decodeInto(body, &req); err != nil {
		return req, err
	}
	return req, validated(encode(req))
}
