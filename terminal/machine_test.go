package terminal

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal/keypad"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

func usd(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }

func baseConfig() Config {
	return Config{Currency: "USD", MaxAmount: usd(50000), ManagerPIN: "2468"}
}

// keys turns a key script into Press inputs.
func keys(script string) []Input {
	ks, err := keypad.ParseScript(script)
	if err != nil {
		panic(err)
	}
	out := make([]Input, len(ks))
	for i, k := range ks {
		out[i] = Press{k}
	}
	return out
}

func seq(parts ...any) []Input {
	var out []Input
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			out = append(out, keys(p)...)
		case Input:
			out = append(out, p)
		case []Input:
			out = append(out, p...)
		default:
			panic(fmt.Sprintf("seq: %T", p))
		}
	}
	return out
}

// run feeds inputs to a fresh machine and returns the final state and the
// effects of the last input, without Show effects.
func run(t *testing.T, cfg Config, inputs []Input) (State, []Effect, *Machine) {
	t.Helper()
	m, err := NewMachine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Start(t0)
	var last []Effect
	for _, in := range inputs {
		var effs []Effect
		s, effs = m.Step(s, in)
		last = nil
		for _, e := range effs {
			if _, ok := e.(Show); !ok {
				last = append(last, e)
			}
		}
	}
	return s, last, m
}

var (
	beepErr = Beep{BeepError}
	beepOK  = Beep{BeepSuccess}
)

// Preludes that bring the machine to each phase.
var (
	toQR      = seq("12.50<ENTER>", PaymentStarted{1, "P1"}, QRReady{"P1", "https://qr.example/P1", t0.Add(2 * time.Minute)})
	toWaiting = seq("12.50<ENTER>", PaymentStarted{1, "P1"})
	toUPM     = seq("12.50<SCAN:281234567890123456>", PaymentStarted{1, "P1"})
	toPaid    = seq(toQR, Succeeded{"P1", usd(1250)})
	toMenu    = seq("<F1>2468<ENTER>")
	recent    = []Summary{{PaymentID: "P9", Amount: usd(1250), Status: StatusSucceeded, Time: t0}, {PaymentID: "P8", Amount: usd(500), Status: StatusFailed, Time: t0}}
	// partlyRefunded: P7 refunded in full, P6 failed, P9 with 9.50 left.
	partlyRefunded = []Summary{{PaymentID: "P9", Amount: usd(1250), Refunded: usd(300), Status: StatusRefunded, Time: t0},
		{PaymentID: "P7", Amount: usd(500), Refunded: usd(500), Status: StatusRefunded, Time: t0},
		{PaymentID: "P6", Amount: usd(500), Status: StatusFailed, Time: t0}, {PaymentID: "P5", Amount: usd(800), Status: StatusSucceeded, Time: t0}}
	toList      = seq(toMenu, "1", RecentLoaded{Payments: recent})
	toRefundAmt = seq(toList, "1")
)

