package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/posapi"
)

// TestE2EDemoChinese runs posd -demo -demo-lang zh-CN as a shop for
// visitors from mainland China: the cashier reads Chinese, the customer
// display shows Chinese with English below and names "支付宝 Alipay" where
// it asks to scan, a decline is said in words (the code stays in posctl
// show), and the receipt has Chinese labels drawn with Unifont.
func TestE2EDemoChinese(t *testing.T) {
	testenv.Tool(t, "zbarimg")
	d := &demoProc{t: t, dir: t.TempDir(), http: testenv.FreeAddr(t), gw: testenv.FreeAddr(t), metrics: testenv.FreeAddr(t)}
	needBinaries(t)
	d.start(filepath.Join(d.dir, "posd.sock"), nil, "-demo", "-demo-dir", d.dir, "-demo-http", d.http,
		"-demo-gateway", d.gw, "-demo-metrics", d.metrics, "-demo-lang", "zh-CN")

	id, qr := d.showQR("12.50")
	var shown display.KioskState
	d.sim(http.MethodGet, "/display/state", nil, &shown)
	var texts []string
	for _, l := range shown.Lines {
		texts = append(texts, l.Text)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"支付宝 Alipay", "请用支付宝扫码", "Scan with Alipay", "USD 12.50"} {
		if !strings.Contains(all, want) {
			t.Errorf("customer display %q lacks %q", all, want)
		}
	}
	if shown.ExpiresIn != "剩余时间 " {
		t.Errorf("countdown prefix %q", shown.ExpiresIn)
	}
	var cashier struct {
		Title  string            `json:"title"`
		Labels map[string]string `json:"labels"`
	}
	d.sim(http.MethodGet, "/cashier/state", nil, &cashier)
	if cashier.Title != "顾客正在扫码" || cashier.Labels["Enter"] != "确认" ||
		!strings.HasPrefix(cashier.Labels["Type an amount and press Enter: the customer display shows the QR code."], "输入金额") {
		t.Errorf("cashier page: %+v", cashier)
	}
	d.cashierPageShows(qr, "demo-zh-CN.png")
	d.sim(http.MethodPost, "/sim/customer", map[string]string{"codeValue": qr, "action": "pay"}, nil)
	p := d.waitPayment(id, "SUCCEEDED", func(p posapi.Payment) bool { return p.State == "SUCCEEDED" })
	txt := filepath.Join(d.dir, "receipts", id+".txt")
	d.poll("the receipt", func() bool { _, err := os.Stat(strings.TrimSuffix(txt, ".txt") + ".png"); return err == nil })
	text, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"收款凭证", "商户号", "DEMO-MERCHANT-1", "终端号", "合计", "USD 12.50", "支付宝交易号", p.PaymentID, id, "支付成功", "钱包", "ALIPAY_CN", "138****0001"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}

	// A decline, in words; the code stays in posctl show.
	d.waitStatus("the till free", func(s posapi.Status) bool { return s.Till == "paid" || s.Till == "ready" })
	d.posctl("keys", "<ENTER>")
	d.posctl("keys", "9.10<SCAN:"+amssim.CodeInsufficient+">")
	st := d.waitStatus("the second payment", func(s posapi.Status) bool { return s.Current != "" && s.Current != id })
	f := d.waitPayment(st.Current, "FAILED", func(p posapi.Payment) bool { return p.State == "FAILED" })
	if f.ResultCode != "USER_BALANCE_NOT_ENOUGH" {
		t.Errorf("posctl show: result code %q", f.ResultCode)
	}
	d.poll("the declined screens", func() bool {
		d.sim(http.MethodGet, "/cashier/state", nil, &cashier)
		return cashier.Title == "支付失败"
	})
	var declined struct {
		Lines []string `json:"lines"`
	}
	d.sim(http.MethodGet, "/cashier/state", nil, &declined)
	if got := strings.Join(declined.Lines, "|"); !strings.Contains(got, "余额不足") || strings.Contains(got, "USER_BALANCE") {
		t.Errorf("cashier declined lines %q", got)
	}
	d.sim(http.MethodGet, "/display/state", nil, &shown)
	texts = texts[:0]
	for _, l := range shown.Lines {
		texts = append(texts, l.Text)
	}
	if got := strings.Join(texts, "|"); strings.Count(got, "余额不足") != 1 || !strings.Contains(got, "Insufficient balance") || strings.Contains(got, "USER_") {
		t.Errorf("customer declined screen %q", got)
	}
	d.stop()
}
