package printer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/posd/posd/internal/lang"
)

// Align is the horizontal position of a block on the paper.
type Align uint8

// Alignments, in ESC a order.
const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// BlockKind says what a Block prints.
type BlockKind uint8

// Block kinds.
const (
	// BlockText prints Text as one line; Layout guarantees it fits.
	BlockText BlockKind = iota
	// BlockQR prints Text as a QR code sized to the paper.
	BlockQR
	// BlockCode128 prints Text as a CODE128 barcode with its digits below.
	BlockCode128
	// BlockFeed feeds Lines blank lines.
	BlockFeed
	// BlockCut feeds the paper to the cutter and cuts it.
	BlockCut
)

// Block is one element of a laid-out slip. Layout produces them; Encode
// turns them into printer commands; nothing else decides how a slip looks.
type Block struct {
	Kind   BlockKind
	Text   string
	Align  Align
	Bold   bool
	Double bool // double width and double height
	Lines  int  // BlockFeed only
}

// Symbol selects the look-up code printed under the amounts.
type Symbol uint8

// Look-up codes.
const (
	// SymbolQR prints a QR code of the lookup id (the default).
	SymbolQR Symbol = iota
	// SymbolCode128 prints a CODE128 barcode, or a QR code when the
	// barcode would not fit the paper.
	SymbolCode128
	// SymbolNone prints no code.
	SymbolNone
)

// LayoutOptions are the per-print choices that are not part of the receipt.
type LayoutOptions struct {
	// Copy prints "COPY" at the top: set for every reprint, and for any
	// job whose earlier attempt may have reached the paper.
	Copy   bool
	Symbol Symbol
	// MerchantCopy prints a second slip marked MERCHANT COPY after the
	// customer's ([printer] merchant_copy); never for a reprint.
	MerchantCopy bool
}

// slip accumulates blocks; its methods keep Layout readable.
type slip struct {
	blocks []Block
	cols   int
}

func (s *slip) lines(a Align, bold, double bool, lines ...string) {
	for _, l := range lines {
		s.blocks = append(s.blocks, Block{Kind: BlockText, Text: l, Align: a, Bold: bold, Double: double})
	}
}

func (s *slip) rule() { s.lines(AlignLeft, false, false, strings.Repeat("-", s.cols)) }

func (s *slip) pair(label, value string) {
	if value != "" {
		s.lines(AlignLeft, false, false, Labelled(label, value, s.cols)...)
	}
}

func (s *slip) feed(n int) { s.blocks = append(s.blocks, Block{Kind: BlockFeed, Lines: n}) }

var titles = map[Kind]string{KindSale: "RECEIPT", KindRefund: "REFUND", KindVoid: "VOID"}
var totalLabels = map[Kind]string{KindSale: "TOTAL", KindRefund: "REFUNDED", KindVoid: "VOIDED"}
var resultWords = map[Result]string{ResultPaid: "PAID", ResultCancelled: "CANCELLED", ResultRefunded: "REFUNDED"}

// receiptLang is the slip's language; Validate has refused a bad name.
func receiptLang(r Receipt) lang.Lang {
	l, err := lang.Parse(r.Language)
	if err != nil {
		return lang.Lang{}
	}
	return l
}

// Layout turns a receipt into the blocks of one slip for a paper profile.
// It is pure: the same input always gives the same blocks, and every text
// block fits the paper's columns (double-size text in half of them).
func Layout(r Receipt, p Paper, opt LayoutOptions) ([]Block, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	blocks, err := layoutSlip(r, p, opt, false)
	if err != nil || !opt.MerchantCopy || opt.Copy {
		return blocks, err
	}
	merchant, err := layoutSlip(r, p, opt, true)
	return append(blocks, merchant...), err
}

