package virtual

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"slices"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var updateFontA = flag.Bool("update-fonta", false, "rewrite fonta.bin from Go Mono")

// fontARunes is every rune the machine can put in a Font A cell: ASCII and
// what each of its code pages decodes the high bytes to.
func fontARunes() []rune {
	set := map[rune]bool{}
	for r := rune(0x20); r < 0x7F; r++ {
		set[r] = true
	}
	for _, cm := range codePages {
		for b := 0x80; b <= 0xFF; b++ {
			set[cm.DecodeByte(byte(b))] = true
		}
	}
	out := make([]rune, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// goMonoRows draws r from face as the printer's 12×24 cell, one bit a dot
// thresholded at half coverage; ok is false when the face lacks r.
func goMonoRows(face font.Face, r rune) (rows [cellH]uint16, ok bool) {
	if _, ok := face.GlyphAdvance(r); !ok {
		return rows, false
	}
	dr, mask, mp, _, ok := face.Glyph(fixed.P(0, baseline), r)
	if !ok {
		return rows, false
	}
	for y := max(dr.Min.Y, 0); y < min(dr.Max.Y, cellH); y++ {
		for x := max(dr.Min.X, 0); x < min(dr.Max.X, cellW); x++ {
			if _, _, _, a := mask.At(mp.X+x-dr.Min.X, mp.Y+y-dr.Min.Y).RGBA(); a >= 0x8000 {
				rows[y] |= 1 << (15 - x)
			}
		}
	}
	return rows, true
}

func goMonoFaces(t *testing.T) (regular, bold font.Face) {
	opts := &opentype.FaceOptions{Size: 20, DPI: 72, Hinting: font.HintingFull}
	for _, f := range []struct {
		ttf  []byte
		face *font.Face
	}{{gomono.TTF, &regular}, {gomonobold.TTF, &bold}} {
		parsed, err := opentype.Parse(f.ttf)
		if err != nil {
			t.Fatal(err)
		}
		if *f.face, err = opentype.NewFace(parsed, opts); err != nil {
			t.Fatal(err)
		}
	}
	return regular, bold
}

// TestFontATable: the embedded cells are exactly what Go Mono draws for
// every rune the printer can decode, and nothing else is in the table.
func TestFontATable(t *testing.T) {
	regular, bold := goMonoFaces(t)
	var want bytes.Buffer
	for _, r := range fontARunes() {
		reg, okR := goMonoRows(regular, r)
		bld, okB := goMonoRows(bold, r)
		if !okR && !okB {
			continue
		}
		head := uint32(r)
		if okR {
			head |= fontARegular
		}
		if okB {
			head |= fontABold
		}
		_ = binary.Write(&want, binary.BigEndian, head)
		_ = binary.Write(&want, binary.BigEndian, reg)
		_ = binary.Write(&want, binary.BigEndian, bld)
	}
	if *updateFontA {
		if err := os.WriteFile("fonta.bin", want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("fonta.bin rewritten; rebuild to embed it")
	}
	if want.String() != fontATable {
		t.Fatalf("fonta.bin (%d bytes) is not what Go Mono draws (%d bytes): go test ./printer/virtual -run FontATable -update-fonta",
			len(fontATable), want.Len())
	}
	// Spot checks through cell: a letter, a bold letter, a space, a box.
	for _, c := range []struct {
		r    rune
		bold bool
	}{{'A', false}, {'A', true}, {'é', false}, {'Ж', true}} {
		rows, _ := goMonoRows(map[bool]font.Face{false: regular, true: bold}[c.bold], c.r)
		got := fontA.cell(c.r, c.bold)
		for y := range cellH {
			for x := range cellW {
				if got[y*cellW+x] != (rows[y]&(1<<(15-x)) != 0) {
					t.Fatalf("%q bold=%v: dot (%d,%d) differs", c.r, c.bold, x, y)
				}
			}
		}
	}
	if slices.Contains(fontA.cell(' ', false), true) {
		t.Error("space is not blank")
	}
	if !slices.Equal(fontA.cell('\u4e2d', false), box(cellW, cellH)) {
		t.Error("a rune outside the table is not a box")
	}
}
