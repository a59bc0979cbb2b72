package printer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/posd/posd/printer/virtual"
)

func encodeText(t *testing.T, m Model, s string) []byte {
	t.Helper()
	doc, err := Encode([]Block{{Kind: BlockText, Text: s}}, m)
	if err != nil {
		t.Fatal(err)
	}
	// Strip ESC @ ESC t n and the final LF.
	return doc.Data[5 : len(doc.Data)-1]
}

func TestTextEncodingBytes(t *testing.T) {
	chinese := Model{Paper: Paper58, CodePage: DefaultCodePage, Chinese: true}
	latin := Model{Paper: Paper58, CodePage: DefaultCodePage}
	pc866, _ := CodePageByName("pc866") // no ¥ in it
	cyrillicChinese := Model{Paper: Paper58, CodePage: pc866, Chinese: true}
	cases := []struct {
		name string
		m    Model
		in   string
		want []byte
	}{
		// docs/hardware.md §1.4, verified there against x/text.
		{"GB18030 total", chinese, "合计 ￥12.50 元", []byte{0x1C, 0x26, 0xBA, 0xCF, 0xBC, 0xC6, 0x20, 0xA3, 0xA4, 0x31, 0x32, 0x2E, 0x35, 0x30, 0x20, 0xD4, 0xAA}},
		{"yen sign from the code page", chinese, "¥", []byte{0x1C, 0x2E, 0xBE}},
		{"yen sign becomes fullwidth", cyrillicChinese, "¥", []byte{0x1C, 0x26, 0xA3, 0xA4}},
		{"PC858 euro", latin, "Total €12,50 ü", append([]byte("Total \xD512,50 "), 0x81)},
		{"switching modes", chinese, "ü合ü", []byte{0x1C, 0x2E, 0x81, 0x1C, 0x26, 0xBA, 0xCF, 0x1C, 0x2E, 0x81}},
		{"Hanzi on a Latin printer", latin, "A合B", []byte("A??B")},
		{"four-byte GB18030 replaced", chinese, "\U00020000", []byte("??")},
		{"emoji replaced", chinese, "ok😀", []byte("ok??")},
		{"control bytes never sent", latin, "a\x10\x04\x01b", []byte("a???b")},
	}
	for _, c := range cases {
		if got := encodeText(t, c.m, c.in); !bytes.Equal(got, c.want) {
			t.Errorf("%s: % X, want % X", c.name, got, c.want)
		}
	}
}

// TestTextRoundTrip prints text through the encoder and the virtual
// printer's decoder and reads it back from the transcript.
func TestTextRoundTrip(t *testing.T) {
	texts := []string{"Harbour Coffee", "Café Müller €3,50", "合计 ￥12.50 元", "拿铁 Latte ×2", "Ñandú ß ø å"}
	for _, chinese := range []bool{false, true} {
		for _, cp := range codePages {
			m := Model{Paper: Paper80, CodePage: cp, Chinese: chinese}
			for _, s := range texts {
				doc, err := Encode([]Block{{Kind: BlockText, Text: s, Align: AlignCenter}}, m)
				if err != nil {
					t.Fatal(err)
				}
				vm := virtual.NewMachine(virtual.Config{Dots: Paper80.Dots, Chinese: chinese})
				if n := vm.Execute(doc.Data); n != len(doc.Data) {
					t.Fatalf("machine stopped at %d of %d", n, len(doc.Data))
				}
				got := strings.TrimSpace(vm.Transcript())
				want := expectedPrint(s, cp, chinese)
				if got != want {
					t.Errorf("%s chinese=%v: %q printed as %q, want %q", cp.Name, chinese, s, got, want)
				}
			}
		}
	}
}

// expectedPrint is s with every rune the printer cannot show replaced.
func expectedPrint(s string, cp CodePage, chinese bool) string {
	var b strings.Builder
	for _, r := range s {
		if _, ok := cp.Charmap.EncodeRune(r); ok || r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if chinese {
			if g, ok := encodeRune(newTextEncoder(cp, true).gb, r, make([]byte, 0, 8)); ok && len(g) == 2 {
				b.WriteRune(r)
				continue
			}
		}
		b.WriteString(strings.Repeat("?", runeColumns(r)))
	}
	return b.String()
}