// layoutSlip lays out one slip; merchant marks the merchant's copy.
func layoutSlip(r Receipt, p Paper, opt LayoutOptions, merchant bool) ([]Block, error) {
	if p.Columns < 16 || p.Dots < 8*p.Columns {
		return nil, fmt.Errorf("%w: %d columns on %d dots", ErrUnknownPaper, p.Columns, p.Dots)
	}
	s := &slip{cols: p.Columns}
	half := p.Columns / 2
	t := receiptLang(r).T

	s.lines(AlignCenter, true, true, Wrap(r.MerchantName, half)...)
	s.lines(AlignCenter, false, false, Wrap(r.StoreName, p.Columns)...)
	if opt.Copy {
		s.lines(AlignCenter, true, true, t("** COPY **"))
	}
	if merchant {
		s.lines(AlignCenter, true, false, t("** MERCHANT COPY **"))
	}
	s.lines(AlignCenter, true, false, t(titles[r.Kind]))
	s.rule()
	s.pair(t("Merchant ID"), r.MerchantID)
	s.pair(t("Store ID"), r.StoreID)
	s.pair(t("Terminal"), r.TerminalID)
	s.pair(t("Date"), r.Time.Format("2006-01-02 15:04:05 -07:00"))
	if len(r.Items) > 0 {
		s.rule()
		for _, it := range r.Items {
			desc := it.Description
			if it.Quantity > 0 {
				desc = strconv.Itoa(it.Quantity) + " x " + desc
			}
			value := ""
			if it.Amount != nil {
				value = it.Amount.Decimal()
			}
			if value == "" {
				s.lines(AlignLeft, false, false, Wrap(desc, p.Columns)...)
				continue
			}
			s.pair(desc, value)
		}
	}
	s.rule()
	s.lines(AlignLeft, true, true, Labelled(t(totalLabels[r.Kind]), r.Amount.String(), half)...)
	if r.PaidAmount != nil {
		s.pair(t("Customer paid"), r.PaidAmount.String())
	}
	s.pair(t("Wallet"), r.PaymentMethod)
	if r.CustomerID != "" {
		s.pair(t("Customer"), MaskCustomerID(printable(r.CustomerID)))
	}
	s.lines(AlignLeft, true, false, Labelled(t("Result"), t(resultWords[r.Result]), p.Columns)...)
	if len(r.Refunds) > 0 {
		s.rule()
		s.lines(AlignLeft, true, false, t("Refunds"))
		for _, rf := range r.Refunds {
			s.pair(rf.Time.In(r.Time.Location()).Format("2006-01-02 15:04"), "-"+rf.Amount.String())
			s.pair(t("Refund ID"), rf.RefundID)
		}
		s.lines(AlignLeft, true, false, Labelled(t("Remaining"), r.Remaining().String(), p.Columns)...)
	}
	s.rule()
	if r.Kind == KindSale {
		s.pair(t("Payment ID"), r.PaymentID)
		s.pair(t("Request ID"), r.PaymentRequestID)
	} else {
		// A refund or void slip names the payment it undoes.
		s.pair(t("Original payment"), r.PaymentID)
		s.pair(t("Original request"), r.PaymentRequestID)
	}
	s.pair(t("Refund ID"), r.RefundID)
	s.pair(t("Refund request"), r.RefundRequestID)

	if block, ok := lookupSymbol(r.LookupID(), p, opt.Symbol); ok {
		s.feed(1)
		s.blocks = append(s.blocks, block)
	}
	if r.Footer != "" {
		s.feed(1)
		s.lines(AlignCenter, false, false, Wrap(r.Footer, p.Columns)...)
	}
	s.blocks = append(s.blocks, Block{Kind: BlockCut})
	return s.blocks, nil
}

// lookupSymbol picks the code for the look-up id: CODE128 when asked for and
// it fits the paper at module width 2, else a QR code.
func lookupSymbol(id string, p Paper, want Symbol) (Block, bool) {
	switch want {
	case SymbolNone:
		return Block{}, false
	case SymbolCode128:
		if _, modules := code128Payload(id); (modules+2*code128QuietModules)*code128ModuleDots <= p.Dots {
			return Block{Kind: BlockCode128, Text: id, Align: AlignCenter}, true
		}
	}
	return Block{Kind: BlockQR, Text: id, Align: AlignCenter}, true
}

// TestSlip is the slip posctl test-print prints: what posd thinks the
// printer is (paper, columns), a ruler the width of a line, every
// printable ASCII character, and the time, so a person can see at once
// whether the configuration matches the printer.
func TestSlip(p Paper, version string, now time.Time) []Block {
	s := &slip{cols: p.Columns}
	s.lines(AlignCenter, true, true, "TEST")
	s.lines(AlignCenter, true, false, "posd test print")
	s.rule()
	s.pair("Paper", p.Name)
	s.pair("Columns", strconv.Itoa(p.Columns))
	s.pair("Dots", strconv.Itoa(p.Dots))
	s.pair("posd", version)
	s.pair("Time", now.Format(time.RFC3339))
	s.rule()
	ruler := ""
	for i := 1; len(ruler) < p.Columns; i++ {
		ruler += strconv.Itoa(i % 10)
	}
	s.lines(AlignLeft, false, false, ruler)
	for c := 0x20; c < 0x7f; c += p.Columns {
		var b strings.Builder
		for i := c; i < c+p.Columns && i < 0x7f; i++ {
			b.WriteByte(byte(i))
		}
		s.lines(AlignLeft, false, false, b.String())
	}
	s.rule()
	s.lines(AlignCenter, false, false, "If this slip came out whole,", "the printer works.")
	s.feed(3)
	s.blocks = append(s.blocks, Block{Kind: BlockCut})
	return s.blocks
}
