package printer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// runeColumns is how many Font A columns a rune takes: a Hanzi or other
// full-width character is 24 dots wide, two columns.
func runeColumns(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Columns is the printed width of s in Font A columns (two for a Hanzi):
// what a line must fit, not its length in bytes.
func Columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

// printable replaces what must never reach the printer as text: control
// characters (a stray 0x10 would start a real-time command), invalid UTF-8
// and combining marks (they would print as a separate column). Tabs and
// newlines become spaces.
func printable(s string) string {
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteByte('?')
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Wrap breaks s into lines of at most cols columns, at spaces when it can
// and inside a word when the word alone is too long. It never returns an
// empty slice for non-empty text.
func Wrap(s string, cols int) []string {
	s = strings.TrimSpace(printable(s))
	if s == "" || cols < 2 {
		return nil
	}
	var lines []string
	var line strings.Builder
	lineCols := 0
	flush := func() {
		if lineCols > 0 {
			lines = append(lines, strings.TrimRight(line.String(), " "))
		}
		line.Reset()
		lineCols = 0
	}
	for _, word := range strings.Fields(s) {
		wc := Columns(word)
		if lineCols > 0 && lineCols+1+wc <= cols {
			line.WriteByte(' ')
			line.WriteString(word)
			lineCols += 1 + wc
			continue
		}
		flush()
		for _, r := range word { // hard-break a word longer than the line
			rc := runeColumns(r)
			if lineCols+rc > cols {
				flush()
			}
			line.WriteRune(r)
			lineCols += rc
		}
	}
	flush()
	return lines
}

// pad returns s with spaces added on the left so it ends at column cols.
func padLeft(s string, cols int) string {
	if n := cols - Columns(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// Labelled lays out "label      value" on one line when both fit, else the
// label's lines followed by the value right-aligned on lines of its own.
func Labelled(label, value string, cols int) []string {
	label, value = strings.TrimSpace(printable(label)), strings.TrimSpace(printable(value))
	lc, vc := Columns(label), Columns(value)
	if lc+1+vc <= cols {
		return []string{label + strings.Repeat(" ", cols-lc-vc) + value}
	}
	out := Wrap(label, cols)
	for _, v := range Wrap(value, cols) {
		out = append(out, padLeft(v, cols))
	}
	return out
}
