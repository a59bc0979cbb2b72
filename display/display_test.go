package display

import (
	"image"
	"testing"
)

// changed must return exactly the bounding box of the differing pixels.
func TestChangedIsTheBoundingBoxOfDifferences(t *testing.T) {
	r := image.Rect(0, 0, 37, 23)
	prev := image.NewPaletted(r, Palette)
	if got := changed(nil, prev); got != r {
		t.Fatalf("no previous frame: %v", got)
	}
	for _, pts := range [][]image.Point{
		{},
		{{0, 0}},
		{{36, 22}},
		{{5, 7}, {30, 2}},
		{{0, 22}, {36, 0}, {18, 11}},
	} {
		next := image.NewPaletted(r, Palette)
		want := image.Rectangle{}
		for _, p := range pts {
			next.SetColorIndex(p.X, p.Y, Black)
			want = want.Union(image.Rectangle{Min: p, Max: p.Add(image.Pt(1, 1))})
		}
		if got := changed(prev, next); got != want {
			t.Errorf("changes at %v: got %v, want %v", pts, got, want)
		}
	}
}
