package alipay

import "fmt"

// MaxIDLen is the longest paymentRequestId or refundRequestId the gateway
// takes (https://docs.antom.com/ac/ams/upm, https://docs.antom.com/ac/ams/refund).
const MaxIDLen = 64

// CheckRequestID checks an id posd makes up (paymentRequestId,
// refundRequestId) or a part of one: 1 to MaxIDLen characters, each a
// letter, a digit, '_' or '-'. inquiryRefund does not support special
// characters in refundRequestId (https://docs.antom.com/ac/ams/ir), so an
// id outside this set could be sent once and never inquired.
func CheckRequestID(field, id string) error {
	if id == "" || len(id) > MaxIDLen {
		return fmt.Errorf("%w: %s: %q must be 1 to %d characters", ErrInvalidRequest, field, truncate(id, 80), MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !IDChar(id[i]) {
			return fmt.Errorf("%w: %s: %q: character %q is not a letter, digit, '_' or '-'", ErrInvalidRequest, field, truncate(id, 80), id[i])
		}
	}
	return nil
}

// IDChar reports whether c may appear in a request id.
func IDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
