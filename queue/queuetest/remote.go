package queuetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/posd/posd/queue"
)

// rpc is one call over HTTP: the gateway's state can then outlive the
// process that calls it (the crash test kills callers, never the ledger).
type rpc struct {
	Call   Call             `json:"call"`
	Body   []byte           `json:"body,omitempty"`
	ID     string           `json:"id,omitempty"`
	Refund queue.RefundCall `json:"refund"`
}

type rpcReply struct {
	Pay     queue.PayReply     `json:"pay"`
	Inquiry queue.InquiryReply `json:"inquiry"`
	Cancel  queue.CancelReply  `json:"cancel"`
	Refund  queue.RefundReply  `json:"refund"`
}

// Handler serves the gateway to Remote clients in other processes.
func (g *Gateway) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req rpc
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		var out rpcReply
		switch req.Call {
		case CallPay:
			out.Pay = g.Pay(ctx, req.Body)
		case CallInquire:
			out.Inquiry = g.InquirePayment(ctx, req.ID)
		case CallCancel:
			out.Cancel = g.Cancel(ctx, req.ID)
		case CallRefund:
			out.Refund = g.Refund(ctx, req.Refund)
		case CallInquireRefund:
			out.Refund = g.InquireRefund(ctx, req.ID)
		default:
			http.Error(w, "unknown call", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
}

// Remote is a queue.Gateway that reaches a Gateway served by Handler.
// Like the alipay client it tells "nothing sent" (the request headers
// never went out) from "sent, outcome unknown".
type Remote struct {
	URL    string
	Client *http.Client
}

var _ queue.Gateway = (*Remote)(nil)

func (r *Remote) do(ctx context.Context, req rpc) (rpcReply, queue.Outcome) {
	data, err := json.Marshal(req)
	if err != nil {
		return rpcReply{}, queue.NotSent
	}
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }})
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(data))
	if err != nil {
		return rpcReply{}, queue.NotSent
	}
	client := r.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		var op *net.OpError
		if !wrote.Load() || (errors.As(err, &op) && op.Op == "dial") {
			return rpcReply{}, queue.NotSent
		}
		return rpcReply{}, queue.Unsure
	}
	defer resp.Body.Close()
	var out rpcReply
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return rpcReply{}, queue.Unsure
	}
	return out, ""
}

// remoteCall makes one call and picks its reply, or reports the outcome of
// a call that got no reply.
func remoteCall[T any](ctx context.Context, r *Remote, req rpc, pick func(rpcReply) T, miss func(queue.Outcome) T) T {
	out, o := r.do(ctx, req)
	if o != "" {
		return miss(o)
	}
	return pick(out)
}

// Pay implements queue.Gateway.
func (r *Remote) Pay(ctx context.Context, body []byte) queue.PayReply {
	return remoteCall(ctx, r, rpc{Call: CallPay, Body: body},
		func(o rpcReply) queue.PayReply { return o.Pay },
		func(o queue.Outcome) queue.PayReply { return queue.PayReply{Outcome: o} })
}

// InquirePayment implements queue.Gateway.
func (r *Remote) InquirePayment(ctx context.Context, id string) queue.InquiryReply {
	return remoteCall(ctx, r, rpc{Call: CallInquire, ID: id},
		func(o rpcReply) queue.InquiryReply { return o.Inquiry },
		func(o queue.Outcome) queue.InquiryReply { return queue.InquiryReply{Outcome: o} })
}

// Cancel implements queue.Gateway.
func (r *Remote) Cancel(ctx context.Context, id string) queue.CancelReply {
	return remoteCall(ctx, r, rpc{Call: CallCancel, ID: id},
		func(o rpcReply) queue.CancelReply { return o.Cancel },
		func(o queue.Outcome) queue.CancelReply { return queue.CancelReply{Outcome: o} })
}

func refundReply(o rpcReply) queue.RefundReply     { return o.Refund }
func refundMiss(o queue.Outcome) queue.RefundReply { return queue.RefundReply{Outcome: o} }

// Refund implements queue.Gateway.
func (r *Remote) Refund(ctx context.Context, rc queue.RefundCall) queue.RefundReply {
	return remoteCall(ctx, r, rpc{Call: CallRefund, Refund: rc}, refundReply, refundMiss)
}

// InquireRefund implements queue.Gateway.
func (r *Remote) InquireRefund(ctx context.Context, id string) queue.RefundReply {
	return remoteCall(ctx, r, rpc{Call: CallInquireRefund, ID: id}, refundReply, refundMiss)
}
