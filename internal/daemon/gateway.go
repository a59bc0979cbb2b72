package daemon

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/posd/posd/queue"
)

// measured wraps the outbox's gateway (queue.AMS over the alipay client)
// to feed the metrics and the cashier's network line: the latency of every
// call that got a verified reply, and whether the gateway was reachable.
type measured struct {
	gw      queue.Gateway
	m       *metrics
	network func(ok bool) // told on every change, must not block; may be nil

	last atomic.Int32 // network state last reported: 0 unknown, 1 up, 2 down
}

var _ queue.Gateway = (*measured)(nil)

func (g *measured) observe(call string, start time.Time, o queue.Outcome) {
	up := o == queue.Success || o == queue.Failure || o == queue.InProcess
	if up {
		g.m.observe(call, time.Since(start))
	}
	g.m.networkUp.Set(boolGauge(up))
	state := int32(2)
	if up {
		state = 1
	}
	if g.last.Swap(state) != state && g.network != nil {
		g.network(up)
	}
}

// timed makes one call through the wrapped gateway and observes it.
func timed[R any](g *measured, call string, do func() R, outcome func(R) queue.Outcome) R {
	start := time.Now()
	r := do()
	g.observe(call, start, outcome(r))
	return r
}

func (g *measured) Pay(ctx context.Context, body []byte) queue.PayReply {
	return timed(g, "pay", func() queue.PayReply { return g.gw.Pay(ctx, body) },
		func(r queue.PayReply) queue.Outcome { return r.Outcome })
}

func (g *measured) InquirePayment(ctx context.Context, id string) queue.InquiryReply {
	return timed(g, "inquiryPayment", func() queue.InquiryReply { return g.gw.InquirePayment(ctx, id) },
		func(r queue.InquiryReply) queue.Outcome { return r.Outcome })
}

func (g *measured) Cancel(ctx context.Context, id string) queue.CancelReply {
	return timed(g, "cancel", func() queue.CancelReply { return g.gw.Cancel(ctx, id) },
		func(r queue.CancelReply) queue.Outcome { return r.Outcome })
}

func refundOutcome(r queue.RefundReply) queue.Outcome { return r.Outcome }

func (g *measured) Refund(ctx context.Context, rc queue.RefundCall) queue.RefundReply {
	return timed(g, "refund", func() queue.RefundReply { return g.gw.Refund(ctx, rc) }, refundOutcome)
}

func (g *measured) InquireRefund(ctx context.Context, id string) queue.RefundReply {
	return timed(g, "inquiryRefund", func() queue.RefundReply { return g.gw.InquireRefund(ctx, id) }, refundOutcome)
}
