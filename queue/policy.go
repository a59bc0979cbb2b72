package queue

import (
	"hash/fnv"
	"strconv"
	"time"
)

// Policy holds the timing rules of the outbox. DefaultPolicy follows
// sections 9.4, 9.5 and 10 of the AMS reference.
type Policy struct {
	// PayResendFor is how long a pay that could not be sent at all
	// (NotSent) is retried with the same bytes before the attempt is
	// given up as never sent.
	PayResendFor time.Duration
	// PayResendDelay is the pause between such retries.
	PayResendDelay time.Duration
	// PayAnswerWait is how long a payment-code pay may go unanswered
	// before the first inquiry: 5 s (https://docs.antom.com/ac/ams_upm/bp).
	PayAnswerWait time.Duration
	// OrderCodePayTries is how many times an OrderCode pay is sent with the
	// same id while answers are unknown (the reference SDK's
	// maxOrderCodeRequestCount).
	OrderCodePayTries int
	// InquiryInterval is the pause between inquiries
	// (https://docs.antom.com/ac/ams_upm/bp: every 3 s).
	InquiryInterval time.Duration
	// MaxInquiries ends the inquiry loop of an unknown payment.
	MaxInquiries int
	// DefaultExpiry is assumed when a payment has no explicit expiry: the
	// contract default of 3 minutes (https://docs.antom.com/ac/ams_zh-cn/oc).
	DefaultExpiry time.Duration
	// ExpiryGrace is added to the expiry before an unpaid order code is cancelled.
	ExpiryGrace time.Duration
	// CancelBackoff are the pauses after the first failed cancels; after
	// the last one the payment needs attention and cancel is repeated
	// every CancelRetry.
	CancelBackoff []time.Duration
	CancelRetry   time.Duration
	// RefundPoll is the refund inquiry interval for RefundPollFor after a
	// refund is sent; then RefundRetry.
	RefundPoll    time.Duration
	RefundPollFor time.Duration
	RefundRetry   time.Duration
	// RefundAttentionAfter is how long a refund may stay unconfirmed
	// before a person is told (Payment.Attention); it is still asked
	// about, with the same refundRequestId, after that.
	RefundAttentionAfter time.Duration
	// JitterPercent is the spread (10 = ±10 %) added to every pause.
	JitterPercent int
}

// DefaultPolicy returns posd's defaults.
func DefaultPolicy() Policy {
	return Policy{
		PayResendFor:         30 * time.Second,
		PayResendDelay:       time.Second,
		PayAnswerWait:        5 * time.Second,
		OrderCodePayTries:    3,
		InquiryInterval:      3 * time.Second,
		MaxInquiries:         20,
		DefaultExpiry:        3 * time.Minute,
		ExpiryGrace:          10 * time.Second,
		CancelBackoff:        []time.Duration{2 * time.Second, 3 * time.Second, 3 * time.Second, 5 * time.Second, 5 * time.Second},
		CancelRetry:          time.Minute,
		RefundPoll:           5 * time.Second,
		RefundPollFor:        time.Minute,
		RefundRetry:          5 * time.Minute,
		RefundAttentionAfter: 30 * time.Minute,
		JitterPercent:        10,
	}
}

// jittered spreads d by ±JitterPercent. The spread is derived from the record id
// and attempt number, not from a random source, so the transition stays a
// pure function and replays give the same schedule.
func (pol *Policy) jittered(d time.Duration, id string, n int) time.Duration {
	if pol.JitterPercent <= 0 || d <= 0 {
		return d
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	h.Write([]byte(strconv.Itoa(n)))
	// u in [-1, 1) in steps of 1/1024: integer arithmetic keeps it exact.
	u := int64(h.Sum64()%2048) - 1024
	spread := int64(d) * int64(pol.JitterPercent) / 100
	return d + time.Duration(spread*u/1024)
}

// cancelPause is the wait before cancel attempt n+1 after n failures.
func (pol *Policy) cancelPause(failures int) time.Duration {
	if failures-1 < len(pol.CancelBackoff) && failures >= 1 {
		return pol.CancelBackoff[failures-1]
	}
	return pol.CancelRetry
}
