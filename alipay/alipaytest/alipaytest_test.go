package alipaytest

import "testing"

func TestKeys(t *testing.T) {
	merchant, gateway := Keys(t)
	if merchant.N.BitLen() != 2048 || gateway.N.BitLen() != 2048 || merchant.Equal(gateway) {
		t.Fatal("expected two distinct RSA-2048 keys")
	}
	v := Load(t)
	if len(v.SigningVectors) < 8 || len(v.VerificationCases) < 10 {
		t.Fatalf("vectors incomplete: %d signing, %d verification", len(v.SigningVectors), len(v.VerificationCases))
	}
}
