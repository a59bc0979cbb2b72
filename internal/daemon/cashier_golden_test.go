package daemon

import (
	"flag"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal"
)

var update = flag.Bool("update", false, "rewrite the cashier display's golden PNGs in testdata/golden-cashier")

// cashierStates are the till's states a cashier's display shows in a
// day: typing, a network alert, the customer scanning, paid, declined,
// cancelled, an unknown outcome and the manager menu.
func cashierStates() []struct {
	name string
	s    terminal.State
} {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	pay := terminal.Payment{ID: "pay-20261123-0001", Amount: money.Amount{Currency: "USD", Value: 123456}, Scenario: terminal.OrderCode}
	with := func(ph terminal.Phase, change func(*terminal.State)) terminal.State {
		s := terminal.State{Phase: ph, Now: now, Payment: pay}
		if change != nil {
			change(&s)
		}
		return s
	}
	return []struct {
		name string
		s    terminal.State
	}{
		{"amount-entry", terminal.State{Phase: terminal.Ready, Entry: "1234.56", Now: now}},
		{"network-alert", terminal.State{Phase: terminal.Ready, Entry: "8.8", Now: now,
			Trouble: func() (t [len(terminal.State{}.Trouble)]string) { t[terminal.Network] = "no route to host"; return }()}},
		{"scanning", with(terminal.ShowingQR, func(s *terminal.State) {
			s.Payment.CodeValue, s.Payment.Expires = "https://qr.alipay.com/281002040092rDrbN1ijPfPJK7QAc1Ol0V9w3Hc1", now.Add(5*time.Minute)
		})},
		{"paid", with(terminal.Paid, func(s *terminal.State) { s.Payment.ReceiptPrinted = true })},
		{"declined", with(terminal.Declined, func(s *terminal.State) { s.Payment.Reason = "USER_BALANCE_NOT_ENOUGH" })},
		{"cancelled", with(terminal.Voided, nil)},
		{"attention", with(terminal.Attention, func(s *terminal.State) { s.Payment.Reason = "outcome unknown" })},
		{"manager-menu", terminal.State{Phase: terminal.Menu, Now: now}},
	}
}

// TestGoldenCashierScreens draws what a pixel display with role =
// "cashier" shows, in each language ([merchant] language) on the panel
// sizes of the customer display's goldens (display/testdata/golden); an
// OLED draws text only, as its driver does. Never a QR code; the amount
// drawn whole. -update rewrites the PNGs: look at them before committing.
func TestGoldenCashierScreens(t *testing.T) {
	if _, err := os.Stat(display.DefaultHexFontPath); err != nil && !testenv.InCI() {
		t.Skip("no unifont installed")
	}
	font, err := display.OpenHexFont(display.DefaultHexFontPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []struct {
		name     string
		size     image.Point
		textOnly bool
	}{
		{"800x480", image.Pt(800, 480), false},
		{"320x240", image.Pt(320, 240), false},
		{"240x240", image.Pt(240, 240), false},
		{"oled-128x64", image.Pt(128, 64), true},
	}
	for _, name := range lang.Names() {
		l, err := lang.Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := terminal.NewMachine(terminal.Config{Currency: "USD", Language: l, ManagerPIN: "1234"})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range cashierStates() {
			v := m.View(st.s)
			sc := cashierScreen(v)
			if err := sc.Validate(); err != nil {
				t.Fatalf("%s %s: %v", name, st.name, err)
			}
			for _, sz := range sizes {
				file := fmt.Sprintf("%s-%s-%s.png", name, st.name, sz.name)
				t.Run(file, func(t *testing.T) {
					f := display.Render(sc, sz.size, st.s.Now, display.Options{Font: font, TextOnly: sz.textOnly, Languages: []lang.Lang{l}})
					if !f.QR.Empty() {
						t.Error("the cashier's display drew a QR code")
					}
					var drawn []string
					for _, dl := range f.Lines {
						drawn = append(drawn, dl.Text)
					}
					if sc.Amount.Currency != "" && !strings.Contains(strings.Join(drawn, "\n"), sc.Amount.String()) {
						t.Errorf("amount %s not drawn whole: %q", sc.Amount, drawn)
					}
					// Said whole, or cut short with "..." on the OLED's 16 columns.
					says := func(d string) bool {
						cut := strings.TrimSuffix(d, "...")
						return d == l.T("Insufficient balance") || cut != d && len(cut) >= 8 && strings.HasPrefix(l.T("Insufficient balance"), cut)
					}
					if want := l.T("Insufficient balance"); st.name == "declined" && !slices.ContainsFunc(drawn, says) {
						t.Errorf("the declined screen does not say why (%q): %q", want, drawn)
					}
					testenv.Golden(t, f.Image, filepath.Join("testdata", "golden-cashier", file), *update, "go test ./internal/daemon -run GoldenCashier -update")
				})
			}
		}
	}
}
