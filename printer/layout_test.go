package printer

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/money"
)

var papers = []Paper{Paper58, Paper80, PaperTMT88}

// variants builds receipts covering every kind, optional field and awkward
// text: long names, CJK, accents, long ids, many items.
func variants() []Receipt {
	base := sampleWithItems()
	var out []Receipt
	add := func(f func(*Receipt)) {
		r := base
		r.Items = append([]Item(nil), base.Items...)
		f(&r)
		out = append(out, r)
	}
	add(func(r *Receipt) {})
	add(func(r *Receipt) {
		r.Items = nil
		r.StoreName = ""
		r.Footer = ""
		r.PaymentMethod = ""
		r.CustomerID = ""
	})
	add(func(r *Receipt) {
		r.Kind, r.Result = KindRefund, ResultRefunded
		r.RefundID = strings.Repeat("7", 64)
		r.RefundRequestID = "RF-" + strings.Repeat("x", 61)
	})
	add(func(r *Receipt) { r.Kind, r.Result, r.PaymentID = KindVoid, ResultCancelled, "" })
	add(func(r *Receipt) {
		r.MerchantName = "上海外滩咖啡馆有限公司 Shanghai Bund Coffee Company Limited"
		r.StoreName = "Café Müller – Zürich Hauptbahnhof, Gleis 3"
		r.Items = append(r.Items, Item{Description: "拿铁 Latte grande with oat milk and an extra shot", Quantity: 12})
	})
	add(func(r *Receipt) {
		r.Amount = money.Amount{Currency: "JPY", Value: 9_999_999_999_999_999}
		r.Items = []Item{{Description: "x"}}
		p := money.Amount{Currency: "CNY", Value: 88}
		r.PaidAmount = &p
	})
	add(func(r *Receipt) { r.Amount = money.Amount{Currency: "KWD", Value: 1005}; r.Items = nil })
	add(func(r *Receipt) { r.PaymentID = strings.Repeat("9", 64); r.PaymentRequestID = strings.Repeat("R", 64) })
	add(func(r *Receipt) { r.CustomerID = "2088123412341234"; r.Footer = "\x10\x04\x01 bell\a tab\t end" })
	return out
}

// TestLayoutInvariants checks every variant on every paper, as original
// and copy, with each symbol choice.
func TestLayoutInvariants(t *testing.T) {
	for _, r := range variants() {
		for _, p := range papers {
			for _, cp := range []bool{false, true} {
				for _, sym := range []Symbol{SymbolQR, SymbolCode128, SymbolNone} {
					blocks, err := Layout(r, p, LayoutOptions{Copy: cp, Symbol: sym})
					if err != nil {
						t.Fatalf("%s on %s: %v", r.Kind, p.Name, err)
					}
					checkLayout(t, r, p, cp, sym, blocks)
				}
			}
		}
	}
}