func TestTransitions(t *testing.T) {
	confirm := baseConfig()
	confirm.Confirm = true
	implied := baseConfig()
	implied.ImpliedDecimal = true
	jpy := Config{Currency: "JPY", ManagerPIN: "2468"}
	min := baseConfig()
	min.MinAmount = usd(100)
	noPIN := baseConfig()
	noPIN.ManagerPIN = ""

	tests := []struct {
		name    string
		cfg     Config
		in      []Input
		phase   Phase
		effects []Effect
		entry   string
		notice  string // substring; "" means the notice must be empty
	}{
		// Typing an amount.
		{"digits", baseConfig(), keys("125"), Ready, nil, "125", ""},
		{"decimal point", baseConfig(), keys("12.5"), Ready, nil, "12.5", ""},
		{"point first", baseConfig(), keys("."), Ready, nil, "0.", ""},
		{"no leading zeros", baseConfig(), keys("007"), Ready, nil, "7", ""},
		{"zero then point", baseConfig(), keys("0.05"), Ready, nil, "0.05", ""},
		{"third decimal refused", baseConfig(), keys("1.259"), Ready, []Effect{beepErr}, "1.25", "decimal places"},
		{"second point refused", baseConfig(), keys("1.2."), Ready, []Effect{beepErr}, "1.2", "decimal point"},
		{"point in JPY refused", jpy, keys("12."), Ready, []Effect{beepErr}, "12", "no decimals"},
		{"point with implied decimals refused", implied, keys("1."), Ready, []Effect{beepErr}, "1", "No decimal point"},
		{"implied skips leading zero", implied, keys("0012"), Ready, nil, "12", ""},
		{"over the limit refused", baseConfig(), keys("5000"), Ready, []Effect{beepErr}, "500", "At most USD 500.00"},
		{"exactly the limit", baseConfig(), keys("500.00"), Ready, nil, "500.00", ""},
		{"too many digits", Config{Currency: "JPY"}, keys("12345678901234567"), Ready, []Effect{beepErr}, "1234567890123456", "too long"},
		{"back", baseConfig(), keys("12.5<BACK>"), Ready, nil, "12.", ""},
		{"back on empty", baseConfig(), keys("<BACK>"), Ready, nil, "", ""},
		{"clear", baseConfig(), keys("12.5<CLEAR>"), Ready, nil, "", ""},
		{"cancel clears", baseConfig(), keys("12<CANCEL>"), Ready, nil, "", ""},
		{"unknown function key ignored", baseConfig(), keys("12<F7>"), Ready, nil, "12", ""},
		{"invalid key ignored", baseConfig(), seq("12", Press{keypad.Key{Kind: 99}}, Press{keypad.Key{Kind: keypad.Digit, Digit: 'x'}}), Ready, nil, "12", ""},
		{"next key clears the notice", baseConfig(), keys("5000<BACK>"), Ready, nil, "50", ""},

		// Enter and scan.
		{"enter starts an order code payment", baseConfig(), keys("12.50<ENTER>"), Starting,
			[]Effect{StartPayment{Attempt: 1, Amount: usd(1250), Scenario: OrderCode}}, "12.50", ""},
		{"implied amount", implied, keys("1250<ENTER>"), Starting,
			[]Effect{StartPayment{Attempt: 1, Amount: usd(1250), Scenario: OrderCode}}, "1250", ""},
		{"enter on nothing", baseConfig(), keys("<ENTER>"), Ready, []Effect{beepErr}, "", "Type an amount"},
		{"enter on zero", baseConfig(), keys("0.00<ENTER>"), Ready, []Effect{beepErr}, "0.00", "Type an amount"},
		{"below the minimum", min, keys("0.99<ENTER>"), Ready, []Effect{beepErr}, "0.99", "least"},
		{"scan starts a payment code payment", baseConfig(), keys("8<SCAN:281234567890123456>"), Starting,
			[]Effect{StartPayment{Attempt: 1, Amount: usd(800), Scenario: PaymentCode, CustomerCode: "281234567890123456"}}, "8", ""},
		{"scan without an amount", baseConfig(), keys("<SCAN:281234567890123456>"), Ready, []Effect{beepErr}, "", "Type the amount, then scan"},

		// Confirmation.
		{"confirm step", confirm, keys("12.50<ENTER>"), Confirming, nil, "12.50", ""},
		{"confirmed", confirm, keys("12.50<ENTER><ENTER>"), Starting, []Effect{StartPayment{Attempt: 1, Amount: usd(1250), Scenario: OrderCode}}, "12.50", ""},
		{"confirm then scan", confirm, keys("12.50<ENTER><SCAN:281234567890123456>"), Starting,
			[]Effect{StartPayment{Attempt: 1, Amount: usd(1250), Scenario: PaymentCode, CustomerCode: "281234567890123456"}}, "12.50", ""},
		{"confirm cancelled keeps the amount", confirm, keys("12.50<ENTER><CANCEL>"), Ready, nil, "12.50", ""},
		{"digits ignored while confirming", confirm, keys("12.50<ENTER>7"), Confirming, nil, "12.50", ""},

		// Starting.
		{"started", baseConfig(), toWaiting, Waiting, nil, "12.50", ""},
		{"start refused", baseConfig(), seq("12.50<ENTER>", StartRefused{1, "disk full"}), Ready, []Effect{beepErr}, "12.50", "disk full"},
		{"stale refusal ignored", baseConfig(), seq("12.50<ENTER>", StartRefused{7, "x"}), Starting, nil, "12.50", ""},
		{"cancel before the outbox answered", baseConfig(), seq("12.50<ENTER><CANCEL>", PaymentStarted{1, "P1"}), Cancelling,
			[]Effect{CancelPayment{"P1"}}, "12.50", ""},
		{"started without an id", baseConfig(), seq("12.50<ENTER>", PaymentStarted{1, ""}), Attention, nil, "12.50", ""},
		{"unexpected started payment is cancelled", baseConfig(), seq(PaymentStarted{5, "PX"}), Ready, []Effect{CancelPayment{"PX"}}, "", ""},
		{"second started for the same attempt is cancelled", baseConfig(), seq(toWaiting, PaymentStarted{1, "P2"}), Waiting, []Effect{CancelPayment{"P2"}}, "12.50", ""},
		{"digits ignored while live", baseConfig(), seq(toWaiting, "99"), Waiting, nil, "12.50", ""},
		{"manager key ignored while live", baseConfig(), seq(toWaiting, "<F1>"), Waiting, nil, "12.50", ""},
		{"scan refused while live", baseConfig(), seq(toWaiting, "<SCAN:281234567890123456>"), Waiting, []Effect{beepErr}, "12.50", "in progress"},

		// QR.
		{"qr shown", baseConfig(), toQR, ShowingQR, nil, "12.50", ""},
		{"qr for another payment ignored", baseConfig(), seq(toWaiting, QRReady{"P0", "x", t0}), Waiting, nil, "12.50", ""},
		{"qr for a payment code payment ignored", baseConfig(), seq(toUPM, QRReady{"P1", "x", t0}), Waiting, nil, "12.50", ""},
		{"cancel while showing the qr", baseConfig(), seq(toQR, "<CANCEL>"), Cancelling, []Effect{CancelPayment{"P1"}}, "12.50", ""},
		{"cancel while waiting", baseConfig(), seq(toUPM, "<CANCEL>"), Cancelling, []Effect{CancelPayment{"P1"}}, "12.50", ""},
		{"second cancel does nothing", baseConfig(), seq(toQR, "<CANCEL><CANCEL>"), Cancelling, nil, "12.50", ""},
		{"cancel refused", baseConfig(), seq(toQR, "<CANCEL>", CancelRefused{"P1", "already paid"}), ShowingQR, []Effect{beepErr}, "12.50", "already paid"},
		{"cancel refused before qr", baseConfig(), seq(toWaiting, "<CANCEL>", CancelRefused{"P1", "busy"}), Waiting, []Effect{beepErr}, "12.50", "busy"},

		// Outcomes.
		{"paid", baseConfig(), toPaid, Paid, []Effect{beepOK}, "12.50", ""},
		{"paid by payment code", baseConfig(), seq(toUPM, Succeeded{"P1", usd(1250)}), Paid, []Effect{beepOK}, "12.50", ""},
		{"success of another payment is not ours", baseConfig(), seq(toQR, Succeeded{"P0", usd(1250)}), ShowingQR, nil, "12.50", ""},
		{"success before started is not ours", baseConfig(), seq("12.50<ENTER>", Succeeded{"", usd(1250)}), Starting, nil, "12.50", ""},
		{"late success after cancel asked", baseConfig(), seq(toQR, "<CANCEL>", Succeeded{"P1", usd(1250)}), Paid, []Effect{beepOK}, "12.50", ""},
		{"failed", baseConfig(), seq(toQR, Failed{"P1", "USER_BALANCE_NOT_ENOUGH"}), Declined, []Effect{beepErr}, "12.50", ""},
		{"cancelled", baseConfig(), seq(toQR, "<CANCEL>", Cancelled{"P1"}), Voided, nil, "12.50", ""},
		{"needs attention", baseConfig(), seq(toQR, "<CANCEL>", NeedsAttention{"P1", "cancel unanswered"}), Attention, nil, "12.50", ""},
		{"attention resolved to success", baseConfig(), seq(toQR, NeedsAttention{"P1", "?"}, Succeeded{"P1", usd(1250)}), Paid, []Effect{beepOK}, "12.50", ""},
		{"receipt printed", baseConfig(), seq(toPaid, SlipPrinted{"P1", true, ""}), Paid, nil, "12.50", ""},
		{"any key after paid", baseConfig(), seq(toPaid, "<ENTER>"), Ready, nil, "", ""},
		{"digit after paid starts the next sale", baseConfig(), seq(toPaid, "7"), Ready, nil, "7", ""},
		{"manager key after paid", baseConfig(), seq(toPaid, "<F1>"), PIN, nil, "", ""},
		{"scan after a decline retries the amount", baseConfig(), seq(toQR, Failed{"P1", "x"}, "<SCAN:281234567890123456>"), Starting,
			[]Effect{StartPayment{Attempt: 2, Amount: usd(1250), Scenario: PaymentCode, CustomerCode: "281234567890123456"}}, "12.50", ""},
		{"scan after a cancel charges the code instead", baseConfig(), seq(toQR, "<CANCEL>", Cancelled{"P1"}, "<SCAN:281234567890123456>"), Starting,
			[]Effect{StartPayment{Attempt: 2, Amount: usd(1250), Scenario: PaymentCode, CustomerCode: "281234567890123456"}}, "12.50", ""},
		{"scan after paid does not charge again", baseConfig(), seq(toPaid, "<SCAN:281234567890123456>"), Ready, []Effect{beepErr}, "", "Type the amount"},
		{"scan on attention does not charge again", baseConfig(), seq(toQR, NeedsAttention{"P1", "?"}, "<SCAN:281234567890123456>"), Ready, []Effect{beepErr}, "", "Type the amount"},
		{"acknowledge attention", baseConfig(), seq(toQR, NeedsAttention{"P1", "?"}, "<ENTER>"), Ready, nil, "", ""},
		{"result screen times out", baseConfig(), seq(toPaid, Tick{t0.Add(11 * time.Second)}), Ready, nil, "", ""},
		{"attention does not time out", baseConfig(), seq(toQR, NeedsAttention{"P1", "?"}, Tick{t0.Add(time.Hour)}), Attention, nil, "12.50", ""},
		{"event after the next sale began", baseConfig(), seq(toPaid, "<ENTER>", Failed{"P1", "x"}), Ready, nil, "", ""},
		{"qr expiry", baseConfig(), seq(toQR, Tick{t0.Add(3 * time.Minute)}), ShowingQR, nil, "12.50", ""},

		// Health.
		{"network down", baseConfig(), seq(Health{Network, false, "no route"}), Ready, nil, "", ""},
		{"unknown part ignored", baseConfig(), seq(Health{Part(42), false, "?"}), Ready, nil, "", ""},

		// Manager menu.
		{"manager key opens the PIN", baseConfig(), keys("<F1>"), PIN, nil, "", ""},
		{"PIN typed", baseConfig(), keys("<F1>24"), PIN, nil, "24", ""},
		{"PIN back and clear", baseConfig(), keys("<F1>246<BACK><CLEAR>1"), PIN, nil, "1", ""},
		{"PIN cancel", baseConfig(), keys("<F1>24<CANCEL>"), Ready, nil, "", ""},
		{"right PIN", baseConfig(), toMenu, Menu, nil, "", ""},
		{"wrong PIN", baseConfig(), keys("<F1>1111<ENTER>"), PIN, []Effect{SaveLockout{Lockout{Failures: 1}}, beepErr}, "", "1 of 3"},
		{"lockout", baseConfig(), keys("<F1>1<ENTER>2<ENTER>3<ENTER>"), Locked, []Effect{SaveLockout{Lockout{Until: t0.Add(5 * time.Minute)}}, beepErr}, "", "locked"},
		{"locked out even with the right PIN", baseConfig(), keys("<F1>1<ENTER>2<ENTER>3<ENTER><F1>"), Locked, []Effect{beepErr}, "", "locked for 5m0s"},
		{"the rest of the PIN is dropped", baseConfig(), keys("<F1>1<ENTER>2<ENTER>3<ENTER>4567<ENTER>"), Locked, []Effect{beepErr}, "", "Cancel: back to sales"},
		{"cancel leaves the lockout screen", baseConfig(), keys("<F1>1<ENTER>2<ENTER>3<ENTER>45<CANCEL>"), Ready, nil, "", ""},
		{"manager key while locked out", baseConfig(), keys("<F1>1<ENTER>2<ENTER>3<ENTER><CANCEL><F1>2468<ENTER>"), Locked, []Effect{beepErr}, "", "locked"},
		{"lockout ends on the lockout screen", baseConfig(), seq("<F1>1<ENTER>2<ENTER>3<ENTER>12", Tick{t0.Add(5 * time.Minute)}), PIN, nil, "", ""},
		{"right PIN clears the count", baseConfig(), keys("<F1>1<ENTER>2468<ENTER>"), Menu, []Effect{SaveLockout{}}, "", ""},
		{"lockout ends", baseConfig(), seq("<F1>1<ENTER>2<ENTER>3<ENTER>", Tick{t0.Add(5 * time.Minute)}, toMenu), Menu, nil, "", ""},
		{"menu disabled without a PIN", noPIN, keys("<F1>"), Ready, []Effect{beepErr}, "", "not set up"},
		{"menu idle timeout", baseConfig(), seq(toMenu, Tick{t0.Add(time.Minute)}), Ready, nil, "", ""},
		{"menu leave", baseConfig(), seq(toMenu, "<CANCEL>"), Ready, nil, "", ""},
		{"menu refund loads the list", baseConfig(), seq(toMenu, "1"), List, []Effect{LoadRecent{9}}, "", ""},
		{"menu reprint loads the list", baseConfig(), seq(toMenu, "2"), List, []Effect{LoadRecent{9}}, "", ""},
		{"menu view loads the list", baseConfig(), seq(toMenu, "3"), List, []Effect{LoadRecent{9}}, "", ""},
		{"menu unknown digit", baseConfig(), seq(toMenu, "7"), Menu, nil, "", ""},
		{"list loaded", baseConfig(), toList, List, nil, "", ""},
		{"list failed to load", baseConfig(), seq(toMenu, "1", RecentLoaded{Reason: "db closed"}), Menu, []Effect{beepErr}, "", "db closed"},
		{"list empty", baseConfig(), seq(toMenu, "1", RecentLoaded{}), Menu, []Effect{beepErr}, "", "No payments"},
		{"list back", baseConfig(), seq(toList, "<CANCEL>"), Menu, nil, "", ""},
		{"pick out of range", baseConfig(), seq(toList, "5"), List, []Effect{beepErr}, "", "Pick 1 to 1"},
		{"view detail", baseConfig(), seq(toMenu, "3", RecentLoaded{Payments: recent}, "2"), Detail, nil, "", ""},
		{"detail back", baseConfig(), seq(toMenu, "3", RecentLoaded{Payments: recent}, "2<CANCEL>"), List, nil, "", ""},
		{"reprint", baseConfig(), seq(toMenu, "2", RecentLoaded{Payments: recent}, "1"), ManagerWait, []Effect{Reprint{"P9"}}, "", ""},
		{"reprint of a failed payment", baseConfig(), seq(toMenu, "2", RecentLoaded{Payments: recent}, "2"), List, []Effect{beepErr}, "", "Only paid"},
		{"reprint queued: the screen follows it", baseConfig(), seq(toMenu, "2", RecentLoaded{Payments: recent}, "1", Reprinted{"P9", ""}), Following, nil, "", ""},
		{"reprint printed", baseConfig(), seq(toMenu, "2", RecentLoaded{Payments: recent}, "1", Reprinted{"P9", ""}, SlipPrinted{"P9", true, ""}, "<ENTER>"), Menu, nil, "", "Copy printed"},
		{"reprint not printed", baseConfig(), seq(toMenu, "2", RecentLoaded{Payments: recent}, "1", Reprinted{"P9", ""}, SlipPrinted{"P9", false, "cover open"}), Following, []Effect{beepErr}, "", ""},
		{"another slip does not end the wait", baseConfig(), seq(toMenu, "2", RecentLoaded{Payments: recent}, "1", Reprinted{"P9", ""}, SlipPrinted{"P1", true, ""}, "<ENTER>"), Following, []Effect{beepErr}, "", "Waiting for the result"},
		{"reprint failed", baseConfig(), seq(toMenu, "2", RecentLoaded{Payments: recent}, "1", Reprinted{"P9", "paper out"}), Menu, []Effect{beepErr}, "", "paper out"},
		// Issue 12, item 10: the refund list holds only what can be refunded.
		{"refund list leaves out the failed payment", baseConfig(), seq(toList, "2"), List, []Effect{beepErr}, "", "Pick 1 to 1"},
		{"refund list leaves out the refunded and failed", baseConfig(), seq(toMenu, "1", RecentLoaded{Payments: partlyRefunded}, "2"), RefundAmount, nil, "", ""},
		{"a later list does not shift the pick", baseConfig(), seq(toList, RecentLoaded{Payments: append([]Summary{{PaymentID: "P10", Amount: usd(100), Status: StatusSucceeded, Time: t0}}, recent...)}, "1<ENTER><ENTER>"),
			ManagerWait, []Effect{Refund{"P9", usd(1250)}}, "", ""},
		{"nothing left to refund", baseConfig(), seq(toMenu, "1", RecentLoaded{Payments: recent[1:]}), Menu, []Effect{beepErr}, "", "No payment left to refund"},
		{"refund amount", baseConfig(), seq(toRefundAmt, "5"), RefundAmount, nil, "5", ""},
		// Issue 12, item 10: every key typed counts ("2" then "3.00" is 23.00, refused, never 2.00).
		{"refund amount takes every key", baseConfig(), seq(toRefundAmt, "2", "3.00"), RefundAmount, nil, "23.00", ""},
		{"refund above what is left is refused at Enter", baseConfig(), seq(toRefundAmt, "2", "3.00<ENTER>"), RefundAmount, []Effect{beepErr}, "23.00", "Refund between 0 and USD 12.50"},
		{"refund above what was paid", baseConfig(), seq(toRefundAmt, "13"), RefundAmount, nil, "13", ""},
		{"refund in full by default", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>"), ManagerWait, []Effect{Refund{"P9", usd(1250)}}, "", ""},
		{"partial refund", baseConfig(), seq(toRefundAmt, "5<ENTER><ENTER>"), ManagerWait, []Effect{Refund{"P9", usd(500)}}, "5", ""},
		{"refund of zero", baseConfig(), seq(toRefundAmt, "0.00<ENTER>"), RefundAmount, []Effect{beepErr}, "0.00", "Refund between"},
		{"refund confirm back", baseConfig(), seq(toRefundAmt, "5<ENTER><CANCEL>"), RefundAmount, nil, "5", ""},
		{"refund amount back", baseConfig(), seq(toRefundAmt, "<CANCEL>"), List, nil, "", ""},
		// Issue 12, item 10: after Enter the screen follows the refund to its result.
		{"refund accepted: followed", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P9", "R1"}), Following, nil, "", ""},
		{"refund followed: keys wait", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P9", "R1"}, "1"), Following, []Effect{beepErr}, "", "Waiting for the result"},
		{"refund followed: another refund's result ignored", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P9", "R1"}, RefundSettled{"P9", "R0", true, ""}), Following, nil, "", ""},
		{"refund done", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P9", "R1"}, RefundSettled{"P9", "R1", true, ""}, "<ENTER>"), Menu, nil, "", "Refund of USD 12.50 done"},
		{"refund failed", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P9", "R1"}, RefundSettled{"P9", "R1", false, "REFUND_WINDOW_EXCEED"}), Following, []Effect{beepErr}, "", ""},
		{"refund followed: cancel leaves it running", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P9", "R1"}, "<CANCEL>"), Menu, nil, "", "carries on"},
		{"refund refused", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundRefused{"P9", "window closed"}), Menu, []Effect{beepErr}, "", "window closed"},
		{"cancel while the outbox works", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER><CANCEL>"), ManagerWait, []Effect{beepErr}, "", "already with the outbox"},
		{"no idle timeout while the outbox works", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", Tick{t0.Add(time.Hour)}), ManagerWait, nil, "", ""},
		{"reply for another payment ignored", baseConfig(), seq(toRefundAmt, "<ENTER><ENTER>", RefundAccepted{"P8", "R1"}), ManagerWait, nil, "", ""},
		{"stale list ignored", baseConfig(), seq(toMenu, RecentLoaded{Payments: recent}), Menu, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, effs, _ := run(t, tt.cfg, tt.in)
			if s.Phase != tt.phase {
				t.Errorf("phase %v, want %v", s.Phase, tt.phase)
			}
			if !reflect.DeepEqual(effs, tt.effects) {
				t.Errorf("effects %v, want %v", effs, tt.effects)
			}
			if s.Entry != tt.entry {
				t.Errorf("entry %q, want %q", s.Entry, tt.entry)
			}
			if tt.notice == "" && s.Notice != "" || !strings.Contains(s.Notice, tt.notice) {
				t.Errorf("notice %q, want it to contain %q", s.Notice, tt.notice)
			}
		})
	}
}

// After a lockout, the rest of a PIN being typed (or typed again after
// the manager key) used to become a sale amount on the customer display.
// Whatever follows a lockout, no key reaches the customer display or
// starts a payment until Cancel.
func TestLockedKeysNeverReachTheCustomer(t *testing.T) {
	m, err := NewMachine(baseConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, tail := range []string{"4567<ENTER>", "12.50<ENTER><ENTER>", "<F1>2468<ENTER>9<ENTER>", "<BACK><CLEAR>7<SCAN:281234567890123456>", "<F9>3<ENTER>"} {
		s, _ := m.Start(t0)
		for _, in := range keys("<F1>1<ENTER>2<ENTER>3<ENTER><F1>" + tail) {
			var effs []Effect
			s, effs = m.Step(s, in)
			for _, e := range effs {
				switch e := e.(type) {
				case StartPayment:
					t.Fatalf("%s: a key typed while locked started %v", tail, e)
				case Show:
					if e.Screen.Customer.Kind != CustomerIdle {
						t.Fatalf("%s: the customer saw %+v", tail, e.Screen.Customer)
					}
				}
			}
		}
		if s.Phase != Locked {
			t.Errorf("%s: phase %v, want locked", tail, s.Phase)
		}
	}
}

// A till restarted during a lockout stays locked, and counts on.
func TestLockoutResumes(t *testing.T) {
	m, err := NewMachine(baseConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Resume(t0, Lockout{Until: t0.Add(4 * time.Minute)})
	for _, in := range keys("<F1>2468<ENTER>") {
		s, _ = m.Step(s, in)
	}
	if s.Phase != Locked {
		t.Fatalf("after a restart in a lockout, the right PIN reached %v", s.Phase)
	}
	s, _ = m.Resume(t0, Lockout{Failures: 2})
	var effs []Effect
	for _, in := range keys("<F1>1111<ENTER>") {
		s, effs = m.Step(s, in)
	}
	if s.Phase != Locked || len(effs) == 0 || effs[0] != (SaveLockout{Lockout{Until: t0.Add(5 * time.Minute)}}) {
		t.Fatalf("third wrong PIN after a restart with two: %v %v", s.Phase, effs)
	}
}

// Issue 15, item 3: manager menu 4 prints today's end-of-day report; the
// menu stays and says how it went.
func TestManagerDayReport(t *testing.T) {
	s, effs, m := run(t, baseConfig(), seq(toMenu, "4"))
	if s.Phase != Menu || len(effs) != 1 || effs[0] != (PrintDayReport{}) || s.Notice != "Printing today's report…" {
		t.Fatalf("menu 4: phase %v effects %v notice %q", s.Phase, effs, s.Notice)
	}
	if v := m.View(s); !slices.Contains(v.Lines, "4 Day report") {
		t.Errorf("the menu does not offer the report: %q", v.Lines)
	}
	if s, _, _ := run(t, baseConfig(), seq(toMenu, "4", DayReportPrinted{})); s.Phase != Menu || s.Notice != "Today's report printed" {
		t.Errorf("printed: phase %v notice %q", s.Phase, s.Notice)
	}
	s, effs, _ = run(t, baseConfig(), seq(toMenu, "4", DayReportPrinted{Reason: "printer: not ready: paper end"}))
	if s.Phase != Menu || !strings.Contains(s.Notice, "paper end") || !slices.Contains(effs, Effect(beepErr)) {
		t.Errorf("failed: phase %v notice %q effects %v", s.Phase, s.Notice, effs)
	}
	// A late answer after the manager left changes nothing.
	if s, _, _ := run(t, baseConfig(), seq(toMenu, "4<CANCEL>", DayReportPrinted{})); s.Phase != Ready || s.Notice != "" {
		t.Errorf("after leaving: phase %v notice %q", s.Phase, s.Notice)
	}
}
