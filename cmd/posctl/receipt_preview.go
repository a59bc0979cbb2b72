package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/lang"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/printer/virtual"
)

// runReceiptPreview renders a slip exactly as the virtual printer prints it:
// a PNG at the paper's dot width, and the text transcript on stdout.
//
//	posctl receipt-preview --paper 58|80|tm-t88 (--sample | --receipt FILE.json | --payment ID) (--out FILE.png | --text) [--copy] [--code qr|code128|none] [--lang zh-CN|zh-TW|en]
//
// --payment asks posd (--socket) for the receipt it stored for the payment.
// --text prints the slip's text alone (no PNG needed); --lang prints the
// labels in that language. Chinese is drawn with GNU Unifont, the font of
// the customer displays.
func runReceiptPreview(args []string, s stdio) int {
	flags, g := daemonFlags("receipt-preview", s)
	payment := flags.String("payment", "", "preview the receipt posd stored for this paymentRequestId")
	paperName := flags.String("paper", "80", "paper: 58, 80 or tm-t88")
	sample := flags.Bool("sample", false, "preview a built-in sample sale")
	receiptFile := flags.String("receipt", "", "preview the receipt in this JSON file (the outbox's encoding)")
	out := flags.String("out", "", "PNG file to write")
	asCopy := flags.Bool("copy", false, "print the COPY marker of a reprint")
	code := flags.String("code", "qr", "look-up code: qr, code128 or none")
	langName := flags.String("lang", "", "labels in this language: zh-CN, zh-TW or en (default: the receipt's own)")
	textOnly := flags.Bool("text", false, "print the slip's text only; --out is then optional")
	if rc := parseFlags(flags, args); rc >= 0 {
		return rc
	}
	if *out == "" && !*textOnly {
		fmt.Fprintf(s.err, "posctl receipt-preview: --out is required (or --text)\n")
		return exitUsage
	}
	if *langName != "" {
		if _, err := lang.Parse(*langName); err != nil {
			fmt.Fprintf(s.err, "posctl receipt-preview: --lang: %v\n", err)
			return exitUsage
		}
	}
	paper, err := printer.PaperByName(*paperName)
	if err != nil {
		return fail(s, "%v", err)
	}
	symbols := map[string]printer.Symbol{"qr": printer.SymbolQR, "code128": printer.SymbolCode128, "none": printer.SymbolNone}
	symbol, ok := symbols[*code]
	if !ok {
		fmt.Fprintf(s.err, "posctl receipt-preview: --code must be qr, code128 or none\n")
		return exitUsage
	}
	var r printer.Receipt
	given := 0
	for _, set := range []bool{*sample, *receiptFile != "", *payment != ""} {
		if set {
			given++
		}
	}
	switch {
	case given != 1:
		fmt.Fprintf(s.err, "posctl receipt-preview: give exactly one of --sample, --receipt and --payment\n")
		return exitUsage
	case *sample:
		r = printer.SampleReceipt()
	case *payment != "":
		if code := call(s, g, func(ctx context.Context, c *posapi.Client) error {
			data, err := c.Receipt(ctx, *payment)
			if err != nil {
				return err
			}
			return json.Unmarshal(data, &r)
		}); code != exitOK {
			return code
		}
	default:
		data, err := os.ReadFile(*receiptFile)
		if err != nil {
			return fail(s, "%v", err)
		}
		if err := json.Unmarshal(data, &r); err != nil {
			return fail(s, "%s: %v", *receiptFile, err)
		}
	}
	if *langName != "" {
		r.Language = *langName
	}
	var glyphs virtual.Glyphs
	if f, err := display.OpenHexFont(display.DefaultHexFontPath, nil); err == nil {
		glyphs = f
	} else if *out != "" {
		fmt.Fprintf(s.err, "posctl receipt-preview: %v: Chinese text is drawn as boxes (apt-get install unifont)\n", err)
	}
	png, transcript, err := printer.Preview(r, paper, printer.LayoutOptions{Copy: *asCopy, Symbol: symbol}, glyphs)
	if err != nil {
		return fail(s, "%v", err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, png, 0o644); err != nil {
			return fail(s, "%v", err)
		}
	}
	fmt.Fprint(s.out, transcript)
	return exitOK
}
