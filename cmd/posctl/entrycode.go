package main

import (
	"context"
	"fmt"
	"os"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/printer"
)

// runEntryCode writes the Entry Code sticker for the counter: the QR of
// the till's entry page URL, the merchant and store, "支付宝 Alipay" and
// "Scan to pay", as the receipt printer would print it.
//
//	posctl entry-code --out FILE.png [--paper 58|80] [--print]
//
// posd (--socket) says what the sticker shows, from [entry_code] url; with
// --print posd also prints it on the receipt printer, on that printer's
// paper.
func runEntryCode(args []string, s stdio) int {
	flags, g := daemonFlags("entry-code", s)
	out := flags.String("out", "", "PNG file to write")
	paperName := flags.String("paper", "80", "paper: 58 or 80")
	print := flags.Bool("print", false, "also print the sticker on the receipt printer")
	if rc := parseFlags(flags, args, "out"); rc >= 0 {
		return rc
	}
	if *paperName != "58" && *paperName != "80" {
		fmt.Fprintf(s.err, "posctl entry-code: --paper must be 58 or 80\n")
		return exitUsage
	}
	paper, err := printer.PaperByName(*paperName)
	if err != nil {
		return fail(s, "%v", err)
	}
	var ec posapi.EntryCode
	if code := call(s, g, func(ctx context.Context, c *posapi.Client) error {
		ec, err = c.EntryCode(ctx)
		return err
	}); code != exitOK {
		return code
	}
	png, transcript, err := printer.PreviewSticker(printer.Sticker{MerchantName: ec.MerchantName, StoreName: ec.StoreName, URL: ec.URL}, paper)
	if err != nil {
		return fail(s, "%v", err)
	}
	if err := os.WriteFile(*out, png, 0o644); err != nil {
		return fail(s, "%v", err)
	}
	fmt.Fprint(s.out, transcript)
	if *print {
		if code := call(s, g, func(ctx context.Context, c *posapi.Client) error {
			return c.PrintEntryCode(ctx)
		}); code != exitOK {
			return code
		}
		fmt.Fprintln(s.out, "printed on the receipt printer")
	}
	return exitOK
}
