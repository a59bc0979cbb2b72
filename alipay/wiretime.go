package alipay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Time is a date-time in an AMS body: ISO 8601 with an offset, such as
// "2019-11-27T12:01:01+08:00" (https://docs.antom.com/ac/ams/api_fund).
// It is sent with a numeric offset and whole seconds. Received times are
// parsed as RFC 3339 (fractions and "Z" allowed); a received time that does
// not parse is kept in Raw and leaves Time zero, because body times inform
// receipts but never decide an outcome, and an odd timestamp must not make
// a verified payment result unreadable.
type Time struct {
	time.Time
	Raw string // the text received, when it did not parse
}

// wireTimeLayout is the layout AMS samples use.
const wireTimeLayout = "2006-01-02T15:04:05-07:00"

// NewTime wraps t for a request body.
func NewTime(t time.Time) Time { return Time{Time: t} }

// IsZero reports whether nothing was set or received.
func (t Time) IsZero() bool { return t.Time.IsZero() && t.Raw == "" }

// MarshalJSON writes "2006-01-02T15:04:05-07:00".
func (t Time) MarshalJSON() ([]byte, error) {
	if t.Time.IsZero() {
		if t.Raw != "" {
			return json.Marshal(t.Raw)
		}
		return nil, fmt.Errorf("alipay: zero time cannot be sent")
	}
	return json.Marshal(t.Time.Format(wireTimeLayout))
}

// UnmarshalJSON reads an RFC 3339 string leniently (see Time).
func (t *Time) UnmarshalJSON(data []byte) error {
	*t = Time{}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		t.Raw = string(data)
		return nil
	}
	if s == "" {
		return nil
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Raw = s
		return nil
	}
	t.Time = parsed
	return nil
}

// Text is a string field that AMS documents as a string but that some
// replies carry as a bare JSON number or boolean (paymentQuote.quotePrice,
// guaranteed). It keeps the JSON text exactly, never converting a number
// through floating point.
type Text string

// UnmarshalJSON accepts a string, number, boolean or null.
func (s *Text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return fmt.Errorf("alipay: empty value")
	case data[0] == '"':
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		*s = Text(v)
	case bytes.Equal(data, []byte("null")):
		*s = ""
	case data[0] == '{' || data[0] == '[':
		return fmt.Errorf("alipay: expected a scalar, got %c", data[0])
	default:
		if !json.Valid(data) {
			return fmt.Errorf("alipay: invalid scalar")
		}
		*s = Text(data)
	}
	return nil
}
