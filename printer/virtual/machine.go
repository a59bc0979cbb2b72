package virtual

import (
	"fmt"
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Limits that keep a hostile stream from exhausting memory; a real printer
// would print garbage or ignore such commands.
const (
	maxRasterWidthBytes = 256
	maxRasterRows       = 4096
	maxPaperRows        = 16_000 // 2 m of paper at 8 dots/mm: ten long slips
	lineSpacingDefault  = 30     // ESC 2: 1/6 inch
)

// Config describes the printer being imitated.
type Config struct {
	// Dots is the printable width: 384 (58 mm), 576 (80 mm), 512 (TM-T88).
	Dots int
	// Chinese printers power up in Chinese double-byte mode (FS &).
	Chinese bool
	// NoNativeQR imitates old firmware without GS ( k: the command is
	// consumed and nothing is printed.
	NoNativeQR bool
	// Glyphs draws the double-byte (Chinese) characters: GNU Unifont, as
	// the customer displays use (display.OpenHexFont). Nil draws a box for
	// each, which says "a character was here" and no more.
	Glyphs Glyphs
}

// Glyphs gives 16x16 bitmaps: bit 15 of each row is the leftmost pixel.
type Glyphs interface {
	Glyph16(r rune) (rows [16]uint16, width int, ok bool)
}

// codePages are the ESC t tables the machine can decode.
var codePages = map[byte]*charmap.Charmap{
	0: charmap.CodePage437, 2: charmap.CodePage850, 3: charmap.CodePage860, 4: charmap.CodePage863,
	5: charmap.CodePage865, 16: charmap.Windows1252, 17: charmap.CodePage866, 18: charmap.CodePage852,
	19: charmap.CodePage858,
}

// cell is one character waiting in the line buffer.
type cell struct {
	r         rune
	wide      bool
	bold      bool
	underline bool
	w, h      int // size factors 1-8
	x         int // left edge in dots
}

// Machine executes ESC/POS and draws the paper. It is not safe for
// concurrent use; Device serialises access.
type Machine struct {
	cfg Config
	// paper holds the printed dot rows, packed eight dots a byte with the
	// leftmost in bit 7 and 1 for black; a row is never written once
	// appended, so blank and repeated rows are shared.
	paper [][]byte
	blank []byte
	// scratch and scratchRows are the line being drawn (lineRows).
	scratch     []bool
	scratchRows [][]bool

	line      []cell
	x         int
	align     byte
	bold      bool
	underline int
	widthF    int
	heightF   int
	spacing   int
	page      *charmap.Charmap
	chinese   bool
	hriPos    byte
	barHeight int
	barModule int

	qrData   []byte
	qrModule int
	qrLevel  qrcode.RecoveryLevel

	transcript strings.Builder
	cuts       int
	replies    []byte // answers to in-stream requests (GS r), in order
	// paperSensor is the GS r 1 answer: bits 0+1 near end, 2+3 paper end.
	paperSensor byte
}

// NewMachine returns a machine in its power-on state.
func NewMachine(cfg Config) *Machine {
	if cfg.Dots <= 0 {
		cfg.Dots = 576
	}
	m := &Machine{cfg: cfg}
	m.reset()
	m.chinese = cfg.Chinese
	return m
}

// reset is ESC @: modes back to power-on, line buffer cleared. Chinese
// mode is left as it was, as on the common clones.
func (m *Machine) reset() {
	m.line, m.x = nil, 0
	m.align, m.bold, m.underline = 0, false, 0
	m.widthF, m.heightF = 1, 1
	m.spacing = lineSpacingDefault
	m.page = charmap.CodePage437
	m.hriPos, m.barHeight, m.barModule = 0, 162, 3
	m.qrData, m.qrModule, m.qrLevel = nil, 3, qrcode.Low
}

// Cuts is the number of cuts (GS V) executed.
func (m *Machine) Cuts() int { return m.cuts }

// Transcript is the text of everything printed so far.
func (m *Machine) Transcript() string { return m.transcript.String() }

// TakeReplies returns and forgets the answers to in-stream requests.
func (m *Machine) TakeReplies() []byte {
	r := m.replies
	m.replies = nil
	return r
}

// Execute runs every complete command at the start of buf and returns how
// many bytes it used. A command cut off at the end is left for the next
// call, with more bytes.
func (m *Machine) Execute(buf []byte) int {
	done := 0
	for done < len(buf) {
		n := m.step(buf[done:])
		if n == 0 {
			break
		}
		done += n
	}
	return done
}

// need returns the length of a fixed-size command, or 0 if buf is short.
func need(buf []byte, n int) int {
	if len(buf) < n {
		return 0
	}
	return n
}

// step executes one command or character; 0 means incomplete.
func (m *Machine) step(buf []byte) int {
	b := buf[0]
	switch b {
	case 0x0A:
		m.lineFeed()
		return 1
	case 0x0D, 0x00:
		return 1
	case 0x1B:
		return m.esc(buf)
	case 0x1D:
		return m.gs(buf)
	case 0x1C:
		return m.fs(buf)
	}
	if b < 0x20 || b == 0x7F {
		m.note(fmt.Sprintf("[unknown byte %02X]", b))
		return 1
	}
	if b < 0x80 {
		m.put(rune(b), false)
		return 1
	}
	if m.chinese && m.cfg.Chinese && b >= 0x81 && b != 0xFF {
		if len(buf) < 2 {
			return 0
		}
		r := decodeOne(simplifiedchinese.GB18030.NewDecoder(), buf[:2])
		m.put(r, true)
		return 2
	}
	r := m.page.DecodeByte(b)
	m.put(r, false)
	return 1
}

func decodeOne(dec *encoding.Decoder, b []byte) rune {
	out, err := dec.Bytes(b)
	if err != nil {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeRune(out)
	return r
}

func (m *Machine) put(r rune, wide bool) {
	c := cell{r: r, wide: wide, bold: m.bold, underline: m.underline > 0, w: m.widthF, h: m.heightF, x: m.x}
	adv := 12 * m.widthF
	if wide {
		adv = 24 * m.widthF
	}
	if m.x+adv > m.cfg.Dots { // the line is full: the printer prints it and goes on
		m.printLine()
		c.x = 0
	}
	m.line = append(m.line, c)
	m.x = c.x + adv
}

func (m *Machine) esc(buf []byte) int {
	if len(buf) < 2 {
		return 0
	}
	switch buf[1] {
	case 0x40: // ESC @
		m.reset()
		return 2
	case 0x32: // ESC 2
		m.spacing = lineSpacingDefault
		return 2
	case 0x61, 0x45, 0x2D, 0x4D, 0x21, 0x64, 0x4A, 0x33, 0x74, 0x47, 0x20:
		if len(buf) < 3 {
			return 0
		}
		m.escWithArg(buf[1], buf[2])
		return 3
	case 0x24: // ESC $ nL nH: absolute position
		if len(buf) < 4 {
			return 0
		}
		if x := int(buf[2]) | int(buf[3])<<8; x < m.cfg.Dots {
			m.x = x
		}
		return 4
	case 0x70: // ESC p m t1 t2: drawer pulse
		if len(buf) < 5 {
			return 0
		}
		m.note(fmt.Sprintf("[DRAWER pin%d %dms]", 2+3*int(buf[2]&1), 2*int(buf[3])))
		return 5
	}
	m.note(fmt.Sprintf("[unknown ESC %02X]", buf[1]))
	return 2
}

func (m *Machine) escWithArg(c, n byte) {
	switch c {
	case 0x61:
		if n >= 0x30 {
			n -= 0x30
		}
		if n <= 2 {
			m.align = n
		}
	case 0x45, 0x47:
		m.bold = n&1 == 1
	case 0x2D:
		if n >= 0x30 {
			n -= 0x30
		}
		m.underline = int(n & 3)
	case 0x21:
		m.bold = n&0x08 != 0
		m.heightF, m.widthF = 1, 1
		if n&0x10 != 0 {
			m.heightF = 2
		}
		if n&0x20 != 0 {
			m.widthF = 2
		}
		m.underline = int(n>>7) & 1
	case 0x64:
		m.printLine()
		m.feedDots(int(n) * m.spacing)
	case 0x4A:
		m.printLine()
		m.feedDots(int(n))
	case 0x33:
		m.spacing = int(n)
	case 0x74:
		if cp, ok := codePages[n]; ok {
			m.page = cp
		} else {
			m.note(fmt.Sprintf("[unknown code page %d]", n))
		}
	}
}

func (m *Machine) fs(buf []byte) int {
	if len(buf) < 2 {
		return 0
	}
	switch buf[1] {
	case 0x26:
		m.chinese = true
		return 2
	case 0x2E:
		m.chinese = false
		return 2
	case 0x21, 0x57, 0x2D: // FS ! / FS W / FS -: Hanzi modes, sizes follow GS !
		return need(buf, 3)
	}
	m.note(fmt.Sprintf("[unknown FS %02X]", buf[1]))
	return 2
}

func (m *Machine) gs(buf []byte) int {
	if len(buf) < 2 {
		return 0
	}
	switch buf[1] {
	case 0x21: // GS ! n
		if len(buf) < 3 {
			return 0
		}
		m.widthF, m.heightF = int(buf[2]>>4)&7+1, int(buf[2]&7)+1
		return 3
	case 0x42, 0x48, 0x66, 0x61: // GS B, GS H, GS f, GS a: one-byte modes
		if len(buf) < 3 {
			return 0
		}
		if buf[1] == 0x48 {
			m.hriPos = buf[2] & 3
		}
		return 3
	case 0x4C, 0x57: // GS L, GS W: left margin and print area, two bytes
		return need(buf, 4)
	case 0x68: // GS h n
		if len(buf) < 3 {
			return 0
		}
		m.barHeight = max(1, int(buf[2]))
		return 3
	case 0x77: // GS w n
		if len(buf) < 3 {
			return 0
		}
		m.barModule = min(6, max(1, int(buf[2])))
		return 3
	case 0x72: // GS r n: answered when reached in the stream
		if len(buf) < 3 {
			return 0
		}
		m.printLine()
		m.replies = append(m.replies, m.paperSensor)
		return 3
	case 0x56: // GS V m [n]
		if len(buf) < 3 {
			return 0
		}
		n := 3
		if buf[2] >= 0x41 {
			n = 4
		}
		if len(buf) < n {
			return 0
		}
		m.printLine()
		if n == 4 {
			m.feedDots(int(buf[3]))
		}
		m.cut()
		return n
	case 0x76: // GS v 0 m xL xH yL yH data
		return m.raster(buf)
	case 0x28: // GS ( X pL pH ...
		return m.gsParen(buf)
	case 0x6B: // GS k
		return m.barcode(buf)
	}
	m.note(fmt.Sprintf("[unknown GS %02X]", buf[1]))
	return 2
}

func (m *Machine) gsParen(buf []byte) int {
	if len(buf) < 5 {
		return 0
	}
	n := 5 + (int(buf[3]) | int(buf[4])<<8)
	if len(buf) < n {
		return 0
	}
	body := buf[5:n]
	if buf[2] == 0x6B { // GS ( k
		if m.cfg.NoNativeQR {
			m.note("[unsupported GS ( k]")
			return n
		}
		m.qrCommand(body)
	}
	return n // GS ( D and other function groups: accepted, no effect here
}

func (m *Machine) qrCommand(body []byte) {
	if len(body) < 2 || body[0] != 0x31 {
		return
	}
	switch body[1] {
	case 0x43:
		if len(body) >= 3 && body[2] >= 1 && body[2] <= 16 {
			m.qrModule = int(body[2])
		}
	case 0x45:
		if len(body) >= 3 {
			levels := map[byte]qrcode.RecoveryLevel{0x30: qrcode.Low, 0x31: qrcode.Medium, 0x32: qrcode.High, 0x33: qrcode.Highest}
			if l, ok := levels[body[2]]; ok {
				m.qrLevel = l
			}
		}
	case 0x50:
		if len(body) >= 3 {
			m.qrData = append([]byte(nil), body[3:]...)
		}
	case 0x51:
		m.printQR()
	}
}

func (m *Machine) printQR() {
	m.printLine()
	if len(m.qrData) == 0 {
		return
	}
	code, err := qrcode.New(string(m.qrData), m.qrLevel)
	if err != nil {
		m.note("[QR not printed: " + err.Error() + "]")
		return
	}
	bits := code.Bitmap()
	if len(bits)*m.qrModule > m.cfg.Dots { // a real printer silently prints nothing
		m.note("[QR too wide: not printed]")
		return
	}
	rows := scaleBitmap(bits, m.qrModule)
	m.drawImage(rows, len(bits)*m.qrModule)
	m.note("[QR " + string(m.qrData) + "]")
}

func scaleBitmap(bits [][]bool, n int) [][]bool {
	var out [][]bool
	for _, row := range bits {
		wide := make([]bool, 0, len(row)*n)
		for _, b := range row {
			for range n {
				wide = append(wide, b)
			}
		}
		for range n {
			out = append(out, wide)
		}
	}
	return out
}

func (m *Machine) raster(buf []byte) int {
	if len(buf) < 8 {
		return 0
	}
	wb := int(buf[4]) | int(buf[5])<<8
	rows := int(buf[6]) | int(buf[7])<<8
	n := 8 + wb*rows
	if len(buf) < n {
		return 0
	}
	m.printLine()
	if buf[2] != 0x30 && buf[2] != 0 || wb == 0 || wb > maxRasterWidthBytes || rows > maxRasterRows {
		m.note("[raster image ignored]")
		return n
	}
	sx, sy := 1+int(buf[3]&1), 1+int(buf[3]>>1&1)
	data := buf[8:n]
	var img [][]bool
	for y := range min(rows, (maxPaperRows-len(m.paper))/sy+1) {
		row := make([]bool, 0, min(wb*8*sx, m.cfg.Dots))
		for x := range min(wb*8, m.cfg.Dots/sx+1) {
			black := data[y*wb+x/8]&(0x80>>(x%8)) != 0
			for range sx {
				row = append(row, black)
			}
		}
		for range sy {
			img = append(img, row)
		}
	}
	m.drawImage(img, wb*8*sx)
	m.note(fmt.Sprintf("[IMAGE %dx%d]", wb*8*sx, rows*sy))
	return n
}

func (m *Machine) barcode(buf []byte) int {
	if len(buf) < 3 {
		return 0
	}
	kind := buf[2]
	if kind < 0x41 { // function A: NUL-terminated data
		end := -1
		for i := 3; i < len(buf); i++ {
			if buf[i] == 0 {
				end = i
				break
			}
		}
		if end < 0 {
			return 0
		}
		m.note("[unsupported barcode]")
		return end + 1
	}
	if len(buf) < 4 {
		return 0
	}
	n := 4 + int(buf[3])
	if len(buf) < n {
		return 0
	}
	if kind != 0x49 {
		m.note("[unsupported barcode]")
		return n
	}
	m.printLine()
	symbols, text, ok := code128Symbols(buf[4:n])
	if !ok {
		m.note("[CODE128 data refused]")
		return n
	}
	mods := code128Modules(symbols)
	quiet := 10
	w := (len(mods) + 2*quiet) * m.barModule
	if w > m.cfg.Dots {
		m.note("[CODE128 too wide: not printed]")
		return n
	}
	row := make([]bool, w)
	for i, bar := range mods {
		for d := range m.barModule {
			row[(quiet+i)*m.barModule+d] = bar
		}
	}
	img := make([][]bool, m.barHeight)
	for i := range img {
		img[i] = row
	}
	m.drawImage(img, w)
	if m.hriPos&2 != 0 {
		saveAlign := m.align
		for _, r := range text {
			m.put(r, false)
		}
		m.align = saveAlign
		m.printLine()
	}
	m.note("[CODE128 " + text + "]")
	return n
}

// note adds a line to the transcript.
func (m *Machine) note(s string) { m.transcript.WriteString(s + "\n") }

func (m *Machine) cut() {
	m.cuts++
	m.note("--- cut ---")
}
