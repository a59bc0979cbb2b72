package alipay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/posd/posd/money"
)

// check collects the first problem found in a request, named by its JSON
// field path.
type check struct{ err error }

func (c *check) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: %s: %s", ErrInvalidRequest, field, fmt.Sprintf(format, args...))
	}
}

// text checks an optional string: valid UTF-8, no control characters other
// than tab and newline, at most max characters.
func (c *check) text(field, v string, max int) {
	if !utf8.ValidString(v) {
		c.fail(field, "not valid UTF-8")
		return
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f {
			c.fail(field, "contains control character %U", r)
			return
		}
	}
	if n := utf8.RuneCountInString(v); n > max {
		c.fail(field, "%d characters, at most %d allowed", n, max)
	}
}

func (c *check) required(field, v string, max int) {
	if v == "" {
		c.fail(field, "required")
		return
	}
	c.text(field, v, max)
}

func (c *check) absent(field, v, why string) {
	if v != "" {
		c.fail(field, "must be empty %s", why)
	}
}

func (c *check) amount(field string, a money.Amount) {
	if a == (money.Amount{}) {
		c.fail(field, "required")
		return
	}
	if err := a.Validate(); err != nil {
		c.fail(field, "%v", err)
	}
}

func (c *check) mcc(field, v string) {
	if len(v) != 4 || strings.Trim(v, "0123456789") != "" {
		c.fail(field, "merchant category code must be 4 digits, got %q", truncate(v, 16))
	}
}

// url checks an absolute http(s) URL of at most 2048 characters without a
// query or fragment: the notification path is part of the signed content
// and AMS does not say whether a query string is (reference §12, item 17).
func (c *check) url(field, v string, required bool) {
	if v == "" {
		if required {
			c.fail(field, "required")
		}
		return
	}
	c.text(field, v, 2048)
	u, err := url.Parse(v)
	switch {
	case err != nil:
		c.fail(field, "not a URL")
	case u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
		c.fail(field, "must be an absolute https URL")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		c.fail(field, "must not carry a query string or fragment")
	}
}

func (c *check) oneOf(field, a, b string) {
	if a == "" && b == "" {
		c.fail(field, "one of them is required")
	}
}

// encodeBody serialises a validated request once. HTML escaping is off so
// that the bytes read like the JSON a person wrote; the signature covers
// whatever bytes are produced.
func encodeBody(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// envelopeHolder is implemented by every response type through the embedded Envelope.
type envelopeHolder interface{ envelope() Envelope }

// decodeReply parses a verified reply body into T. It requires a JSON
// object with a result whose status is S, F or U; unknown fields are ignored.
func decodeReply[T any, PT interface {
	*T
	envelopeHolder
}](body []byte) (*T, error) {
	v := PT(new(T))
	if err := json.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	switch r := v.envelope().Result; r.ResultStatus {
	case StatusSuccess, StatusFailure, StatusUnknown:
	default:
		return nil, fmt.Errorf("%w: resultStatus %q", ErrUndecodable, truncate(string(r.ResultStatus), 16))
	}
	return (*T)(v), nil
}