func TestRuleIsCompressed(t *testing.T) {
	for _, p := range papers {
		got := encodeText(t, Model{Paper: p}, strings.Repeat("-", p.Columns))
		w := widestDivisor(p.Columns, 8)
		want := append([]byte{0x1D, 0x21, byte(w-1) << 4}, bytes.Repeat([]byte("-"), p.Columns/w)...)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: % X, want % X", p.Name, got, want)
		}
	}
}

func TestSpacesBecomePosition(t *testing.T) {
	got := encodeText(t, Model{Paper: Paper80}, "Total"+strings.Repeat(" ", 34)+"USD 12.50")
	pos := 39 * 12
	want := append([]byte("Total\x1B\x24"), byte(pos), byte(pos>>8))
	want = append(want, "USD 12.50"...)
	if !bytes.Equal(got, want) {
		t.Errorf("% X, want % X", got, want)
	}
}

// TestQRAlwaysFits tries every id length and alphabet on every paper: the
// virtual printer must print the symbol, never drop it as too wide.
func TestQRAlwaysFits(t *testing.T) {
	alphabets := []string{"0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ-", "abcdefghijklmnopqrstuvwxyz_./"}
	for _, p := range papers {
		for _, native := range []bool{true, false} {
			for _, abc := range alphabets {
				for n := 1; n <= maxIDLen; n += 7 {
					id := strings.Repeat(abc, 7)[:n]
					doc, err := Encode([]Block{{Kind: BlockQR, Text: id, Align: AlignCenter}}, Model{Paper: p, NativeQR: native})
					if err != nil {
						t.Fatalf("%s %q: %v", p.Name, id, err)
					}
					if hasRealtime(doc.Data) {
						t.Errorf("%s %q native=%v: output contains a real-time sequence", p.Name, id, native)
					}
					vm := virtual.NewMachine(virtual.Config{Dots: p.Dots})
					vm.Execute(doc.Data)
					tr := vm.Transcript()
					if native && !strings.Contains(tr, "[QR "+id+"]") || !native && !strings.Contains(tr, "[IMAGE ") {
						t.Errorf("%s %q native=%v: %s", p.Name, id, native, tr)
					}
				}
			}
		}
	}
}

func TestRasterAvoidsRealtimeSequences(t *testing.T) {
	// A row whose packed bytes would be 10 04 01: dots 3, 13, 23 black.
	row := make([]bool, 24)
	row[3], row[13], row[23] = true, true, true
	bands, _ := rasterBands([][]bool{row}, 1, 0)
	if !hasRealtime(bands[0]) {
		t.Fatalf("test bitmap does not produce the pattern: % X", bands[0])
	}
	e := &encoder{m: Model{Paper: Paper58}}
	e.raster([][]bool{row}, 1)
	if hasRealtime(e.out) {
		t.Errorf("raster still contains a real-time sequence: % X", e.out)
	}
	vm := virtual.NewMachine(virtual.Config{Dots: 384})
	if vm.Execute(e.out) != len(e.out) || !strings.Contains(vm.Transcript(), "[IMAGE ") {
		t.Errorf("shifted raster not printed: %s", vm.Transcript())
	}
}

func TestCode128Payload(t *testing.T) {
	cases := []struct {
		id      string
		payload []byte
		modules int
	}{
		{"1234", []byte{'{', 'C', 12, 34}, 5*11 + 2},
		{"123", []byte("{B123"), 6*11 + 2},
		{"AB-1", []byte("{BAB-1"), 7*11 + 2},
		{"160401", []byte("{B160401"), 9*11 + 2}, // code C would contain 10 04 01
	}
	for _, c := range cases {
		p, m := code128Payload(c.id)
		if !bytes.Equal(p, c.payload) || m != c.modules {
			t.Errorf("%q: % X %d, want % X %d", c.id, p, m, c.payload, c.modules)
		}
	}
	if p, _ := code128Payload("ü"); p != nil {
		t.Error("non-ASCII accepted for CODE128")
	}
}

