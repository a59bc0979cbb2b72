package printer

import (
	"bytes"
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Model is what posd knows about one configured printer. It is set in
// configuration, never guessed from replies (docs/hardware.md §1.4).
type Model struct {
	Paper    Paper
	CodePage CodePage
	// Chinese marks a printer with a GB18030 font that understands FS & and
	// FS . (most Chinese-market clones, Epson's China models).
	Chinese bool
	// NativeQR marks firmware with GS ( k; without it QR codes go as raster.
	NativeQR bool
	// QRModuleDots is the largest QR module size in dots; 0 means 6
	// (0.75 mm at 203 dpi, readable by a phone at 20-30 cm).
	QRModuleDots int
	// NoCutter feeds the slip out for tearing instead of cutting it.
	NoCutter bool
	// KickDrawer pulses the cash drawer (pin 2, 50 ms) after the slip.
	KickDrawer bool
}

// Document is an encoded job: the bytes, and the offsets between commands
// where the sender may pause and ask for status. A real-time request must
// never land inside a command's parameters or image data.
type Document struct {
	Data   []byte
	Breaks []int
	// Name says which slip this is, for devices that file slips (the
	// virtual printer names its files after it).
	Name string
}

// ESC/POS building blocks (docs/hardware.md §1.3, §1.5).
var (
	cmdInit        = []byte{0x1B, 0x40}
	cmdQRModel2    = []byte{0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00}
	cmdQRLevelM    = []byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31}
	cmdQRPrint     = []byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30}
	cmdCutPartial  = []byte{0x1D, 0x56, 0x42, 0x00} // feed to cutter, partial cut
	cmdDrawerPulse = []byte{0x1B, 0x70, 0x00, 0x19, 0xFA}
)

const (
	defaultQRModule = 6
	// rasterBandBytes keeps each GS v 0 command (with its 8-byte header)
	// within one 256-byte chunk, so XOFF margins of a few hundred bytes hold.
	rasterBandBytes     = 248
	code128ModuleDots   = 2
	code128QuietModules = 10
	code128Height       = 64
)

// encoder carries the printer's mode state so that only changes are sent.
type encoder struct {
	m      Model
	out    []byte
	breaks []int
	text   *textEncoder
	align  Align
	bold   bool
	size   byte // GS ! value
}

// Encode turns laid-out blocks into ESC/POS for the model.
func Encode(blocks []Block, m Model) (Document, error) {
	if m.CodePage.Charmap == nil {
		m.CodePage = DefaultCodePage
	}
	if m.QRModuleDots <= 0 {
		m.QRModuleDots = defaultQRModule
	}
	e := &encoder{m: m, text: newTextEncoder(m.CodePage, m.Chinese)}
	e.out = append(e.out, cmdInit...)
	e.out = append(e.out, 0x1B, 0x74, m.CodePage.Number) // ESC t
	e.mark()
	for _, b := range blocks {
		if err := e.block(b); err != nil {
			return Document{}, err
		}
		e.mark()
	}
	if m.KickDrawer {
		e.out = append(e.out, cmdDrawerPulse...)
		e.mark()
	}
	return Document{Data: e.out, Breaks: e.breaks}, nil
}

func (e *encoder) mark() {
	if n := len(e.breaks); n == 0 || e.breaks[n-1] != len(e.out) {
		e.breaks = append(e.breaks, len(e.out))
	}
}

func (e *encoder) setAlign(a Align) {
	if e.align != a {
		e.align = a
		e.out = append(e.out, 0x1B, 0x61, byte(a))
	}
}

func (e *encoder) setBold(on bool) {
	if e.bold != on {
		e.bold = on
		v := byte(0)
		if on {
			v = 1
		}
		e.out = append(e.out, 0x1B, 0x45, v)
	}
}

func (e *encoder) setSize(n byte) {
	if e.size != n {
		e.size = n
		e.out = append(e.out, 0x1D, 0x21, n)
	}
}

