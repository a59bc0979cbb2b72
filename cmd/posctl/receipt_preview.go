package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer"
)

// runReceiptPreview renders a slip exactly as the virtual printer prints it:
// a PNG at the paper's dot width, and the text transcript on stdout.
//
//	posctl receipt-preview --paper 58|80|tm-t88 (--sample | --receipt FILE.json | --payment ID) --out FILE.png [--copy] [--code qr|code128|none]
//
// --payment asks posd (--socket) for the receipt it stored for the payment.
func runReceiptPreview(args []string, s stdio) int {
	flags, g := daemonFlags("receipt-preview", s)
	payment := flags.String("payment", "", "preview the receipt posd stored for this paymentRequestId")
	paperName := flags.String("paper", "80", "paper: 58, 80 or tm-t88")
	sample := flags.Bool("sample", false, "preview a built-in sample sale")
	receiptFile := flags.String("receipt", "", "preview the receipt in this JSON file (the outbox's encoding)")
	out := flags.String("out", "", "PNG file to write")
	asCopy := flags.Bool("copy", false, "print the COPY marker of a reprint")
	code := flags.String("code", "qr", "look-up code: qr, code128 or none")
	if rc := parseFlags(flags, args, "out"); rc >= 0 {
		return rc
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
	png, transcript, err := printer.Preview(r, paper, printer.LayoutOptions{Copy: *asCopy, Symbol: symbol})
	if err != nil {
		return fail(s, "%v", err)
	}
	if err := os.WriteFile(*out, png, 0o644); err != nil {
		return fail(s, "%v", err)
	}
	fmt.Fprint(s.out, transcript)
	return exitOK
}
