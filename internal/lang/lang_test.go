package lang

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/posd/posd/alipay"
)

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// Every text is in every language, once, with the same verbs in order.
func TestCatalogComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.en] {
			t.Errorf("%q is in the catalog twice", e.en)
		}
		seen[e.en] = true
		for name, tr := range map[string]string{"zh-CN": e.zhCN, "zh-TW": e.zhTW} {
			if strings.TrimSpace(tr) == "" {
				t.Errorf("%q has no %s text", e.en, name)
				continue
			}
			if !slices.Equal(verb.FindAllString(e.en, -1), verb.FindAllString(tr, -1)) {
				t.Errorf("%q (%s %q): verbs differ", e.en, name, tr)
			}
		}
	}
}

func TestTranslate(t *testing.T) {
	cn, err := Parse("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	tw, _ := Parse("zh_tw")
	en, _ := Parse("EN")
	for _, c := range []struct {
		l    Lang
		want string
	}{{cn, "余额不足"}, {tw, "餘額不足"}, {en, "Insufficient balance"}, {Lang{}, "Insufficient balance"}} {
		if got := c.l.T("Insufficient balance"); got != c.want {
			t.Errorf("%s: %q, want %q", c.l, got, c.want)
		}
	}
	// Text from elsewhere comes back as it is, never as a format.
	if got := cn.T("100% 金龙"); got != "100% 金龙" {
		t.Errorf("unknown text changed: %q", got)
	}
	if cn.String() != "zh-CN" || tw.String() != "zh-TW" || (Lang{}).String() != "en" || !cn.Chinese() || en.Chinese() {
		t.Error("names or Chinese() wrong")
	}
	if _, err := Parse("fr"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("fr: %v", err)
	}
}

// Every code that ends a payment in front of a customer has its own words
// in the catalog, and no words are the raw code.
func TestEveryCustomerCodeHasWords(t *testing.T) {
	codes := []string{
		alipay.CodePaymentInProcess, alipay.CodeInvalidPaymentCode, alipay.CodeInvalidCode, alipay.CodeExpiredCode,
		alipay.CodeUserPaymentVerificationFailed, alipay.CodeUserBalanceNotEnough, alipay.CodeUserAmountExceedLimit,
		alipay.CodePaymentAmountExceedLimit, alipay.CodePaymentCountExceedLimit, alipay.CodeUserStatusAbnormal,
		alipay.CodeUserKYCNotQualified, alipay.CodeRiskReject, alipay.CodeFraudReject, alipay.CodeInvalidMerchantStatus,
		alipay.CodeMerchantKYBNotQualified, alipay.CodeMerchantNotRegistered, alipay.CodeInvalidContract,
		alipay.CodeSettleContractNotMatch, alipay.CodeCurrencyNotSupport, alipay.CodeOrderIsClosed,
		alipay.CodeOrderIsCanceled, alipay.CodeProcessFail, alipay.CodeOrderNotExist, alipay.CodeAccessDenied,
		alipay.CodeSignatureInvalid, alipay.CodeKeyNotFound, alipay.CodeParamIllegal,
	}
	for _, code := range codes {
		if _, ok := codeWords[code]; !ok {
			t.Errorf("%s has no words", code)
		}
		w := ForCode(code)
		for _, key := range []string{w.Cashier, w.Customer} {
			if !Has(key) {
				t.Errorf("%s: %q is not in the catalog", code, key)
			}
			if strings.Contains(key, code) {
				t.Errorf("%s: words repeat the code", code)
			}
		}
	}
	if ForCode("SOMETHING_NEW") != genericDecline || ForCode("") != genericDecline {
		t.Error("unknown codes must get the generic words")
	}
}

// A Z number or a count is printed as the number it is, in every language:
// no digit grouping ("Z REPORT 1,024" read as two numbers on a slip).
func TestFormatKeepsNumbersPlain(t *testing.T) {
	for _, tag := range []Tag{English, SimplifiedChinese, TraditionalChinese} {
		l := New(tag)
		if got := l.F("Z REPORT %d", 1024); !strings.Contains(got, "Z1024") && !strings.Contains(got, "Z REPORT 1024") {
			t.Errorf("%s: %q", l, got)
		}
		if got := l.F("%s x%d", "x", 12345); !strings.Contains(got, "12345") {
			t.Errorf("%s: %q", l, got)
		}
	}
	if got := New(Tag(99)).String(); got != "en" {
		t.Errorf("a tag outside the catalog prints %q, want English", got)
	}
}
