package terminal

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal/keypad"
)

func TestView(t *testing.T) {
	implied := baseConfig()
	implied.ImpliedDecimal = true
	tests := []struct {
		name     string
		cfg      Config
		in       []Input
		amount   string
		customer Customer
		alerts   []string
		line     string // a line that must be shown
	}{
		{"idle", baseConfig(), nil, "USD 0.00", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, ""},
		{"typing shows the customer the amount", baseConfig(), keys("12.5"), "USD 12.5", Customer{Kind: CustomerAmount, Amount: usd(1250)}, nil, ""},
		{"implied decimals", implied, keys("125"), "USD 1.25", Customer{Kind: CustomerAmount, Amount: usd(125)}, nil, ""},
		{"qr", baseConfig(), toQR, "USD 12.50", Customer{Kind: CustomerQR, Amount: usd(1250), CodeValue: "https://qr.example/P1",
			Expires: t0.Add(2 * time.Minute), Message: "Scan with Alipay to pay"}, nil, "Code valid until 14:02:00"},
		{"expired qr is hidden", baseConfig(), seq(toQR, Tick{t0.Add(2 * time.Minute)}), "USD 12.50",
			Customer{Kind: CustomerProcessing, Amount: usd(1250), Message: "Code expired, please wait"}, nil, ""},
		{"paid", baseConfig(), toPaid, "USD 12.50", Customer{Kind: CustomerPaid, Amount: usd(1250), Message: "Thank you"}, nil, "Printing receipt"},
		{"receipt trouble", baseConfig(), seq(toPaid, SlipPrinted{"P1", false, "out of paper"}), "USD 12.50",
			Customer{Kind: CustomerPaid, Amount: usd(1250), Message: "Thank you"}, nil, "Receipt not printed: out of paper (reprint from the manager menu)"},
		{"attention is never shown as paid", baseConfig(), seq(toQR, NeedsAttention{"P1", "cancel unanswered"}), "USD 12.50",
			Customer{Kind: CustomerProcessing, Amount: usd(1250), Message: "Please wait for staff"},
			[]string{"1 payment(s) need attention: see the manager menu"}, "Do not hand over goods; do not charge again"},
		{"the alert outlives the attention screen", baseConfig(), seq(toQR, NeedsAttention{"P1", "?"}, "<ENTER>"), "USD 0.00",
			Customer{Kind: CustomerIdle, Message: "Welcome"}, []string{"1 payment(s) need attention: see the manager menu"}, ""},
		{"and ends when the payment is settled", baseConfig(), seq(toQR, NeedsAttention{"P1", "?"}, "<ENTER>", Cancelled{"P1"}), "USD 0.00",
			Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, ""},
		{"trouble everywhere", baseConfig(), seq(Health{Network, false, "no route"}, Health{Gateway, false, "HTTP 503"}, Health{Printer, false, "cover open"},
			Health{Events, false, "3 events never reached the broker"}, NeedsAttention{"P0", "?"}), "USD 0.00", Customer{Kind: CustomerIdle, Message: "Welcome"},
			[]string{"Network down: no route", "Alipay gateway trouble: HTTP 503", "Printer: cover open", "Back office: 3 events never reached the broker",
				"1 payment(s) need attention: see the manager menu"}, ""},
		{"trouble over", baseConfig(), seq(Health{Network, false, "no route"}, Health{Network, true, ""}, NeedsAttention{"P0", "?"}, Cancelled{"P0"}),
			"USD 0.00", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, ""},
		{"PIN is masked", baseConfig(), keys("<F1>246"), "***", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, ""},
		{"recent list", baseConfig(), seq(toMenu, "3", RecentLoaded{Payments: recent}), "", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, "1 14:00 USD 12.50 paid"},
		// Issue 12, item 10: the refund list shows what is left; the confirm
		// screen the original amount, its time and what is left.
		{"refund list shows what is left", baseConfig(), seq(toMenu, "1", RecentLoaded{Payments: partlyRefunded}), "", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, "1 14:00 USD 12.50, USD 9.50 left"},
		{"refund confirm: original amount and time", baseConfig(), seq(toRefundAmt, "2<ENTER>"), "USD 2.00", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, "Paid USD 12.50 at 2026-11-23 14:00"},
		{"refund confirm: what is left", baseConfig(), seq(toRefundAmt, "2<ENTER>"), "USD 2.00", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, "Left to refund USD 12.50, after this USD 10.50"},
		{"following the refund", baseConfig(), seq(toRefundAmt, "2<ENTER><ENTER>", RefundAccepted{"P9", "P9-R1"}), "", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, "Refund of USD 2.00 sent to Alipay: waiting for its answer"},
		{"refund result", baseConfig(), seq(toRefundAmt, "2<ENTER><ENTER>", RefundAccepted{"P9", "P9-R1"}, RefundSettled{"P9", "P9-R1", false, "REFUND_WINDOW_EXCEED"}), "", Customer{Kind: CustomerIdle, Message: "Welcome"}, nil, "Refund of USD 2.00 failed: REFUND_WINDOW_EXCEED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, m := run(t, tt.cfg, tt.in)
			v := m.View(s)
			if v.Amount != tt.amount {
				t.Errorf("amount %q, want %q", v.Amount, tt.amount)
			}
			if v.Customer != tt.customer {
				t.Errorf("customer %+v, want %+v", v.Customer, tt.customer)
			}
			if !slices.Equal(v.Alerts, tt.alerts) {
				t.Errorf("alerts %q, want %q", v.Alerts, tt.alerts)
			}
			if tt.line != "" && !slices.Contains(v.Lines, tt.line) {
				t.Errorf("lines %q lack %q", v.Lines, tt.line)
			}
			if strings.Contains(strings.Join(v.Lines, " ")+v.Amount+v.Notice, "2468") {
				t.Error("the PIN is on screen")
			}
		})
	}
}

