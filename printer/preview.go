package printer

import (
	"github.com/posd/posd/printer/virtual"
)

// PreviewModel is the printer a preview imitates: native QR, Chinese
// capable, PC858, with a cutter.
func PreviewModel(p Paper) Model {
	return Model{Paper: p, CodePage: DefaultCodePage, Chinese: true, NativeQR: true}
}

// Preview renders the slip for r as the virtual printer prints it on paper
// p: a PNG at the paper's dot width, and the text transcript. posctl
// receipt-preview and posd -demo call it. glyphs draws Chinese characters
// (display.OpenHexFont, the displays' Unifont); nil draws boxes.
func Preview(r Receipt, p Paper, opt LayoutOptions, glyphs virtual.Glyphs) (png []byte, transcript string, err error) {
	blocks, err := Layout(r, p, opt)
	if err != nil {
		return nil, "", err
	}
	doc, err := Encode(blocks, PreviewModel(p))
	if err != nil {
		return nil, "", err
	}
	m := virtual.NewMachine(virtual.Config{Dots: p.Dots, Chinese: true, Glyphs: glyphs})
	m.Execute(doc.Data)
	png, err = m.PNG()
	return png, m.Transcript(), err
}