func (e *encoder) block(b Block) error {
	switch b.Kind {
	case BlockText:
		e.textLine(b)
	case BlockFeed:
		if b.Lines > 0 {
			e.out = append(e.out, 0x1B, 0x64, byte(min(b.Lines, 255)))
		}
	case BlockCut:
		if e.m.NoCutter {
			e.out = append(e.out, 0x1B, 0x64, 4)
		} else {
			e.out = append(e.out, cmdCutPartial...)
		}
	case BlockQR:
		return e.qr(b)
	case BlockCode128:
		return e.code128(b)
	default:
		return fmt.Errorf("printer: unknown block kind %d", b.Kind)
	}
	return nil
}

// textLine prints one line. Two savings keep a receipt small on a slow
// serial link: a line of one repeated character (a rule) is sent as a few
// characters at up to 8x width, and long runs of spaces inside a
// left-aligned line become an absolute position (ESC $).
func (e *encoder) textLine(b Block) {
	e.setAlign(b.Align)
	e.setBold(b.Bold)
	factor := 1
	size := byte(0)
	if b.Double {
		factor, size = 2, 0x11
	}
	text := printable(b.Text)
	if c, n, ok := ruleOf(text); ok && !b.Double && b.Align == AlignLeft {
		w := widestDivisor(n, 8)
		e.setSize(byte(w-1) << 4)
		e.out = e.text.append(e.out, string(bytes.Repeat([]byte{c}, n/w)))
		e.out = append(e.out, '\n')
		return
	}
	e.setSize(size)
	if b.Align != AlignLeft {
		e.out = e.text.append(e.out, text)
		e.out = append(e.out, '\n')
		return
	}
	col := 0
	for len(text) > 0 {
		i := strings.Index(text, "      ") // six spaces cost more than ESC $ nL nH
		if i < 0 {
			e.out = e.text.append(e.out, text)
			break
		}
		head := text[:i]
		e.out = e.text.append(e.out, head)
		col += Columns(head)
		rest := text[i:]
		j := 0
		for j < len(rest) && rest[j] == ' ' {
			j++
		}
		col += j
		text = rest[j:]
		if text == "" {
			break
		}
		dots := col * 12 * factor
		e.out = append(e.out, 0x1B, 0x24, byte(dots), byte(dots>>8))
	}
	e.out = append(e.out, '\n')
}

// ruleOf reports whether s is one ASCII character repeated at least 8 times.
func ruleOf(s string) (byte, int, bool) {
	if len(s) < 8 || s[0] == ' ' || s[0] >= 0x80 {
		return 0, 0, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return 0, 0, false
		}
	}
	return s[0], len(s), true
}

// widestDivisor is the largest d <= limit that divides n.
func widestDivisor(n, limit int) int {
	for d := limit; d > 1; d-- {
		if n%d == 0 {
			return d
		}
	}
	return 1
}

// qrModuleDots picks the module size so the whole symbol, quiet zone
// included, fits the paper even if the printer picks one version larger
// than go-qrcode does. An oversized native symbol is silently not printed.
func qrModuleDots(modules int, m Model) (int, error) {
	n := min(m.QRModuleDots, m.Paper.Dots/(modules+8+4))
	if n < 2 {
		return 0, fmt.Errorf("%w: QR of %d modules on %d dots", ErrDoesNotFit, modules, m.Paper.Dots)
	}
	return n, nil
}

func (e *encoder) qr(b Block) error {
	code, err := qrcode.New(b.Text, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("%w: QR: %w", ErrDoesNotFit, err)
	}
	modules := 17 + 4*code.VersionNumber
	n, err := qrModuleDots(modules, e.m)
	if err != nil {
		return err
	}
	e.setAlign(b.Align)
	data := []byte(b.Text)
	if e.m.NativeQR && !hasRealtime(data) && len(data)+3 <= 0xFFFF {
		e.out = append(e.out, cmdQRModel2...)
		e.out = append(e.out, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, byte(n))
		e.out = append(e.out, cmdQRLevelM...)
		k := len(data) + 3
		e.out = append(e.out, 0x1D, 0x28, 0x6B, byte(k), byte(k>>8), 0x31, 0x50, 0x30)
		e.out = append(e.out, data...)
		e.out = append(e.out, cmdQRPrint...)
		return nil
	}
	e.raster(code.Bitmap(), n)
	return nil
}

