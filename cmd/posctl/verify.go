package main

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"

	"github.com/posd/posd/alipay"
)

// runVerify checks a Signature header against the body on stdin and says
// why it fails, with a hint when a usual mistake would make it pass.
func runVerify(args []string, s stdio) int {
	flags := newFlags("verify", s)
	keyFile := flags.String("pubkey", "", "public key of the signer: SPKI base64 or PEM (the platform key for replies and notifications)")
	signature := flags.String("signature", "", "Signature header value, verbatim")
	msg := addMessageFlags(flags)
	if code := parseFlags(flags, args, "pubkey", "client-id", "time", "path", "signature"); code >= 0 {
		return code
	}
	pub, err := alipay.LoadPublicKey(*keyFile)
	if err != nil {
		return fail(s, "%v", err)
	}
	body, err := readBody(s)
	if err != nil {
		return fail(s, "%v", err)
	}
	err = alipay.Verify(pub, *msg.method, *msg.path, *msg.clientID, *msg.time, body, *signature)
	if err == nil {
		fmt.Fprintln(s.out, "valid")
		return exitOK
	}
	if hint := mismatchHint(pub, msg, body, *signature, err); hint != "" {
		return fail(s, "invalid: %v; %s", err, hint)
	}
	return fail(s, "invalid: %v", err)
}

// mismatchHint retries the usual mistakes and names the one that would
// have made the signature valid.
func mismatchHint(pub *rsa.PublicKey, msg messageFlags, body []byte, signature string, err error) string {
	if !errors.Is(err, alipay.ErrSignatureMismatch) {
		return ""
	}
	path := *msg.path
	swapped := strings.Replace(path, alipay.PrefixProduction+"/", alipay.PrefixSandbox+"/", 1)
	if swapped == path {
		swapped = strings.Replace(path, alipay.PrefixSandbox+"/", alipay.PrefixProduction+"/", 1)
	}
	tries := []struct {
		path string
		body []byte
		hint string
	}{
		{path, bytes.TrimRight(body, "\r\n"), "it is valid without the trailing newline of the body (use printf or echo -n)"},
		{swapped, body, fmt.Sprintf("it is valid for path %s (sandbox/production prefix)", swapped)},
	}
	for _, t := range tries {
		if (t.path != path || !bytes.Equal(t.body, body)) && alipay.Verify(pub, *msg.method, t.path, *msg.clientID, *msg.time, t.body, signature) == nil {
			return t.hint
		}
	}
	return "check the public key (the platform's, not your own), path, client id, time and the exact body bytes"
}
