package demo

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"github.com/posd/posd/internal/lang"
)

// TestCashierPageWordsFromCatalog: every text of the cashier page's header
// and help paragraph sits in an element whose data-t names a catalog text,
// so -demo-lang zh-CN shows it in Chinese; every data-t is one the page's
// state sends (pageLabels) and the catalog translates.
func TestCashierPageWordsFromCatalog(t *testing.T) {
	doc, err := html.Parse(bytes.NewReader(cashierPage))
	if err != nil {
		t.Fatal(err)
	}
	cn, _ := lang.Parse("zh-CN")
	attr := func(n *html.Node, name string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == name {
				return a.Val, true
			}
		}
		return "", false
	}
	var walk func(n *html.Node, inHelp, translated bool)
	helps := 0
	used := map[string]bool{"Receipt ": true, "posd is not answering": true} // the script's words
	walk = func(n *html.Node, inHelp, translated bool) {
		if n.Type == html.ElementNode {
			if c, _ := attr(n, "class"); c == "help" {
				inHelp = true
				helps++
			}
			if n.Data == "header" {
				inHelp = true
			}
			if p, ok := attr(n, "placeholder"); ok {
				if key, _ := attr(n, "data-tp"); key != p {
					t.Errorf("placeholder %q is not from the catalog (data-tp %q)", p, key)
				}
			}
			if key, ok := attr(n, "data-tp"); ok {
				used[key] = true
				if !slices.Contains(pageLabels, key) || !lang.Has(key) || cn.T(key) == key {
					t.Errorf("data-tp %q has no Chinese text the page gets", key)
				}
			}
			if key, ok := attr(n, "data-t"); ok {
				translated = true
				used[key] = true
				if !slices.Contains(pageLabels, key) {
					t.Errorf("data-t %q is not in pageLabels: the page never gets its translation", key)
				}
				if !lang.Has(key) || cn.T(key) == key {
					t.Errorf("data-t %q has no Chinese text in the catalog", key)
				}
			}
		}
		if n.Type == html.TextNode && inHelp && !translated && strings.ContainsFunc(n.Data, unicode.IsLetter) && n.Parent.Data != "b" {
			t.Errorf("help text %q is not from the catalog", strings.TrimSpace(n.Data))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHelp, translated)
		}
	}
	walk(doc, false, false)
	if helps != 1 {
		t.Errorf("%d help paragraphs, want 1", helps)
	}
	for _, k := range pageLabels {
		if !used[k] {
			t.Errorf("pageLabels has %q, which the page does not use", k)
		}
	}
}
