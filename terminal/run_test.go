package terminal_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
	"github.com/posd/posd/terminal/terminaltest"
)

type rig struct {
	ctx     context.Context
	keys    *keypad.Script
	events  chan terminal.Input
	ticks   chan time.Time
	outbox  *terminaltest.Outbox
	display *terminaltest.Display
	done    chan error
	logs    *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newRig(t *testing.T, cfg terminal.Config) *rig {
	t.Helper()
	m, err := terminal.NewMachine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	r := &rig{
		ctx: ctx, keys: keypad.NewScript(64), events: make(chan terminal.Input), ticks: make(chan time.Time),
		outbox: terminaltest.NewOutbox(), display: terminaltest.NewDisplay(), done: make(chan error, 1),
		logs: &lockedBuffer{},
	}
	go func() {
		r.done <- terminal.Run(ctx, terminal.Options{
			Machine: m, Keys: r.keys.Keys(ctx), Events: r.events, Outbox: r.outbox, Display: r.display,
			Ticks: r.ticks, Now: func() time.Time { return start },
			Logger: slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

func (r *rig) press(t *testing.T, script string) {
	t.Helper()
	if err := r.keys.Send(r.ctx, script); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) send(t *testing.T, in terminal.Input) {
	t.Helper()
	select {
	case r.events <- in:
	case <-r.ctx.Done():
		t.Fatal("Run does not take events")
	}
}

func (r *rig) call(t *testing.T, op string) terminaltest.Call {
	t.Helper()
	c, err := r.outbox.NextCall(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Op != op {
		t.Fatalf("outbox got %s (%+v), want %s", c.Op, c, op)
	}
	return c
}

func (r *rig) screen(t *testing.T, phase terminal.Phase) terminal.Screen {
	t.Helper()
	s, err := r.display.WaitScreen(r.ctx, func(s terminal.Screen) bool { return s.Phase == phase })
	if err != nil {
		t.Fatalf("waiting for %v: %v", phase, err)
	}
	return s
}

func (r *rig) beep(t *testing.T, want terminal.Sound) {
	t.Helper()
	got, err := r.display.NextBeep(r.ctx)
	if err != nil || got != want {
		t.Fatalf("beep %v, %v; want %v", got, err, want)
	}
}

func usd(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }

func TestRunOrderCodePayment(t *testing.T) {
	r := newRig(t, terminal.Config{Currency: "USD"})
	r.screen(t, terminal.Ready)
	r.press(t, "12.50<ENTER>")
	c := r.call(t, "start")
	if c.Request != (terminal.PaymentRequest{Amount: usd(1250), Scenario: terminal.OrderCode}) {
		t.Fatalf("start request %+v", c.Request)
	}
	r.screen(t, terminal.Waiting)
	r.send(t, terminal.QRReady{PaymentID: "PAY-1", CodeValue: "https://qr.example/1", Expires: start.Add(time.Minute)})
	qr := r.screen(t, terminal.ShowingQR)
	if qr.Customer.Kind != terminal.CustomerQR || qr.Customer.CodeValue != "https://qr.example/1" || qr.Customer.Amount != usd(1250) {
		t.Fatalf("customer sees %+v", qr.Customer)
	}
	r.send(t, terminal.Succeeded{PaymentID: "PAY-1", Amount: usd(1250)})
	paid := r.screen(t, terminal.Paid)
	if paid.Customer.Kind != terminal.CustomerPaid {
		t.Fatalf("customer sees %+v", paid.Customer)
	}
	r.beep(t, terminal.BeepSuccess)
	r.ticks <- start.Add(time.Minute)
	r.screen(t, terminal.Ready)
}

func TestRunScannedCodeNeverLogged(t *testing.T) {
	r := newRig(t, terminal.Config{Currency: "USD"})
	code := "281234567890123456"
	r.press(t, "8<SCAN:"+code+">")
	c := r.call(t, "start")
	if c.Request.Scenario != terminal.PaymentCode || c.Request.CustomerCode != code {
		t.Fatalf("start request %+v", c.Request)
	}
	r.screen(t, terminal.Waiting)
	r.send(t, terminal.Failed{PaymentID: "PAY-1", Reason: "USER_BALANCE_NOT_ENOUGH"})
	declined := r.screen(t, terminal.Declined)
	// Words, once; the code stays in the logs and posctl show.
	all := strings.Join(append(declined.Lines, declined.Title, declined.Notice, declined.Customer.Message), "|")
	if strings.Count(all, "Insufficient balance") != 2 || strings.Contains(all, "USER_BALANCE_NOT_ENOUGH") {
		t.Errorf("declined screen %q", all)
	}
	if strings.Contains(r.logs.String(), code) {
		t.Errorf("the customer's code is in the log:\n%s", r.logs)
	}
}

func TestRunCancel(t *testing.T) {
	r := newRig(t, terminal.Config{Currency: "USD"})
	r.press(t, "3<ENTER>")
	r.call(t, "start")
	r.send(t, terminal.QRReady{PaymentID: "PAY-1", CodeValue: "x"})
	r.screen(t, terminal.ShowingQR)

	r.outbox.Fail("cancel", errors.New("outbox busy"))
	r.press(t, "<CANCEL>")
	if c := r.call(t, "cancel"); c.PaymentID != "PAY-1" {
		t.Fatalf("cancel of %q", c.PaymentID)
	}
	back := r.screen(t, terminal.ShowingQR)
	if !strings.Contains(back.Notice, "outbox busy") {
		t.Errorf("notice %q", back.Notice)
	}
	r.beep(t, terminal.BeepError)

	r.outbox.Fail("cancel", nil)
	r.press(t, "<CANCEL>")
	r.call(t, "cancel")
	r.screen(t, terminal.Cancelling)
	r.send(t, terminal.Cancelled{PaymentID: "PAY-1"})
	if s := r.screen(t, terminal.Voided); s.Customer.Kind != terminal.CustomerCancelled {
		t.Errorf("customer sees %+v", s.Customer)
	}
}

func TestRunStartRefused(t *testing.T) {
	r := newRig(t, terminal.Config{Currency: "USD"})
	r.outbox.Fail("start", errors.New("disk full"))
	r.press(t, "3<ENTER>")
	r.call(t, "start")
	s, err := r.display.WaitScreen(r.ctx, func(s terminal.Screen) bool { return s.Phase == terminal.Ready && s.Notice != "" })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Notice, "disk full") || s.Amount != "USD 3" {
		t.Errorf("screen %+v", s)
	}
}

func TestRunManagerRefund(t *testing.T) {
	r := newRig(t, terminal.Config{Currency: "USD", ManagerPIN: "1357"})
	r.outbox.SetRecent([]terminal.Summary{{PaymentID: "PAY-9", Amount: usd(2000), Status: terminal.StatusSucceeded, Time: start}})
	r.press(t, "<F1>1357<ENTER>1")
	if c := r.call(t, "recent"); c.N != 9 {
		t.Fatalf("recent %d", c.N)
	}
	r.screen(t, terminal.List)
	r.press(t, "115<ENTER><ENTER>") // pick 1, refund 15
	if c := r.call(t, "refund"); c.PaymentID != "PAY-9" || c.Amount != usd(1500) {
		t.Fatalf("refund %+v", c)
	}
	if s := r.screen(t, terminal.Following); !strings.Contains(strings.Join(s.Lines, " "), "USD 15.00") {
		t.Errorf("following %q", s.Lines)
	}
	r.press(t, "<CANCEL>") // back to the menu; the refund carries on
	if s := r.screen(t, terminal.Menu); !strings.Contains(s.Notice, "carries on") {
		t.Errorf("notice %q", s.Notice)
	}
	r.outbox.Fail("reprint", errors.New("paper out"))
	r.press(t, "21")
	r.call(t, "recent")
	r.call(t, "reprint")
	if s := r.screen(t, terminal.Menu); !strings.Contains(s.Notice, "paper out") {
		t.Errorf("notice %q", s.Notice)
	}
	if strings.Contains(r.logs.String(), "1357") {
		t.Error("the PIN is in the log")
	}
}

func TestRunEndsWhenAnInputCloses(t *testing.T) {
	m, err := terminal.NewMachine(terminal.Config{Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	keys, events := make(chan keypad.Key), make(chan terminal.Input)
	close(keys)
	err = terminal.Run(t.Context(), terminal.Options{Machine: m, Keys: keys, Events: events,
		Outbox: terminaltest.NewOutbox(), Display: terminaltest.NewDisplay()})
	if !errors.Is(err, terminal.ErrKeysClosed) {
		t.Errorf("Run with the keypad gone: %v", err)
	}
	keys = make(chan keypad.Key)
	close(events)
	err = terminal.Run(t.Context(), terminal.Options{Machine: m, Keys: keys, Events: events,
		Outbox: terminaltest.NewOutbox(), Display: terminaltest.NewDisplay()})
	if !errors.Is(err, terminal.ErrEventsClosed) {
		t.Errorf("Run with the outbox gone: %v", err)
	}
}

// A start the outbox refuses (a full disk) used to leave the till on
// "Charging the customer's code": the refusal's screen was shown, then
// the stale one from before it. The till ends on the refusal, and never
// shows the charging screen after it.
func TestRunRefusedStartLeavesNoStaleScreen(t *testing.T) {
	r := newRig(t, terminal.Config{Currency: "USD"})
	r.screen(t, terminal.Ready)
	r.outbox.Fail("start", errors.New("no new payment: queue: database cannot be written: no space left on device"))
	r.press(t, "5<SCAN:281234567890123456>")
	r.call(t, "start")
	refused, err := r.display.WaitScreen(r.ctx, func(s terminal.Screen) bool { return strings.Contains(s.Notice, "Payment not started") })
	if err != nil {
		t.Fatal(err)
	}
	if refused.Phase != terminal.Ready {
		t.Fatalf("refusal shown in %v", refused.Phase)
	}
	r.press(t, "7")
	var stale []string
	if _, err := r.display.WaitScreen(r.ctx, func(s terminal.Screen) bool {
		if s.Phase != terminal.Ready {
			stale = append(stale, s.Phase.String()+": "+s.Title)
		}
		return s.Phase == terminal.Ready && strings.Contains(s.Amount, "7")
	}); err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("after the refusal the till showed %q", stale)
	}
}
