package queue

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"
)

// Cells that a spreadsheet would run as a formula are written with a
// leading quote (OWASP CSV injection); the rest is exactly as stored.
func TestExportCSVDefusesFormulas(t *testing.T) {
	s := openTestStore(t, "")
	cells := []string{"=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tX", "\rY", "S-1=2"}
	for i, sale := range cells {
		p := storedPayment(t, "P"+string(rune('A'+i)), sale)
		if err := s.Create(p); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := ExportCSV(&buf, s, time.Time{}, time.Now().Add(24*time.Hour*365*100)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(ExportHeader, "saleId")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[col])
	}
	slices.Sort(got)
	want := []string{"'\rY", "'\tX", "'+SUM(A1)", "'-2+3", "'=1+1", "'@cmd", "S-1=2"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("saleId cells %q, want %q", got, want)
	}
}
