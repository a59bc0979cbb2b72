package display

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hexLine is one .hex line for code point cp whose rows all hold v.
func hexLine(cp rune, wide bool, v uint16) string {
	if wide {
		return fmt.Sprintf("%04X:%s", cp, strings.Repeat(fmt.Sprintf("%04X", v), glyphHeight))
	}
	return fmt.Sprintf("%04X:%s", cp, strings.Repeat(fmt.Sprintf("%02X", v&0xFF), glyphHeight))
}

// syntheticHex is a sorted file of n glyphs from U+0100 on, every third code
// point left out, with comments, blank lines and CRLF endings sprinkled in.
func syntheticHex(n int) (data []byte, present []rune) {
	var b strings.Builder
	b.WriteString("# a comment first\n\n")
	cp := rune(0x100)
	for i := range n {
		if i%3 == 2 {
			cp++ // a gap
		}
		b.WriteString(hexLine(cp, i%2 == 0, uint16(cp)))
		switch i % 50 {
		case 7:
			b.WriteString("\r\n")
		case 11:
			b.WriteString("\n# comment in the middle\n\n")
		default:
			b.WriteString("\n")
		}
		present = append(present, cp)
		cp++
	}
	return []byte(b.String()), present
}

// sameGlyphs checks that lazy and whole agree on every rune in want and on
// the runes around them.
func sameGlyphs(t *testing.T, lazy, whole *Font, want []rune) {
	t.Helper()
	seen := map[rune]bool{}
	for _, r := range want {
		for _, q := range []rune{r - 1, r, r + 1} {
			if seen[q] {
				continue
			}
			seen[q] = true
			lg, lok := lazy.lookup(q)
			wg, wok := whole.lookup(q)
			if lg != wg || lok != wok {
				t.Fatalf("U+%04X: lazy %v %v, whole %v %v", q, lok, lg, wok, wg)
			}
		}
	}
}

func TestLazyHexFontFindsWhatParsingFinds(t *testing.T) {
	for _, n := range []int{1, 2, 40, 3000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data, present := syntheticHex(n)
			whole, err := ParseHexFont(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			lazy, err := newLazyHexFont("synthetic", bytes.NewReader(data), int64(len(data)), nil)
			if err != nil {
				t.Fatal(err)
			}
			sameGlyphs(t, lazy, whole, append(present, 'A', 0, 0xFFFF, 0x10FFFF))
			if lazy.hex.whole != nil {
				t.Fatal("a sorted file was read whole")
			}
		})
	}
}

// TestLazyUnifontMatchesWholeParse: every glyph of the installed GNU Unifont
// comes out of the lazy font exactly as out of the whole parse.
func TestLazyUnifontMatchesWholeParse(t *testing.T) {
	unifont(t) // skips or fails when the package is missing
	data, err := os.ReadFile(DefaultHexFontPath)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ParseHexFont(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := newLazyHexFont(DefaultHexFontPath, bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every seventh glyph and its neighbours: all of them takes seconds under -race.
	runes := make([]rune, 0, len(whole.glyphs)/7+1)
	for r := range whole.glyphs {
		if r%7 == 0 {
			runes = append(runes, r)
		}
	}
	sameGlyphs(t, lazy, whole, runes)
	if lazy.hex.whole != nil {
		t.Fatal("GNU Unifont was read whole: the search thinks it is out of order")
	}
}

func TestOpenHexFontReadsOnlyWhatIsDrawn(t *testing.T) {
	data, _ := syntheticHex(3000)
	path := filepath.Join(t.TempDir(), "font.hex")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenHexFont(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.hex.cache) != 0 {
		t.Fatalf("opening read %d glyphs", len(f.hex.cache))
	}
	if !f.Covers("\u0100\u0101") || f.Covers("\u0102") {
		t.Fatal("Covers disagrees with the file")
	}
	if len(f.hex.cache) != 3 {
		t.Fatalf("cache holds %d glyphs after three lookups", len(f.hex.cache))
	}
}

func TestOpenHexFontRefusesWhatIsNoFont(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty":         "",
		"comments only": "# nothing\n\n",
		"not hex":       "<html>\n",
		"bad first":     "0041:00FF\n" + hexLine(0x42, false, 1) + "\n",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenHexFont(path, nil); !errors.Is(err, ErrBadFont) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want ErrBadFont naming the file", name, err)
		}
	}
	if _, err := OpenHexFont(filepath.Join(dir, "missing.hex"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLazyHexFontOutOfOrderIsReadWhole(t *testing.T) {
	data, present := syntheticHex(3000)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	reversed := []byte(strings.Join(lines, "\n") + "\n")
	var logged bytes.Buffer
	lazy, err := newLazyHexFont("reversed", bytes.NewReader(reversed), int64(len(reversed)), slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ParseHexFont(bytes.NewReader(reversed))
	if err != nil {
		t.Fatal(err)
	}
	sameGlyphs(t, lazy, whole, present[:50])
	if lazy.hex.whole == nil || !strings.Contains(logged.String(), "read whole") {
		t.Fatalf("out-of-order file not detected; log: %s", logged.String())
	}
}

func TestLazyHexFontMalformedLineLeavesTheFallback(t *testing.T) {
	data, present := syntheticHex(3000)
	bad := bytes.Replace(data, []byte(hexLine(present[1500], true, uint16(present[1500]))), []byte("9999:XYZ"), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("test did not break the file")
	}
	var logged bytes.Buffer
	lazy, err := newLazyHexFont("broken", bytes.NewReader(bad), int64(len(bad)), slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// The search passes the broken line on its way to a glyph just above it.
	if _, ok := lazy.lookup(present[1501]); ok {
		t.Fatal("a glyph came from a file that does not parse")
	}
	if g, ok := lazy.lookup('A'); !ok || g != BuiltinFont().glyphs['A'] {
		t.Fatal("the built-in ASCII font no longer backs the broken file up")
	}
	if !strings.Contains(logged.String(), "level=ERROR") || !strings.Contains(logged.String(), "broken") {
		t.Fatalf("the broken file was not logged: %s", logged.String())
	}
}

func TestKioskAndTerminalOpenNoFont(t *testing.T) {
	for _, cfg := range []Config{{Driver: "kiosk"}, {Driver: "terminal"}} {
		f, err := openFont(cfg, false)
		if err != nil || f != BuiltinFont() {
			t.Errorf("%s: font %p, %v; want the built-in font, nothing opened", cfg.Driver, f, err)
		}
	}
}

// BenchmarkOpenUnifont is the display's share of posd's start-up: opening
// GNU Unifont lazily and drawing a CJK merchant name, against parsing the
// whole file as posd did before.
//
//	go test -run '^$' -bench OpenUnifont ./display/
func BenchmarkOpenUnifont(b *testing.B) {
	unifont(b)
	b.Run("lazy", func(b *testing.B) {
		for b.Loop() {
			f, err := OpenHexFont(DefaultHexFontPath, nil)
			if err != nil {
				b.Fatal(err)
			}
			if !f.Covers("Golden Dragon 金龙茶馆") {
				b.Fatal("CJK not covered")
			}
			f.hex.close()
		}
	})
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			f, err := LoadHexFont(DefaultHexFontPath)
			if err != nil || !f.Covers("Golden Dragon 金龙茶馆") {
				b.Fatal(err)
			}
		}
	})
}
