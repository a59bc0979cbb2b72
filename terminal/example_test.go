package terminal_test

import (
	"fmt"
	"time"

	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
)

// The flow is driven by hand here; terminal.Run does the same with real devices.
func ExampleMachine() {
	m, err := terminal.NewMachine(terminal.Config{Currency: "USD"})
	if err != nil {
		panic(err)
	}
	s, _ := m.Start(time.Now())
	keys, _ := keypad.ParseScript("12.50<ENTER>")
	for _, k := range keys {
		var effects []terminal.Effect
		s, effects = m.Step(s, terminal.Press{Key: k})
		for _, e := range effects {
			if start, ok := e.(terminal.StartPayment); ok {
				fmt.Println(start)
			}
		}
	}
	s, _ = m.Step(s, terminal.PaymentStarted{Attempt: 1, PaymentID: "PAY-1"})
	s, _ = m.Step(s, terminal.QRReady{PaymentID: "PAY-1", CodeValue: "https://qr.example/PAY-1"})
	fmt.Println(s.Phase, m.View(s).Customer.CodeValue)
	s, _ = m.Step(s, terminal.Succeeded{PaymentID: "PAY-1"})
	fmt.Println(s.Phase, m.View(s).Title)
	// Output:
	// StartPayment{attempt=1 USD 12.50 OrderCode}
	// qr https://qr.example/PAY-1
	// paid Paid
}
