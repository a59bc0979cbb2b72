package lang

// entry is one text in every language. Keep the verbs (%s, %d) of en in
// the same order in the translations: TestCatalogVerbs checks them.
type entry struct{ en, zhCN, zhTW string }

var entries = concat(customerTexts, codeTexts, cashierTexts, receiptTexts)

func concat(parts ...[]entry) []entry {
	var out []entry
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// customerTexts: the customer display (package display).
var customerTexts = []entry{
	{"Welcome", "欢迎光临", "歡迎光臨"},
	{"Pay with Alipay", "使用支付宝付款", "使用支付寶付款"},
	{"Amount", "金额", "金額"},
	{"Code expired", "二维码已过期", "QR 碼已過期"},
	{"Please wait", "请稍候", "請稍候"},
	{"Customer scanning", "顾客扫码中", "顧客掃碼中"},
	{"Scan with Alipay", "请用支付宝扫码", "請用支付寶掃碼"},
	{"Expires in ", "剩余时间 ", "剩餘時間 "},
	{" left", " 剩余", " 剩餘"},
	{"Paid", "支付成功", "付款成功"},
	{"Thank you", "谢谢惠顾", "謝謝惠顧"},
	{"Payment declined", "支付失败", "付款失敗"},
	{"Please try again or pay another way", "请重试或换一种方式付款", "請重試或改用其他方式付款"},
	{"Payment cancelled", "交易已取消", "交易已取消"},
	{"Please ask the cashier", "请咨询收银员", "請洽詢收銀員"},
	{"Network trouble", "网络故障", "網路故障"},
	{"Retrying, please wait", "正在重试，请稍候", "正在重試，請稍候"},
	{"Please do not pay again", "请勿重复付款", "請勿重複付款"},
	{"Printer needs paper", "打印机缺纸", "印表機缺紙"},
	{"Your payment is not affected", "您的付款不受影响", "您的付款不受影響"},
	{"Payment in progress", "正在付款", "付款處理中"},
	{"Out of service", "暂停服务", "暫停服務"},
	{"Please pay at another till", "请到其他收银台付款", "請至其他收銀台付款"},
	{"Code too long for this screen", "二维码过长，无法显示", "QR 碼過長，無法顯示"},
	// Shorter wording for narrow panels (display.shorter).
	{"Cancelled", "已取消", "已取消"},
	{"Declined", "失败", "失敗"},
	{"Ask the cashier", "请问收银员", "請問收銀員"},
	{"Try another way", "请换方式付款", "請改用他法"},
	{"Retrying...", "重试中…", "重試中…"},
	{"Don't pay again", "请勿重复付款", "請勿重複付款"},
	{"Out of paper", "缺纸", "缺紙"},
	{"Payment is safe", "付款不受影响", "付款不受影響"},
	{"Awaiting scan", "等待扫码", "等待掃碼"},
	{"Use other till", "请换收银台", "請換收銀台"},
	{"In progress", "处理中", "處理中"},
}

// codeTexts: the words for result codes (codes.go), cashier then customer.
var codeTexts = []entry{
	{"Alipay declined the payment", "支付宝拒绝了此笔付款", "支付寶拒絕了此筆付款"},
	{"Till not set up for Alipay: call the manager", "收银台未开通支付宝：请联系店长", "收銀台未開通支付寶：請聯絡店長"},
	{"Customer is confirming in Alipay", "顾客正在支付宝中确认", "顧客正在支付寶中確認"},
	{"Please confirm in your Alipay app", "请在支付宝中确认付款", "請在支付寶中確認付款"},
	{"Insufficient balance", "余额不足", "餘額不足"},
	{"Payment code expired: ask for a new one", "付款码已过期：请顾客刷新", "付款碼已過期：請顧客重新整理"},
	{"Your payment code expired: please refresh it", "付款码已过期，请刷新后重试", "付款碼已過期，請重新整理後再試"},
	{"Payment code not valid: ask for a new one", "付款码无效：请顾客重新出示", "付款碼無效：請顧客重新出示"},
	{"Please show your Alipay payment code", "请出示支付宝付款码", "請出示支付寶付款碼"},
	{"Customer did not pass verification", "顾客身份验证未通过", "顧客身分驗證未通過"},
	{"Verification failed", "验证失败", "驗證失敗"},
	{"Above the customer's payment limit", "超出顾客的支付限额", "超出顧客的付款限額"},
	{"Above your payment limit", "超出您的支付限额", "超出您的付款限額"},
	{"Above the amount limit", "超出单笔金额限制", "超出單筆金額限制"},
	{"Above the payment limit", "超出支付限额", "超出付款限額"},
	{"Too many payments today for this account", "该账户今日支付次数超限", "該帳戶今日付款次數超限"},
	{"Payment limit reached", "支付次数已达上限", "付款次數已達上限"},
	{"Customer's account is restricted", "顾客账户受限", "顧客帳戶受限"},
	{"Your account is restricted", "您的账户受限", "您的帳戶受限"},
	{"Customer's account is not verified", "顾客账户未实名认证", "顧客帳戶未完成實名認證"},
	{"Your account is not verified", "您的账户未实名认证", "您的帳戶未完成實名認證"},
	{"Declined by Alipay risk control", "支付宝风控拒绝", "支付寶風控拒絕"},
	{"Please pay another way", "请换一种方式付款", "請改用其他方式付款"},
	{"Payment closed", "交易已关闭", "交易已關閉"},
}

// cashierTexts: the till's own screens (package terminal).
var cashierTexts = []entry{
	{"New sale", "新交易", "新交易"},
	{"Type the amount, Enter for a QR code, or scan the customer's code", "输入金额，按确认出二维码，或扫顾客付款码", "輸入金額，按確認出 QR 碼，或掃顧客付款碼"},
	{"Charge this amount?", "收取此金额？", "收取此金額？"},
	{"Enter: show QR code · scan: customer's code · Cancel: change", "确认：出二维码 · 扫码：顾客付款码 · 取消：修改", "確認：出 QR 碼 · 掃碼：顧客付款碼 · 取消：修改"},
	{"Starting payment", "正在发起付款", "正在發起付款"},
	{"Cancel: abort", "取消：中止", "取消：中止"},
	{"Charging the customer's code", "正在扣款（顾客付款码）", "正在扣款（顧客付款碼）"},
	{"Cancelling", "正在撤销", "正在撤銷"},
	{"Customer is scanning the QR code", "顾客正在扫码", "顧客正在掃碼"},
	{"Code valid until ", "二维码有效期至 ", "QR 碼有效至 "},
	{"Code expired, checking the payment", "二维码已过期，正在查询付款", "QR 碼已過期，正在查詢付款"},
	{"Cancelling the payment", "正在撤销付款", "正在撤銷付款"},
	{"Any key: next sale", "任意键：下一笔", "任意鍵：下一筆"},
	{"Payment failed", "支付失败", "付款失敗"},
	{"Scan a customer's code to try again · any key: next sale", "扫顾客付款码重试 · 任意键：下一笔", "掃顧客付款碼重試 · 任意鍵：下一筆"},
	{"Nobody was charged", "未向顾客扣款", "未向顧客扣款"},
	{"Scan a customer's code to charge it instead · any key: next sale", "扫顾客付款码改为扣款 · 任意键：下一笔", "掃顧客付款碼改為扣款 · 任意鍵：下一筆"},
	{"Outcome unknown: call the manager", "结果未知：请联系店长", "結果未知：請聯絡店長"},
	{"Enter: acknowledge", "确认：知道了", "確認：知道了"},
	{"Do not hand over goods; do not charge again", "请勿交付商品，请勿重复收款", "請勿交付商品，請勿重複收款"},
	{"Payment ", "付款 ", "付款 "},
	{"Receipt printed", "小票已打印", "收據已列印"},
	{"Printing receipt", "正在打印小票", "正在列印收據"},
	{"Receipt not printed: %s (reprint from the manager menu)", "小票未打印：%s（可在店长菜单重打）", "收據未列印：%s（可在店長選單重印）"},
	{"Network down", "网络中断", "網路中斷"},
	{"Alipay gateway trouble", "支付宝网关故障", "支付寶閘道故障"},
	{"Printer", "打印机", "印表機"},
	{"Back office", "后台", "後台"},
	{"%d payment(s) need attention: see the manager menu", "%d 笔付款需处理：见店长菜单", "%d 筆付款需處理：見店長選單"},
	{"Manager PIN", "店长密码", "店長密碼"},
	{"Enter: open · Cancel: back", "确认：进入 · 取消：返回", "確認：進入 · 取消：返回"},
	{"Manager menu", "店长菜单", "店長選單"},
	{"Cancel: leave", "取消：退出", "取消：退出"},
	{"1 Refund", "1 退款", "1 退款"},
	{"2 Reprint a receipt", "2 重打小票", "2 重印收據"},
	{"3 Last payments", "3 最近交易", "3 最近交易"},
	{"Last payments", "最近交易", "最近交易"},
	{"Reprint which receipt?", "重打哪张小票？", "重印哪張收據？"},
	{"Refund which payment?", "退哪笔款？", "退哪筆款？"},
	{"Digit: pick · Cancel: back", "数字：选择 · 取消：返回", "數字：選擇 · 取消：返回"},
	{"Loading…", "加载中…", "載入中…"},
	{"Payment", "付款", "付款"},
	{"Cancel: back", "取消：返回", "取消：返回"},
	{"Status ", "状态 ", "狀態 "},
	{"Refunded ", "已退款 ", "已退款 "},
	{"Refund amount", "退款金额", "退款金額"},
	{"Enter with nothing typed: refund %s · Cancel: back", "不输入直接确认：退 %s · 取消：返回", "不輸入直接確認：退 %s · 取消：返回"},
	{"Paid %s, refundable %s", "已付 %s，可退 %s", "已付 %s，可退 %s"},
	{"Refund this amount?", "退此金额？", "退此金額？"},
	{"Enter: refund · Cancel: change", "确认：退款 · 取消：修改", "確認：退款 · 取消：修改"},
	{"Working", "处理中", "處理中"},
	{"Waiting for the outbox", "等待发送队列", "等待發送佇列"},
	{"Manager menu locked", "店长菜单已锁定", "店長選單已鎖定"},
	{"Cancel: back to sales", "取消：返回收银", "取消：返回收銀"},
	{"Too many wrong PINs", "密码错误次数过多", "密碼錯誤次數過多"},
	{"Keys typed now are ignored", "现在按键无效", "現在按鍵無效"},
	{"%s, %s left", "%s，剩余 %s", "%s，剩餘 %s"},
	{"Paid %s at %s", "%s 付款于 %s", "%s 付款於 %s"},
	{"Left to refund %s, after this %s", "可退 %s，本次后剩 %s", "可退 %s，本次後剩 %s"},
	{"Refund under way", "退款处理中", "退款處理中"},
	{"Reprint under way", "重打处理中", "重印處理中"},
	{"Cancel: back to the menu (it carries on)", "取消：返回菜单（继续进行）", "取消：返回選單（繼續進行）"},
	{"Refund result", "退款结果", "退款結果"},
	{"Reprint result", "重打结果", "重印結果"},
	{"Enter: back to the menu", "确认：返回菜单", "確認：返回選單"},
	// Payment statuses in the manager's list (terminal.Status).
	{"pending", "处理中", "處理中"},
	{"paid", "已付款", "已付款"},
	{"failed", "失败", "失敗"},
	{"cancelled", "已取消", "已取消"},
	{"needs attention", "需处理", "需處理"},
	{"refunded", "已退款", "已退款"},
}

// receiptTexts: the printed slip (package printer).
var receiptTexts = []entry{}
