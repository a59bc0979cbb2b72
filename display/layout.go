package display

import (
	"image"
	"time"

	"github.com/posd/posd/internal/lang"
)

// role sets how large a line may grow, as a share of the text area height.
type role int

const (
	small role = iota
	body
	title
	amount
)

var roleShare = [...]int{small: 9, body: 13, title: 22, amount: 30} // percent

// line is one line of text; when space runs out, lines with the lowest keep
// are dropped first. Lines with keep >= 4 are the minimum a screen needs.
type line struct {
	text  string
	short string // said instead of text when text does not fit the width
	role  role
	color uint8
	keep  int
	// countdown marks the "Expires in" line, which the kiosk page redraws
	// itself every second.
	countdown bool
}

const countdownPrefix = "Expires in "

// shorter holds the wording for narrow panels (16 characters fit a 128-pixel
// OLED).
var shorter = map[string]string{
	"Payment cancelled":                   "Cancelled",
	"Payment declined":                    "Declined",
	"Please ask the cashier":              "Ask the cashier",
	"Please try again or pay another way": "Try another way",
	"Retrying, please wait":               "Retrying...",
	"Please do not pay again":             "Don't pay again",
	"Printer needs paper":                 "Out of paper",
	"Your payment is not affected":        "Payment is safe",
	"Customer scanning":                   "Awaiting scan",
	"Please pay at another till":          "Use other till",
	"Payment in progress":                 "In progress",
}

// alipayMark is how the display names the wallet when it asks Chinese
// readers to scan: the brand in both scripts, as the acceptance mark has it.
const alipayMark = "支付宝 Alipay"

// screenLines is the text of s at now, top to bottom, in each of langs
// (the first is the main one; the others follow each line in smaller type
// and are the first to go when space runs out). No langs means English.
func screenLines(s Screen, now time.Time, textOnly bool, langs []lang.Lang) []line {
	if len(langs) == 0 {
		langs = []lang.Lang{{}}
	}
	var ls []line
	// add puts text as it is: names, amounts.
	add := func(text string, r role, c uint8, keep int) {
		if text != "" {
			ls = append(ls, line{text: text, short: shorter[text], role: r, color: c, keep: keep})
		}
	}
	// say puts a catalog text in every language.
	say := func(key string, r role, c uint8, keep int) {
		if key == "" {
			return
		}
		first := ""
		for i, l := range langs {
			text := l.T(key)
			short := ""
			if sk := shorter[key]; sk != "" {
				short = l.T(sk)
			}
			if i == 0 {
				first = text
				ls = append(ls, line{text: text, short: short, role: r, color: c, keep: keep})
				continue
			}
			if text == first {
				continue
			}
			ls = append(ls, line{text: text, short: short, role: min(r, body), color: c, keep: 1})
		}
	}
	chinese := false
	for _, l := range langs {
		chinese = chinese || l.Chinese()
	}
	amountText := ""
	if s.Amount.Currency != "" {
		amountText = s.Amount.String()
	}
	or := func(text, otherwise string) string {
		if text != "" {
			return text
		}
		return otherwise
	}
	switch s.Kind {
	case Idle:
		if s.Merchant != "" {
			add(s.Merchant, body, Black, 5)
		} else {
			say("Welcome", body, Black, 5)
		}
		if chinese {
			add(alipayMark, title, Blue, 4)
		} else {
			say("Pay with Alipay", title, Blue, 4)
		}
		if s.QR != "" {
			say("Scan with Alipay", body, Blue, 3)
		}
	case AmountEntry:
		add(s.Merchant, small, Grey, 1)
		say("Amount", small, Grey, 3)
		add(or(amountText, "0"), amount, Black, 6)
	case Waiting:
		add(s.Merchant, small, Grey, 2)
		switch {
		case !now.Before(s.ExpiresAt):
			add(amountText, amount, Black, 6)
			say("Code expired", title, Red, 5)
			say("Please wait", body, Black, 3)
		case textOnly:
			add(amountText, amount, Black, 6)
			say("Customer scanning", body, Blue, 3)
		default:
			add(amountText, amount, Black, 6)
			// The scan request is part of the minimum: in the wallet's
			// name in both scripts, or in words.
			if chinese {
				add(alipayMark, body, Blue, 4)
				say("Scan with Alipay", body, Blue, 3)
			} else {
				say("Scan with Alipay", body, Blue, 4)
			}
		}
		if now.Before(s.ExpiresAt) {
			left := Countdown(s.ExpiresAt.Sub(now))
			add(langs[0].T(countdownPrefix)+left, small, Black, 4)
			ls[len(ls)-1].countdown = true
			ls[len(ls)-1].short = left + langs[0].T(" left") // never cut the digits off
		}
	case Paid:
		say("Paid", title, Green, 5)
		add(amountText, amount, Black, 6)
		say("Thank you", body, Black, 3)
		add(s.Merchant, small, Grey, 1)
	case Declined:
		say("Payment declined", title, Red, 5)
		add(amountText, amount, Black, 4)
		say(or(s.Reason, "Please try again or pay another way"), body, Black, 3)
	case Cancelled:
		say("Payment cancelled", title, Amber, 5)
		add(amountText, amount, Black, 4)
		say(or(s.Reason, "Please ask the cashier"), body, Black, 2)
	case NetworkTrouble:
		say("Network trouble", title, Amber, 5)
		say("Retrying, please wait", body, Black, 4)
		say("Please do not pay again", body, Black, 3)
		add(amountText, amount, Black, 2)
		say(s.Reason, small, Grey, 1)
	case PrinterNeedsPaper:
		say("Printer needs paper", title, Amber, 5)
		say("Your payment is not affected", body, Black, 3)
		add(amountText, amount, Black, 2)
	case Processing:
		add(s.Merchant, small, Grey, 1)
		add(amountText, amount, Black, 4)
		say("Please wait", title, Blue, 5)
		say(or(s.Reason, "Payment in progress"), body, Black, 3)
	case OutOfService:
		say("Out of service", title, Red, 5)
		say(or(s.Reason, "Please pay at another till"), body, Black, 3)
		add(s.Merchant, small, Grey, 2)
	}
	return ls
}