func TestStepLeavesItsInputAlone(t *testing.T) {
	s, _, m := run(t, baseConfig(), seq(toList, NeedsAttention{"P0", "?"}))
	before := slices.Clone(s.Recent)
	s2, _ := m.Step(s, Cancelled{"P0"})
	if !slices.Equal(s.Unsettled, []string{"P0"}) || len(s2.Unsettled) != 0 || !slices.Equal(s.Recent, before) {
		t.Errorf("Step changed the state it was given: %v / %v", s.Unsettled, s2.Unsettled)
	}
}

func TestNewMachineRejects(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no currency":       {},
		"unknown currency":  {Currency: "XXX"},
		"min above max":     {Currency: "USD", MinAmount: usd(500), MaxAmount: usd(100)},
		"max in another":    {Currency: "USD", MaxAmount: money.Amount{Currency: "EUR", Value: 100}},
		"short PIN":         {Currency: "USD", ManagerPIN: "12"},
		"letters in PIN":    {Currency: "USD", ManagerPIN: "12ab"},
		"manager key F30":   {Currency: "USD", ManagerKey: 30},
		"ten recent":        {Currency: "USD", RecentCount: 10},
		"negative lockout":  {Currency: "USD", PINLockout: -time.Second},
		"negative attempts": {Currency: "USD", PINAttempts: -1},
	} {
		if _, err := NewMachine(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestRandomSequences feeds arbitrary keys and outbox events and checks the
// money invariants after every step. The outbox is played by the test: it
// answers StartPayment and sends events for live, old and unknown payments.
func TestRandomSequences(t *testing.T) {
	cfg := baseConfig()
	cfg.MinAmount = usd(50)
	cfg.Confirm = true
	m, err := NewMachine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	allKeys, _ := keypad.ParseScript("0123456789.<BACK><CLEAR><ENTER><CANCEL><F1><F2><SCAN:281234567890123456>")
	allKeys = append(allKeys, keypad.Key{Kind: 77}, keypad.Key{Kind: keypad.Digit, Digit: 'z'})
	pin, _ := keypad.ParseScript("2468<ENTER>")

	for seed := range uint64(150) { // bounded: 45,000 steps, about a second under -race
		rng := rand.New(rand.NewPCG(seed, 7))
		now := t0
		s, _ := m.Start(now)
		var (
			live      string // payment the outbox holds live for the till
			succeeded = map[string]bool{}
			ids       = []string{"OLD1"}
			inputs    []Input
		)
		for step := range 300 {
			var in Input
			switch r := rng.IntN(100); {
			case r < 55:
				in = Press{allKeys[rng.IntN(len(allKeys))]}
			case r < 60:
				in = Press{pin[rng.IntN(len(pin))]}
			case r < 65:
				now = now.Add(time.Duration(rng.IntN(90)) * time.Second)
				in = Tick{now}
			case r < 70:
				in = Health{Part(rng.IntN(4)), rng.IntN(2) == 0, "x"}
			case r < 75:
				in = RecentLoaded{Payments: []Summary{{PaymentID: ids[rng.IntN(len(ids))], Amount: usd(int64(rng.IntN(3000))), Status: StatusSucceeded}}}
			default:
				id := ids[rng.IntN(len(ids))]
				switch rng.IntN(8) {
				case 0:
					in = QRReady{id, "https://qr.example/" + id, now.Add(time.Minute)}
				case 1:
					in = Succeeded{id, usd(100)}
				case 2:
					in = Failed{id, "x"}
				case 3:
					in = Cancelled{id}
				case 4:
					in = NeedsAttention{id, "x"}
				case 5:
					in = CancelRefused{id, "x"}
				case 6:
					in = SlipPrinted{id, rng.IntN(2) == 0, "x"}
				default:
					in = Reprinted{id, ""}
				}
			}
			// The test's outbox honours its own rules: a final event ends the live payment.
			switch e := in.(type) {
			case Succeeded:
				succeeded[e.PaymentID] = true
				if e.PaymentID == live {
					live = ""
				}
			case Failed:
				if e.PaymentID == live {
					live = ""
				}
			case Cancelled:
				if e.PaymentID == live {
					live = ""
				}
			case NeedsAttention:
				if e.PaymentID == live {
					live = "" // the outbox keeps it, but the till is free again
				}
			}
			inputs = append(inputs, in)
			kept := s
			kept.Unsettled, kept.Recent = slices.Clone(s.Unsettled), slices.Clone(s.Recent)
			prev := s
			var effs []Effect
			s, effs = m.Step(s, in)
			if !reflect.DeepEqual(prev, kept) {
				t.Fatalf("seed %d step %d: Step changed its input state", seed, step)
			}
			for len(effs) > 0 {
				e := effs[0]
				effs = effs[1:]
				switch e := e.(type) {
				case StartPayment:
					if live != "" {
						t.Fatalf("seed %d step %d: second live payment (live %q) after %v", seed, step, live, inputs)
					}
					if e.Amount.Value < cfg.MinAmount.Value || e.Amount.Value > cfg.MaxAmount.Value || e.Amount.Currency != "USD" {
						t.Fatalf("seed %d step %d: amount %s outside the limits", seed, step, e.Amount)
					}
					if e.Scenario == PaymentCode && e.CustomerCode == "" {
						t.Fatalf("seed %d: payment code without a code", seed)
					}
					if rng.IntN(5) == 0 {
						var more []Effect
						s, more = m.Step(s, StartRefused{e.Attempt, "no"})
						effs = append(effs, more...)
					} else {
						id := "P" + string(rune('A'+len(ids)%26)) + time.Duration(len(ids)).String()
						ids = append(ids, id)
						live = id
						var more []Effect
						s, more = m.Step(s, PaymentStarted{e.Attempt, id})
						effs = append(effs, more...)
					}
				case CancelPayment:
					if e.PaymentID == "" {
						t.Fatalf("seed %d: cancel without an id", seed)
					}
				case Refund:
					if e.Amount.Value <= 0 {
						t.Fatalf("seed %d: refund of %s", seed, e.Amount)
					}
				case Show:
					c := e.Screen.Customer
					if (c.Kind == CustomerPaid || e.Screen.Phase == Paid) && !succeeded[s.Payment.ID] {
						t.Fatalf("seed %d step %d: shows paid for %q without a success event", seed, step, s.Payment.ID)
					}
					if c.Kind == CustomerQR && (s.Payment.ID == "" || c.CodeValue != "https://qr.example/"+s.Payment.ID) {
						t.Fatalf("seed %d step %d: shows a QR %q that is not the live payment's %q", seed, step, c.CodeValue, s.Payment.ID)
					}
				}
			}
			if v, ok := entryValue(s.Entry, 2, false); s.Phase == Ready && (!ok || v > cfg.MaxAmount.Value) {
				t.Fatalf("seed %d step %d: entry %q beyond the limit", seed, step, s.Entry)
			}
			if s.Phase == Paid && !succeeded[s.Payment.ID] {
				t.Fatalf("seed %d step %d: paid without success", seed, step)
			}
			if live != "" && !s.Phase.live() {
				t.Fatalf("seed %d step %d: till in %v while %s is live", seed, step, s.Phase, live)
			}
		}
	}
}

// TestViewChinese: with [merchant] language = "zh-CN" the cashier reads
// Chinese, a decline in words (never the code), and the customer display
// gets the code's customer words as a catalog key to show in its languages.
func TestViewChinese(t *testing.T) {
	cfg := baseConfig()
	var err error
	if cfg.Language, err = lang.Parse("zh-CN"); err != nil {
		t.Fatal(err)
	}
	st, _, m := run(t, cfg, nil)
	if v := m.View(st); v.Title != "新交易" {
		t.Errorf("ready title %q", v.Title)
	}
	st, _, m = run(t, cfg, seq(toQR, Failed{"P1", "USER_BALANCE_NOT_ENOUGH"}))
	v := m.View(st)
	all := strings.Join(append(v.Lines, v.Title, v.Hint), "|")
	if v.Title != "支付失败" || !strings.Contains(all, "余额不足") || strings.Contains(all, "USER_BALANCE") {
		t.Errorf("declined: %q", all)
	}
	if v.Customer.Message != "Insufficient balance" {
		t.Errorf("customer message %q", v.Customer.Message)
	}
}
