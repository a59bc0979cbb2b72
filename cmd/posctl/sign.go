package main

import (
	"fmt"
	"io"

	"github.com/posd/posd/alipay"
)

// messageFlags are the parts of the signed content shared by sign and verify.
type messageFlags struct {
	method, path, clientID, time *string
}

func addMessageFlags(fs interface {
	String(name, value, usage string) *string
}) messageFlags {
	return messageFlags{
		method:   fs.String("method", "POST", "HTTP method"),
		path:     fs.String("path", "", "request path as sent, e.g. /ams/api/v1/payments/pay (for a notification: its URL path)"),
		clientID: fs.String("client-id", "", "Client-Id header value"),
		time:     fs.String("time", "", "Request-Time (or Response-Time) header value, verbatim"),
	}
}

// readBody reads the exact body bytes from stdin, capped like the client.
func readBody(s stdio) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(s.in, alipay.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading body from stdin: %w", err)
	}
	if len(body) > alipay.MaxBodyBytes {
		return nil, fmt.Errorf("body on stdin is over %d bytes", alipay.MaxBodyBytes)
	}
	return body, nil
}

// runSign prints the Signature header value for the body on stdin: the
// bytes are signed exactly as read, trailing newline included.
func runSign(args []string, s stdio) int {
	flags := newFlags("sign", s)
	keyFile := flags.String("key", "", "merchant private key: PKCS#8 base64, PKCS#8 PEM or PKCS#1 PEM (mode 0600)")
	version := flags.Int("key-version", 1, "key version announced in the header")
	msg := addMessageFlags(flags)
	if code := parseFlags(flags, args, "key", "client-id", "time", "path"); code >= 0 {
		return code
	}
	key, err := alipay.LoadPrivateKey(*keyFile)
	if err != nil {
		return fail(s, "%v", err)
	}
	signer, err := alipay.NewSigner(key, *version)
	if err != nil {
		return fail(s, "%v", err)
	}
	body, err := readBody(s)
	if err != nil {
		return fail(s, "%v", err)
	}
	header, err := signer.Sign(*msg.method, *msg.path, *msg.clientID, *msg.time, body)
	if err != nil {
		return fail(s, "%v", err)
	}
	fmt.Fprintln(s.out, header)
	return exitOK
}
