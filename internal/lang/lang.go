package lang

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// ErrUnsupported is returned by Parse for a language posd has no texts for.
var ErrUnsupported = errors.New("unsupported language")

// The languages of the catalog.
var (
	English            = language.English
	SimplifiedChinese  = language.MustParse("zh-CN")
	TraditionalChinese = language.MustParse("zh-TW")
)

// Names lists the accepted configuration values, in the order of Tags.
var names = []string{"zh-CN", "zh-TW", "en"}

// Names returns the language names Parse accepts.
func Names() []string { return append([]string(nil), names...) }

// Parse accepts "zh-CN", "zh-TW" or "en" (any case, '_' for '-'); ""
// is English, the default.
func Parse(s string) (Lang, error) {
	norm := strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if norm == "" {
		norm = "en"
	}
	for i, n := range names {
		if strings.EqualFold(norm, n) {
			return New([]language.Tag{SimplifiedChinese, TraditionalChinese, English}[i]), nil
		}
	}
	return Lang{}, fmt.Errorf("%w %q: use one of %s", ErrUnsupported, s, strings.Join(names, ", "))
}

// Lang prints texts in one language. The zero value prints English.
type Lang struct {
	tag language.Tag
	p   *message.Printer
}

// New returns the printer of texts for tag, which should be one of the
// catalog's languages (others fall back to English).
func New(tag language.Tag) Lang {
	return Lang{tag: tag, p: message.NewPrinter(tag, message.Catalog(cat))}
}

// Tag is the language's tag; English for the zero value.
func (l Lang) Tag() language.Tag {
	if l.p == nil {
		return English
	}
	return l.tag
}

// String is the configuration name ("zh-CN").
func (l Lang) String() string {
	switch l.Tag() {
	case SimplifiedChinese:
		return "zh-CN"
	case TraditionalChinese:
		return "zh-TW"
	}
	return "en"
}

// Chinese reports whether texts come out in Chinese.
func (l Lang) Chinese() bool {
	base, _ := l.Tag().Base()
	return base.String() == "zh"
}

// T translates key. Texts the catalog does not hold (names, messages from
// elsewhere) come back unchanged: T never formats.
func (l Lang) T(key string) string {
	if _, ok := known[key]; !ok || l.p == nil {
		return key
	}
	return l.p.Sprintf(key)
}

// F translates the format key and formats args into it.
func (l Lang) F(key string, args ...any) string {
	if l.p == nil {
		return fmt.Sprintf(key, args...)
	}
	return l.p.Sprintf(key, args...)
}

// Has reports whether key is in the catalog.
func Has(key string) bool {
	_, ok := known[key]
	return ok
}

// cat and known are built once from the table and never change.
var cat, known = func() (catalog.Catalog, map[string]struct{}) {
	b := catalog.NewBuilder(catalog.Fallback(English))
	k := make(map[string]struct{}, len(entries))
	for _, e := range entries {
		k[e.en] = struct{}{}
		for tag, text := range map[language.Tag]string{English: e.en, SimplifiedChinese: e.zhCN, TraditionalChinese: e.zhTW} {
			if err := b.SetString(tag, e.en, text); err != nil {
				panic(fmt.Sprintf("lang: catalog entry %q: %v", e.en, err)) // the table is code: a test runs it
			}
		}
	}
	return b, k
}()