func TestEncodedReceiptHasNoRealtimeSequence(t *testing.T) {
	for _, r := range variants() {
		for _, p := range papers {
			for _, native := range []bool{true, false} {
				blocks, err := Layout(r, p, LayoutOptions{Symbol: SymbolCode128})
				if err != nil {
					t.Fatal(err)
				}
				doc, err := Encode(blocks, Model{Paper: p, NativeQR: native, Chinese: true})
				if err != nil {
					t.Fatal(err)
				}
				if hasRealtime(doc.Data) {
					t.Errorf("%s on %s: real-time sequence in job", r.Kind, p.Name)
				}
				for i, b := range doc.Breaks {
					if b <= 0 || b > len(doc.Data) || i > 0 && b <= doc.Breaks[i-1] {
						t.Fatalf("bad break %d at %d", b, i)
					}
				}
				vm := virtual.NewMachine(virtual.Config{Dots: p.Dots, Chinese: true})
				if n := vm.Execute(doc.Data); n != len(doc.Data) || vm.Cuts() != 1 {
					t.Errorf("%s on %s: executed %d/%d, cuts %d", r.Kind, p.Name, n, len(doc.Data), vm.Cuts())
				}
				if strings.Contains(vm.Transcript(), "[unknown") || strings.Contains(vm.Transcript(), "not printed") {
					t.Errorf("virtual printer complained:\n%s", vm.Transcript())
				}
			}
		}
	}
}

func TestChunkEnd(t *testing.T) {
	breaks := []int{5, 10, 300, 310}
	cases := []struct{ start, limit, want int }{
		{0, 8, 5}, {0, 10, 10}, {5, 8, 10}, {10, 100, 300}, {10, 400, 310}, {310, 10, 320}, {0, 1, 5},
	}
	for _, c := range cases {
		if got := chunkEnd(breaks, c.start, 320, c.limit); got != c.want {
			t.Errorf("chunkEnd(%d, %d) = %d, want %d", c.start, c.limit, got, c.want)
		}
	}
}

func TestTypicalReceiptSize(t *testing.T) {
	for _, p := range papers {
		for _, native := range []bool{true, false} {
			doc := sampleDoc(t, Model{Paper: p, NativeQR: native}, false)
			t.Logf("%s native=%v: %d bytes", p.Name, native, len(doc.Data))
			if p == Paper80 && native && len(doc.Data) >= 600 {
				t.Errorf("typical 80 mm receipt with native QR is %d bytes, goal < 600", len(doc.Data))
			}
		}
	}
}

func ExampleEncode() {
	blocks, _ := Layout(sampleWithItems(), Paper80, LayoutOptions{})
	doc, _ := Encode(blocks, Model{Paper: Paper80, NativeQR: true})
	fmt.Println(len(doc.Data) < 600)
	// Output: true
}

func TestDrawerAndNoCutter(t *testing.T) {
	blocks, err := Layout(sampleWithItems(), Paper58, LayoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Encode(blocks, Model{Paper: Paper58, NoCutter: true, KickDrawer: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(doc.Data, []byte{0x1B, 0x64, 4, 0x1B, 0x70, 0x00, 0x19, 0xFA}) {
		t.Errorf("tail % X: want feed-out then drawer pulse", doc.Data[len(doc.Data)-8:])
	}
	vm := virtual.NewMachine(virtual.Config{Dots: Paper58.Dots})
	vm.Execute(doc.Data)
	if vm.Cuts() != 0 || !strings.Contains(vm.Transcript(), "[DRAWER pin2 50ms]") {
		t.Errorf("cuts %d, transcript:\n%s", vm.Cuts(), vm.Transcript())
	}
}
