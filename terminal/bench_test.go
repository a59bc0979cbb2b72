package terminal_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
	"github.com/posd/posd/terminal/terminaltest"
)

// BenchmarkStep is the cost of one key in the pure flow (including the
// two screen renderings Step compares).
func BenchmarkStep(b *testing.B) {
	m, err := terminal.NewMachine(terminal.Config{Currency: "USD"})
	if err != nil {
		b.Fatal(err)
	}
	s, _ := m.Start(time.Now())
	digit, back := terminal.Press{Key: keypad.DigitKey('5')}, terminal.Press{Key: keypad.Key{Kind: keypad.Back}}
	for b.Loop() {
		s, _ = m.Step(s, digit)
		s, _ = m.Step(s, back)
	}
}

// BenchmarkRunSale measures, through Run with in-memory doubles, one sale
// as the terminal sees it: Enter → StartPayment at the outbox → QR event →
// QR screen handed to the display → success event → paid screen → Enter →
// ready. It bounds the terminal's own share of "Enter to QR frame".
func BenchmarkRunSale(b *testing.B) {
	m, err := terminal.NewMachine(terminal.Config{Currency: "USD", ResultHold: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys := keypad.NewScript(16)
	events := make(chan terminal.Input)
	outbox, display := terminaltest.NewOutbox(), terminaltest.NewDisplay()
	done := make(chan error, 1)
	go func() {
		done <- terminal.Run(ctx, terminal.Options{Machine: m, Keys: keys.Keys(ctx), Events: events,
			Outbox: outbox, Display: display, Ticks: make(chan time.Time), Logger: slog.New(slog.DiscardHandler)})
	}()
	wait := func(p terminal.Phase) {
		if _, err := display.WaitScreen(ctx, func(s terminal.Screen) bool { return s.Phase == p }); err != nil {
			b.Fatal(err)
		}
	}
	send := func(in terminal.Input) {
		select {
		case events <- in:
		case <-ctx.Done():
			b.Fatal(ctx.Err())
		}
	}
	n := 0
	for b.Loop() {
		n++
		if err := keys.Send(ctx, "1<ENTER>"); err != nil {
			b.Fatal(err)
		}
		if _, err := outbox.NextCall(ctx); err != nil {
			b.Fatal(err)
		}
		id := fmt.Sprintf("PAY-%d", n)
		send(terminal.QRReady{PaymentID: id, CodeValue: "https://qr.example/" + id})
		wait(terminal.ShowingQR)
		send(terminal.Succeeded{PaymentID: id})
		wait(terminal.Paid)
		if err := keys.Send(ctx, "<ENTER>"); err != nil {
			b.Fatal(err)
		}
		wait(terminal.Ready)
	}
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
