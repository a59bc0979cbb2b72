package alipay_test

import (
	"context"
	"fmt"
	"log"

	"github.com/posd/posd/alipay"
)

// An outbox encodes a pay once, commits the bytes, and sends exactly those
// bytes on every attempt; the outcome decides what happens next.
func ExampleClient_PayBody() {
	client, err := alipay.NewClient(alipay.Config{ /* keys, client id, BaseURL: alipay.HostAsia */ })
	if err != nil {
		log.Fatal(err) // e.g. ErrKeyMixup: the merchant's own public key configured as the platform key
	}
	body, err := alipay.EncodePay(alipay.PayRequest{ /* scanned code, amount, merchant, store */ })
	if err != nil {
		log.Fatal(err) // ErrInvalidRequest names the field; nothing was sent
	}
	// ... persist body with its paymentRequestId before the first byte leaves ...
	reply, _ := client.PayBody(context.Background(), body)
	switch reply.Outcome {
	case alipay.OutcomeSuccess: // verified: the money is taken; print the receipt
	case alipay.OutcomeFailure: // verified decline: reply.Result.ResultCode, reply.Action()
	case alipay.OutcomeNotSent: // nothing left the terminal: send the same body again
	case alipay.OutcomeInProcess, alipay.OutcomeUnknown: // poll inquiryPayment, cancel at the end
	}
	fmt.Println(reply.Outcome)
}
