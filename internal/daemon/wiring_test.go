package daemon

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/money"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
)

// examplePath is the documented example configuration.
const examplePath = "../../cmd/posd/posd.example.toml"

func TestCustomerScreen(t *testing.T) {
	amount := usd(1250)
	exp := time.Date(2026, 11, 23, 10, 3, 0, 0, time.UTC)
	for _, c := range []struct {
		in   terminal.Customer
		want display.Screen
	}{
		{terminal.Customer{Kind: terminal.CustomerIdle, Message: "Welcome"}, display.Screen{Kind: display.Idle, Merchant: "M"}},
		{terminal.Customer{Kind: terminal.CustomerAmount, Amount: amount}, display.Screen{Kind: display.AmountEntry, Merchant: "M", Amount: amount}},
		{terminal.Customer{Kind: terminal.CustomerProcessing, Amount: amount}, display.Screen{Kind: display.AmountEntry, Merchant: "M", Amount: amount}},
		{terminal.Customer{Kind: terminal.CustomerQR, Amount: amount, CodeValue: "https://qr", Expires: exp},
			display.Screen{Kind: display.Waiting, Merchant: "M", Amount: amount, QR: "https://qr", ExpiresAt: exp}},
		{terminal.Customer{Kind: terminal.CustomerPaid, Amount: amount}, display.Screen{Kind: display.Paid, Merchant: "M", Amount: amount}},
		{terminal.Customer{Kind: terminal.CustomerDeclined, Amount: amount, Message: "Insufficient balance"},
			display.Screen{Kind: display.Declined, Merchant: "M", Amount: amount, Reason: "Insufficient balance"}},
		{terminal.Customer{Kind: terminal.CustomerCancelled, Amount: amount}, display.Screen{Kind: display.Cancelled, Merchant: "M", Amount: amount}},
	} {
		got := customerScreen(c.in, "M", "")
		if got != c.want {
			t.Errorf("%+v:\n got %+v\nwant %+v", c.in, got, c.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%+v: the display refuses it: %v", c.in, err)
		}
	}
}

// Every outbox state maps to the manager list's status; only verified
// outcomes show as paid, failed or cancelled.
func TestSummaryStatus(t *testing.T) {
	want := map[queue.State]terminal.Status{
		queue.New: terminal.StatusPending, queue.Sent: terminal.StatusPending, queue.AwaitingBuyer: terminal.StatusPending,
		queue.Unknown: terminal.StatusPending, queue.Cancelling: terminal.StatusPending,
		queue.NeedsAttention: terminal.StatusAttention, queue.Succeeded: terminal.StatusSucceeded,
		queue.Refunding: terminal.StatusSucceeded, queue.PartiallyRefunded: terminal.StatusRefunded,
		queue.Refunded: terminal.StatusRefunded, queue.Failed: terminal.StatusFailed, queue.Cancelled: terminal.StatusCancelled,
	}
	for s, w := range want {
		if got := summaryStatus(s); got != w {
			t.Errorf("%s: %s, want %s", s, got, w)
		}
	}
}

func TestReceiptFunc(t *testing.T) {
	m := config.Merchant{Name: "Golden Noodle Bar", Store: "Main Street", TerminalID: "T01", Footer: "Thanks"}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	p := queue.Payment{RequestID: "T01-1", SaleID: "T01-1", Amount: usd(1250), PaymentID: "2026112300001", UpdatedAt: at,
		Refunds: []queue.Refund{{RequestID: "T01-1-R1", Amount: usd(250), RefundID: "RF1", State: queue.RefundSucceeded, UpdatedAt: at}}}
	for _, c := range []struct {
		kind   queue.ReceiptKind
		refund string
		want   printer.Kind
		result printer.Result
		amount int64
	}{
		{queue.SaleReceipt, "", printer.KindSale, printer.ResultPaid, 1250},
		{queue.VoidReceipt, "", printer.KindVoid, printer.ResultCancelled, 1250},
		{queue.RefundReceipt, "T01-1-R1", printer.KindRefund, printer.ResultRefunded, 250},
	} {
		raw, err := receiptFunc(m)(&p, c.kind, c.refund)
		if err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		var r printer.Receipt
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		if r.Kind != c.want || r.Result != c.result || r.Amount.Value != c.amount || r.MerchantName != m.Name ||
			r.PaymentRequestID != "T01-1" || r.PaymentID != "2026112300001" || r.LookupID() != "2026112300001" {
			t.Errorf("%s: %+v", c.kind, r)
		}
	}
	if _, err := receiptFunc(m)(&p, "gift", ""); err == nil {
		t.Error("an unknown receipt kind was accepted")
	}
}

func TestTillConfig(t *testing.T) {
	tc := tillConfig(config.Config{Till: config.Till{Currency: "JPY", MinAmount: "1", MaxAmount: "500000", ManagerPIN: "2468", ResultHold: config.Duration{Duration: 5 * time.Second}}})
	if tc.Currency != "JPY" || tc.MinAmount != (money.Amount{Currency: "JPY", Value: 1}) ||
		tc.MaxAmount != (money.Amount{Currency: "JPY", Value: 500000}) || tc.ManagerPIN != "2468" || tc.ResultHold != 5*time.Second {
		t.Fatalf("%+v", tc)
	}
	if _, err := terminal.NewMachine(tc); err != nil {
		t.Fatal(err)
	}
	// The example's till section is one the cashier flow accepts.
	cfg, err := config.Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := terminal.NewMachine(tillConfig(cfg)); err != nil {
		t.Fatalf("example till: %v", err)
	}
}

// TestTillResultHoldZeroWaitsForAKey: [till] result_hold = "0s" keeps the
// paid screen until a key, as posd.toml(5) says, not the flow's default.
func TestTillResultHoldZeroWaitsForAKey(t *testing.T) {
	tc := tillConfig(config.Config{Till: config.Till{Currency: "USD", ResultHold: config.Duration{}}})
	m, err := terminal.NewMachine(tc)
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	s := terminal.State{Phase: terminal.Paid, Now: since, Payment: terminal.Payment{ID: "P1", Since: since}}
	s, _ = m.Step(s, terminal.Tick{Now: since.Add(time.Hour)})
	if s.Phase != terminal.Paid {
		t.Errorf("an hour after a payment with result_hold 0s the till shows %v, want the paid screen until a key", s.Phase)
	}
}

func TestNotifyPath(t *testing.T) {
	for in, want := range map[string]string{
		"https://pos.example.com/alipay/notify": "/alipay/notify",
		"https://pos.example.com":               "/",
	} {
		if got := notifyPathOf(in); got != want {
			t.Errorf("notifyPathOf(%q) = %q", in, got)
		}
	}
}