func checkLayout(t *testing.T, r Receipt, p Paper, copy bool, sym Symbol, blocks []Block) {
	t.Helper()
	var text strings.Builder
	symbols := 0
	for _, b := range blocks {
		switch b.Kind {
		case BlockText:
			limit := p.Columns
			if b.Double {
				limit /= 2
			}
			if c := Columns(b.Text); c > limit || c == 0 {
				t.Errorf("%s: line %q is %d columns, limit %d", p.Name, b.Text, c, limit)
			}
			for _, ch := range b.Text {
				if ch < 0x20 || ch == 0x7F {
					t.Errorf("control character %U in %q", ch, b.Text)
				}
			}
			text.WriteString(b.Text + "\n")
		case BlockQR, BlockCode128:
			symbols++
			if b.Text != r.LookupID() {
				t.Errorf("symbol carries %q, want %q", b.Text, r.LookupID())
			}
		}
	}
	if last := blocks[len(blocks)-1]; last.Kind != BlockCut {
		t.Error("slip does not end with a cut")
	}
	if want := btoi(sym != SymbolNone); symbols != want {
		t.Errorf("%d symbols, want %d", symbols, want)
	}
	all := text.String()
	joined := strings.NewReplacer("\n", "", " ", "").Replace(all)
	if strings.Contains(all, "COPY") != copy {
		t.Errorf("COPY marker present = %v, want %v", !copy, copy)
	}
	for _, want := range []string{r.Amount.Decimal(), string(r.Amount.Currency), strings.ToUpper(string(r.Result)), r.TerminalID} {
		if !strings.Contains(all, want) {
			t.Errorf("%s slip on %s lacks %q:\n%s", r.Kind, p.Name, want, all)
		}
	}
	for _, id := range []string{r.PaymentID, r.PaymentRequestID, r.RefundID} {
		if id != "" && !strings.Contains(joined, strings.ReplaceAll(id, " ", "")) {
			t.Errorf("id %q missing", id)
		}
	}
	if len(r.CustomerID) >= 8 && !strings.ContainsRune(r.CustomerID, '*') && strings.Contains(all, r.CustomerID) {
		t.Errorf("raw customer id %q printed", r.CustomerID)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestLayoutRejectsBadReceipts(t *testing.T) {
	cases := map[string]func(*Receipt){
		"no merchant":     func(r *Receipt) { r.MerchantName = " " },
		"no terminal":     func(r *Receipt) { r.TerminalID = "" },
		"no time":         func(r *Receipt) { r.Time = time.Time{} },
		"zero amount":     func(r *Receipt) { r.Amount.Value = 0 },
		"bad currency":    func(r *Receipt) { r.Amount.Currency = "XXX" },
		"kind mismatch":   func(r *Receipt) { r.Result = ResultRefunded },
		"unknown kind":    func(r *Receipt) { r.Kind = "gift" },
		"no request id":   func(r *Receipt) { r.PaymentRequestID = "" },
		"sale without id": func(r *Receipt) { r.PaymentID = "" },
		"id too long":     func(r *Receipt) { r.PaymentID = strings.Repeat("1", 65) },
		"id with space":   func(r *Receipt) { r.PaymentRequestID = "A B" },
		"item currency":   func(r *Receipt) { r.Items[0].Amount = &money.Amount{Currency: "EUR", Value: 1} },
		"negative qty":    func(r *Receipt) { r.Items[0].Quantity = -1 },
	}
	for name, mutate := range cases {
		r := sampleWithItems()
		r.Items = append([]Item(nil), r.Items...)
		mutate(&r)
		if _, err := Layout(r, Paper58, LayoutOptions{}); !errors.Is(err, ErrInvalidReceipt) {
			t.Errorf("%s: err = %v, want ErrInvalidReceipt", name, err)
		}
	}
}

func TestLayoutSample58(t *testing.T) {
	blocks, err := Layout(sampleWithItems(), Paper58, LayoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, b := range blocks {
		if b.Kind == BlockText {
			lines = append(lines, b.Text)
		}
	}
	want := []string{
		"Harbour Coffee",
		"Pier 7 kiosk",
		"RECEIPT",
		"--------------------------------",
		"Merchant ID                M0001",
		"Store ID                     S07",
		"Terminal                POS-0001",
		"Date  2026-11-23 14:05:09 +00:00",
		"--------------------------------",
		"2 x Flat white              9.00",
		"1 x Almond croissant        3.50",
		"--------------------------------",
		"TOTAL  USD 12.50",
		"Wallet                  ALIPAYCN",
		"Customer            2088****1234",
		"Result                      PAID",
		"--------------------------------",
		"Payment ID",
		"        202611231400001234567890",
		"Request ID",
		"        POS-0001-20261123-000042",
		"Thank you!",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("58 mm sample:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestLayoutChinese: a zh-CN slip has Chinese labels that fit the paper's
// columns (a Han character takes two), and keeps the ids as they are.
func TestLayoutChinese(t *testing.T) {
	r := sampleWithItems()
	r.Language = "zh-CN"
	for _, p := range []Paper{Paper58, Paper80} {
		blocks, err := Layout(r, p, LayoutOptions{Copy: true})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, b := range blocks {
			if b.Kind != BlockText {
				continue
			}
			lines = append(lines, b.Text)
			limit := p.Columns
			if b.Double {
				limit /= 2
			}
			if Columns(b.Text) > limit {
				t.Errorf("%d columns: %q is %d wide", p.Columns, b.Text, Columns(b.Text))
			}
		}
		all := strings.Join(lines, "\n")
		for _, want := range []string{"收款凭证", "副本", "商户号", "终端号", "合计", "支付宝交易号", "202611231400001234567890", "支付成功", "钱包"} {
			if !strings.Contains(all, want) {
				t.Errorf("%d columns: no %q in\n%s", p.Columns, want, all)
			}
		}
	}
	r.Language = "fr"
	if _, err := Layout(r, Paper80, LayoutOptions{}); !errors.Is(err, ErrInvalidReceipt) {
		t.Errorf("fr: %v", err)
	}
}

func TestWrapAndLabelled(t *testing.T) {
	cases := []struct {
		in   string
		cols int
		want []string
	}{
		{"", 10, nil},
		{"a b c", 10, []string{"a b c"}},
		{"hello world again", 11, []string{"hello world", "again"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"合计合计合计", 5, []string{"合计", "合计", "合计"}},
		{"tab\there\x10", 20, []string{"tab here?"}},
	}
	for _, c := range cases {
		got := Wrap(c.in, c.cols)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.cols, got, c.want)
		}
	}
	if got := Labelled("Total", "12.50", 16); len(got) != 1 || got[0] != "Total      12.50" {
		t.Errorf("labelled = %q", got)
	}
	if got := Labelled("Total amount due", "USD 12.50", 16); len(got) != 2 || got[1] != "       USD 12.50" {
		t.Errorf("labelled long = %q", got)
	}
}

func TestMaskCustomerID(t *testing.T) {
	cases := map[string]string{
		"2088123412341234": "************1234",
		"2088****1234":     "2088****1234",
		"abc":              "**c",
		"ab":               "*b",
		"":                 "",
	}
	for in, want := range cases {
		if got := MaskCustomerID(in); got != want {
			t.Errorf("MaskCustomerID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReceiptJSONStable pins the field names the outbox persists.
func TestReceiptJSONStable(t *testing.T) {
	r := sampleWithItems()
	b, err := json.Marshal(Job{ID: "j1", Receipt: r, Copy: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"id":"j1"`, `"copy":true`, `"kind":"sale"`, `"merchantName":"Harbour Coffee"`,
		`"terminalId":"POS-0001"`, `"time":"2026-11-23T14:05:09Z"`, `"amount":{"currency":"USD","value":"1250"}`,
		`"paymentId":"202611231400001234567890"`, `"paymentRequestId":"POS-0001-20261123-000042"`, `"result":"paid"`,
		`"customerId":"2088****1234"`, `"paymentMethod":"ALIPAYCN"`, `"quantity":2`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	var back Job
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip changed the job:\n%s\n%s", b, b2)
	}
}

func TestPaperByName(t *testing.T) {
	for name, want := range map[string]Paper{"58": Paper58, "80MM": Paper80, "tm-t88": PaperTMT88} {
		if got, err := PaperByName(name); err != nil || got != want {
			t.Errorf("PaperByName(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := PaperByName("57"); !errors.Is(err, ErrUnknownPaper) {
		t.Errorf("57: %v", err)
	}
}

func FuzzLayout(f *testing.F) {
	f.Add("Harbour Coffee", "2 x Flat white", "2088****1234", "202611231400001234567890", "Thank you!", uint8(0))
	f.Fuzz(func(t *testing.T, merchant, item, customer, paymentID, footer string, pick uint8) {
		r := sampleWithItems()
		r.MerchantName, r.CustomerID, r.Footer = merchant, customer, footer
		r.Items = []Item{{Description: item, Quantity: int(pick)}}
		r.PaymentID = paymentID
		p := papers[int(pick)%len(papers)]
		opt := LayoutOptions{Copy: pick&1 == 1, Symbol: Symbol(pick % 3)}
		blocks, err := Layout(r, p, opt)
		if err != nil {
			if !errors.Is(err, ErrInvalidReceipt) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		checkLayout(t, r, p, opt.Copy, opt.Symbol, blocks)
		doc, err := Encode(blocks, Model{Paper: p, Chinese: pick&2 == 2, NativeQR: pick&4 == 4})
		if err != nil {
			if !errors.Is(err, ErrDoesNotFit) {
				t.Fatalf("encode: %v", err)
			}
			return
		}
		if hasRealtime(doc.Data) {
			t.Fatalf("real-time sequence in % X", doc.Data)
		}
	})
}

// sampleWithItems is the sample sale with item lines, which Layout
// supports for callers that know the basket.
func sampleWithItems() Receipt {
	amount := func(v int64) *money.Amount { a := money.Amount{Currency: "USD", Value: v}; return &a }
	r := SampleReceipt()
	r.TerminalID, r.PaymentRequestID = "POS-0001", "POS-0001-20261123-000042"
	r.PaymentMethod, r.CustomerID = "ALIPAYCN", "2088****1234"
	r.Items = []Item{
		{Description: "Flat white", Quantity: 2, Amount: amount(900)},
		{Description: "Almond croissant", Quantity: 1, Amount: amount(350)},
	}
	return r
}

// TestLayoutCopyAfterRefunds: a COPY of a sale printed after refunds lists
// each refund and what remains; refunds beyond the sale are refused.
func TestLayoutCopyAfterRefunds(t *testing.T) {
	r := SampleReceipt()
	r.Refunds = []RefundLine{
		{RefundID: "RF1", Amount: money.Amount{Currency: "USD", Value: 200}, Time: r.Time.Add(time.Hour)},
		{RefundID: "RF2", Amount: money.Amount{Currency: "USD", Value: 50}, Time: r.Time.Add(2 * time.Hour)},
	}
	for lang, want := range map[string][]string{
		"":      {"** COPY **", "Refunds", "-USD 2.00", "RF1", "-USD 0.50", "RF2", "Remaining", "USD 10.00"},
		"zh-CN": {"退款记录", "-USD 2.00", "剩余金额", "USD 10.00"},
	} {
		r.Language = lang
		blocks, err := Layout(r, Paper58, LayoutOptions{Copy: true})
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, b := range blocks {
			all = append(all, b.Text)
		}
		text := strings.Join(all, "\n")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%q: no %q in\n%s", lang, w, text)
			}
		}
	}
	r.Refunds[1].Amount.Value = 1100
	if _, err := Layout(r, Paper58, LayoutOptions{}); !errors.Is(err, ErrInvalidReceipt) {
		t.Errorf("refunds beyond the sale: %v", err)
	}
}

// TestLayoutMerchantCopy: [printer] merchant_copy adds a second, marked
// slip after the customer's, each cut; a reprint is printed once.
func TestLayoutMerchantCopy(t *testing.T) {
	count := func(opt LayoutOptions) (cuts, marks int) {
		blocks, err := Layout(SampleReceipt(), Paper80, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b.Kind == BlockCut {
				cuts++
			}
			if b.Text == "** MERCHANT COPY **" {
				marks++
			}
		}
		return cuts, marks
	}
	if c, m := count(LayoutOptions{MerchantCopy: true}); c != 2 || m != 1 {
		t.Errorf("merchant copy: %d cuts, %d marks", c, m)
	}
	if c, m := count(LayoutOptions{MerchantCopy: true, Copy: true}); c != 1 || m != 0 {
		t.Errorf("reprint: %d cuts, %d marks", c, m)
	}
	if c, m := count(LayoutOptions{}); c != 1 || m != 0 {
		t.Errorf("plain: %d cuts, %d marks", c, m)
	}
}