// raster sends a bitmap ([y][x], true = black) scaled n×n as GS v 0 bands.
// Image bytes are not protected from real-time interpretation, so the
// image is shifted right by up to 7 dots until no band contains a DLE EOT,
// DLE ENQ or DLE DC4 sequence.
func (e *encoder) raster(bitmap [][]bool, n int) {
	var bands [][]byte
	var widthBytes int
	for shift := 0; shift < 8; shift++ {
		bands, widthBytes = rasterBands(bitmap, n, shift)
		clean := true
		for _, band := range bands {
			clean = clean && !hasRealtime(band)
		}
		if clean {
			break
		}
	}
	for _, band := range bands {
		rows := len(band) / widthBytes
		e.out = append(e.out, 0x1D, 0x76, 0x30, 0x00, byte(widthBytes), byte(widthBytes>>8), byte(rows), byte(rows>>8))
		e.out = append(e.out, band...)
		e.mark()
	}
}

// rasterBands packs the scaled bitmap MSB-first, shift white dots on the
// left, in bands of at most rasterBandBytes.
func rasterBands(bitmap [][]bool, n, shift int) ([][]byte, int) {
	if len(bitmap) == 0 {
		return nil, 1
	}
	w := len(bitmap[0])*n + shift
	widthBytes := (w + 7) / 8
	rowsPerBand := max(1, min(255, rasterBandBytes/widthBytes))
	var bands [][]byte
	var band []byte
	for y := 0; y < len(bitmap)*n; y++ {
		row := make([]byte, widthBytes)
		for x, black := range bitmap[y/n] {
			if !black {
				continue
			}
			for dx := 0; dx < n; dx++ {
				d := shift + x*n + dx
				row[d/8] |= 0x80 >> (d % 8)
			}
		}
		band = append(band, row...)
		if len(band)/widthBytes == rowsPerBand {
			bands = append(bands, band)
			band = nil
		}
	}
	if len(band) > 0 {
		bands = append(bands, band)
	}
	return bands, widthBytes
}

// hasRealtime reports whether data contains a sequence a printer executes
// wherever it finds it: DLE EOT n, DLE ENQ n, DLE DC4 n.
func hasRealtime(data []byte) bool {
	for i := 0; i+2 < len(data); i++ {
		if data[i] != 0x10 {
			continue
		}
		switch n := data[i+2]; data[i+1] {
		case 0x04:
			if n >= 1 && n <= 4 {
				return true
			}
		case 0x05:
			if n <= 2 {
				return true
			}
		case 0x14:
			if n >= 1 && n <= 8 {
				return true
			}
		}
	}
	return false
}

// code128Payload is the GS k data for id: code set C (two digits a byte)
// for an even run of digits, else code set B. modules is the symbol width
// without quiet zones; it is huge when id cannot be encoded at all.
func code128Payload(id string) ([]byte, int) {
	const impossible = 1 << 20
	if id == "" || len(id) > 250 {
		return nil, impossible
	}
	if allDigits(id) && len(id)%2 == 0 {
		p := []byte{'{', 'C'}
		for i := 0; i < len(id); i += 2 {
			p = append(p, (id[i]-'0')*10+id[i+1]-'0')
		}
		if !hasRealtime(p) {
			return p, (len(id)/2+3)*11 + 2
		}
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7E || id[i] == '{' {
			return nil, impossible
		}
	}
	return append([]byte{'{', 'B'}, id...), (len(id)+3)*11 + 2
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (e *encoder) code128(b Block) error {
	payload, modules := code128Payload(b.Text)
	if payload == nil || (modules+2*code128QuietModules)*code128ModuleDots > e.m.Paper.Dots {
		return fmt.Errorf("%w: CODE128 of %q on %d dots", ErrDoesNotFit, b.Text, e.m.Paper.Dots)
	}
	e.setAlign(b.Align)
	e.setSize(0)
	e.out = append(e.out, 0x1D, 0x68, code128Height, 0x1D, 0x77, code128ModuleDots, 0x1D, 0x48, 0x02)
	e.out = append(e.out, 0x1D, 0x6B, 0x49, byte(len(payload)))
	e.out = append(e.out, payload...)
	return nil
}
