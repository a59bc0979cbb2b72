package main

import (
	"context"
	"fmt"
	"os"

	"github.com/posd/posd/cmd/internal/posapi"
)

// runReceiptPreview writes a receipt as the virtual printer prints it.
// With --payment posd renders the stored payment's receipt.
func runReceiptPreview(args []string, s stdio) int {
	fs := daemonFlags("receipt-preview", &s)
	paper := fs.String("paper", "80", "paper width: 58 or 80 (mm)")
	payment := fs.String("payment", "", "paymentRequestId of a stored payment")
	out := fs.String("out", "", "PNG file to write")
	if code := parseFlags(fs, args, "out", "payment"); code >= 0 {
		return code
	}
	if *paper != "58" && *paper != "80" {
		fmt.Fprintf(s.err, "posctl receipt-preview: --paper %q: want 58 or 80\n", *paper)
		return exitUsage
	}
	return call(s, func(ctx context.Context, c *posapi.Client) error {
		png, err := c.Receipt(ctx, *payment, *paper)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, png, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(s.err, "wrote %s (%d bytes)\n", *out, len(png))
		return nil
	})
}