func lineGap(height int) int { return max(2, height/30) }

// minAmountScale is the smallest the amount is drawn when the width
// allows: 32-pixel digits read from a metre on a 240x240 panel, where
// 16-pixel ones do not. The same goes for a scan request that fits.
const minAmountScale = 2

// readableMin is the scale below which a line is shrunk only after every
// less important line is gone.
func readableMin(l line, widthScale int) int {
	if l.role == amount || l.keep >= 3 && l.color == Blue {
		return min(minAmountScale, widthScale)
	}
	return 1
}

// layoutLines draws lines centred in area, each as large as its role and
// the width allow; when they do not fit, the largest shrink first (the
// amount and the scan request not below readableMin), then the least
// important are dropped, and only then do those two shrink further.
func layoutLines(img *image.Paletted, area image.Rectangle, lines []line, font *Font) []DrawnLine {
	if area.Dx() < 8 || area.Dy() < glyphHeight {
		return nil
	}
	type placed struct {
		line
		scale, min int
	}
	ps := make([]placed, 0, len(lines))
	for _, l := range lines {
		if l.short != "" && font.width(l.text) > area.Dx() {
			l.text = l.short
		}
		l.text = fitWidth(l.text, area.Dx(), font)
		capScale := max(1, area.Dy()*roleShare[l.role]/100/glyphHeight)
		widthScale := max(1, area.Dx()/max(1, font.width(l.text)))
		ps = append(ps, placed{line: l, scale: max(min(capScale, widthScale), readableMin(l, widthScale)), min: readableMin(l, widthScale)})
	}
	gap := lineGap(area.Dy())
	height := func() int {
		h := 0
		for i, p := range ps {
			if i > 0 {
				h += gap
			}
			h += p.scale * glyphHeight
		}
		return h
	}
	shrink := func(floor func(placed) int) bool {
		big := -1
		for i, p := range ps {
			if p.scale > floor(p) && (big < 0 || p.scale > ps[big].scale || p.scale == ps[big].scale && p.keep < ps[big].keep) {
				big = i
			}
		}
		if big < 0 {
			return false
		}
		ps[big].scale--
		return true
	}
	for len(ps) > 0 && height() > area.Dy() {
		// Shrink the largest line (the least important among equals) ...
		if shrink(func(p placed) int { return p.min }) {
			continue
		}
		// ... drop the least important that is not the minimum a screen
		// needs ...
		drop := -1
		for i, p := range ps {
			if p.keep < 4 && (drop < 0 || p.keep < ps[drop].keep) {
				drop = i
			}
		}
		if drop >= 0 {
			ps = append(ps[:drop], ps[drop+1:]...)
			continue
		}
		// ... then shrink what must stay, and last drop it too.
		if shrink(func(placed) int { return 1 }) {
			continue
		}
		drop = 0
		for i, p := range ps {
			if p.keep < ps[drop].keep {
				drop = i
			}
		}
		ps = append(ps[:drop], ps[drop+1:]...)
	}
	y := area.Min.Y + (area.Dy()-height())/2
	drawn := make([]DrawnLine, 0, len(ps))
	for _, p := range ps {
		w := font.width(p.text) * p.scale
		font.draw(img, area.Min.X+(area.Dx()-w)/2, y, p.scale, p.color, p.text)
		drawn = append(drawn, DrawnLine{Text: p.text, Pixels: p.scale * glyphHeight})
		y += p.scale*glyphHeight + gap
	}
	return drawn
}

// DrawnLine is a line of text as drawn: Pixels is its glyph height.
type DrawnLine struct {
	Text   string
	Pixels int
}

// fitWidth shortens text with "..." until it fits width pixels at scale 1.
func fitWidth(text string, width int, font *Font) string {
	if font.width(text) <= width {
		return text
	}
	runes := []rune(text)
	for len(runes) > 0 {
		runes = runes[:len(runes)-1]
		if t := string(runes) + "..."; font.width(t) <= width {
			return t
		}
	}
	return ""
}
