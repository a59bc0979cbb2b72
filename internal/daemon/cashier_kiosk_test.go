package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/posapi"
)

// simConfig is posd.toml for a till on amssim: merchant is the body of
// [merchant], displays the display tables.
func simConfig(dir, clientID, gateway, pin, merchant, displays string) string {
	return "[merchant]\n" + merchant + `[till]
currency = "SGD"
[alipay]
client_id = "` + clientID + `"
gateway = "` + gateway + `"
pin_sha256 = "` + pin + `"
notify_url = "https://pos.example.com/alipay/notify"
alipay_public_key_file = "/unused/the-keys-are-options.pem"
[outbox]
path = "` + filepath.Join(dir, "posd.db") + `"
[api]
socket = "` + filepath.Join(dir, "posd.sock") + `"
[metrics]
listen = ""
` + displays
}

// chineseShop is the [merchant] of a till whose cashier reads Chinese.
const chineseShop = "name = \"金龙茶馆\"\nid = \"M-KIOSK\"\nlanguage = \"zh-CN\"\n"

// getState reads a kiosk page's state.
func getState(t *testing.T, url string) display.KioskState {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st display.KioskState
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitPageText waits until the kiosk page in Chromium shows want.
func waitPageText(t *testing.T, page *testenv.ChromePage, want string) {
	t.Helper()
	page.Eval(t, `new Promise((ok, fail) => { const end = Date.now() + 60000; const f = () => {
		const e = document.getElementById("text"), t = e ? e.textContent : ""; // null while the page loads
		if (t.includes(`+strconv.Quote(want)+`)) ok(true); else if (Date.now() > end) fail(new Error("the page shows " + t)); else setTimeout(f, 20); }; f(); })`)
}

// TestCashierKioskPage: [[display]] role = "cashier" kind = "kiosk" on the
// customer kiosk's loopback listener serves the till's own view at
// /cashier-display/ (amount typed, state, hints; never the QR code) to
// Chromium, with the customer page's Host check, while the customer's
// page at /display/ shows the code.
func TestCashierKioskPage(t *testing.T) {
	testenv.Tool(t, "chromium")
	testenv.Tool(t, "zbarimg")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const clientID = "SANDBOX_CASHIER_KIOSK"
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	_, logs := startSimDaemon(t, ctx, clientID, func(gateway, pin string) string {
		return simConfig(dir, clientID, gateway, pin, chineseShop, `[[display]]
kind = "kiosk"
listen = "`+addr+`"
[[display]]
role = "cashier"
kind = "kiosk"
listen = "`+addr+`"
`)
	}, nil)
	base := "http://" + addr
	page := testenv.OpenChromium(t, base+"/cashier-display/", image.Pt(800, 480))
	api := posapi.NewClient(filepath.Join(dir, "posd.sock"))
	if err := api.Keys(ctx, "12.34"); err != nil {
		t.Fatal(err)
	}
	waitPageText(t, page, "SGD 12.34")
	waitPageText(t, page, "输入金额") // the hint, in [merchant] language

	if err := api.Keys(ctx, "<ENTER>"); err != nil {
		t.Fatal(err)
	}
	for getState(t, base+"/display/state").QR == nil {
		select {
		case <-ctx.Done():
			t.Fatalf("no QR code on the customer's page; log:\n%s", logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	waitPageText(t, page, "顾客正在扫码")
	if got, err := testenv.DecodeQR(t, page.Screenshot(t)); !errors.Is(err, testenv.ErrNoSymbol) {
		t.Fatalf("the cashier's page shows a code: %q %v", got, err)
	}
	if st := getState(t, base+"/cashier-display/state"); st.QR != nil || !strings.Contains(lineTexts(st), "SGD 12.34") {
		t.Fatalf("cashier state %+v", st)
	}

	// A name posd was not configured with is refused (DNS rebinding), as
	// on the customer's page; /cashier-display goes to the page.
	req, _ := http.NewRequest(http.MethodGet, base+"/cashier-display/state", nil)
	req.Host = "evil.example:8080"
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("foreign Host: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(base + "/cashier-display")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/cashier-display/" {
		t.Fatalf("/cashier-display: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
}

// TestCashierKioskOwnListener: with a pixel panel for the customer, the
// cashier's page has a loopback listener of its own serving only
// /cashier-display/.
func TestCashierKioskOwnListener(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const clientID = "SANDBOX_CASHIER_KIOSK_ALONE"
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	startSimDaemon(t, ctx, clientID, func(gateway, pin string) string {
		return simConfig(dir, clientID, gateway, pin, chineseShop, `[[display]]
kind = "png"
device = "`+filepath.Join(dir, "customer.png")+`"
font = "builtin"
[[display]]
role = "cashier"
kind = "kiosk"
listen = "`+addr+`"
`)
	}, nil)
	api := posapi.NewClient(filepath.Join(dir, "posd.sock"))
	if err := api.Keys(ctx, "7"); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(lineTexts(getState(t, "http://"+addr+"/cashier-display/state")), "SGD 7") {
		select {
		case <-ctx.Done():
			t.Fatal("the typed amount never reached the cashier's page")
		case <-time.After(20 * time.Millisecond):
		}
	}
	resp, err := http.Get("http://" + addr + "/display/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/display/ on the cashier's listener: %s", resp.Status)
	}
}

func lineTexts(st display.KioskState) string {
	var b strings.Builder
	for _, l := range st.Lines {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}
