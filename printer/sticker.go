package printer

import (
	"fmt"
	"strings"

	"github.com/posd/posd/printer/virtual"
)

// Sticker is the Entry Code sticker for the counter: a static QR of the
// till's entry page that customers scan with the Alipay wallet
// (https://docs.antom.com/ac/ams/ec).
type Sticker struct {
	MerchantName string
	StoreName    string
	URL          string // what the QR encodes, exactly
}

// LayoutSticker lays the sticker out for paper p: names, "支付宝 Alipay",
// the QR and "Scan to pay", then a cut.
func LayoutSticker(st Sticker, p Paper) ([]Block, error) {
	if st.URL == "" || len(st.URL) > 1024 || strings.ContainsFunc(st.URL, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return nil, fmt.Errorf("%w: sticker URL %q", ErrInvalidReceipt, st.URL)
	}
	if p.Columns < 16 || p.Dots < 8*p.Columns {
		return nil, fmt.Errorf("%w: %d columns on %d dots", ErrUnknownPaper, p.Columns, p.Dots)
	}
	s := &slip{cols: p.Columns}
	s.lines(AlignCenter, true, true, Wrap(printable(st.MerchantName), p.Columns/2)...)
	if st.StoreName != "" && st.StoreName != st.MerchantName {
		s.lines(AlignCenter, false, false, Wrap(printable(st.StoreName), p.Columns)...)
	}
	s.feed(1)
	s.lines(AlignCenter, true, true, "支付宝 Alipay")
	s.feed(1)
	s.blocks = append(s.blocks, Block{Kind: BlockQR, Text: st.URL, Align: AlignCenter})
	s.feed(1)
	s.lines(AlignCenter, true, false, "扫码付款 Scan to pay")
	s.blocks = append(s.blocks, Block{Kind: BlockCut})
	return s.blocks, nil
}

// PreviewSticker renders the sticker as the virtual printer prints it: a
// PNG at the paper's dot width, and the text transcript.
func PreviewSticker(st Sticker, p Paper) (png []byte, transcript string, err error) {
	blocks, err := LayoutSticker(st, p)
	if err != nil {
		return nil, "", err
	}
	doc, err := Encode(blocks, PreviewModel(p))
	if err != nil {
		return nil, "", err
	}
	m := virtual.NewMachine(virtual.Config{Dots: p.Dots, Chinese: true})
	m.Execute(doc.Data)
	png, err = m.PNG()
	return png, m.Transcript(), err
}
