package lang

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupported is returned by Parse for a language posd has no texts for.
var ErrUnsupported = errors.New("unsupported language")

// Tag names one of the catalog's languages.
type Tag int

// The languages of the catalog. The zero Tag is English.
const (
	English Tag = iota
	SimplifiedChinese
	TraditionalChinese
	numTags
)

// names are the accepted configuration values, in Tag order.
var names = [numTags]string{English: "en", SimplifiedChinese: "zh-CN", TraditionalChinese: "zh-TW"}

// Names returns the language names Parse accepts: zh-CN, zh-TW, en.
func Names() []string {
	return []string{names[SimplifiedChinese], names[TraditionalChinese], names[English]}
}

// Parse accepts "zh-CN", "zh-TW" or "en" (any case, '_' for '-'); ""
// is English, the default.
func Parse(s string) (Lang, error) {
	norm := strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if norm == "" {
		norm = names[English]
	}
	for tag, n := range names {
		if strings.EqualFold(norm, n) {
			return New(Tag(tag)), nil
		}
	}
	return Lang{}, fmt.Errorf("%w %q: use one of %s", ErrUnsupported, s, strings.Join(Names(), ", "))
}

// Lang prints texts in one language. The zero value prints English.
type Lang struct {
	tag Tag
}

// New returns the printer of texts for tag; a tag outside the catalog
// prints English.
func New(tag Tag) Lang {
	if tag < 0 || tag >= numTags {
		tag = English
	}
	return Lang{tag: tag}
}

// Tag is the language's tag.
func (l Lang) Tag() Tag { return l.tag }

// String is the configuration name ("zh-CN").
func (l Lang) String() string { return names[l.tag] }

// Chinese reports whether texts come out in Chinese.
func (l Lang) Chinese() bool { return l.tag == SimplifiedChinese || l.tag == TraditionalChinese }

// T translates key. Texts the catalog does not hold (names, messages from
// elsewhere) come back unchanged: T never formats.
func (l Lang) T(key string) string {
	if texts, ok := catalog[key]; ok {
		return texts[l.tag]
	}
	return key
}

// F translates the format key and formats args into it with fmt's verbs;
// a key the catalog does not hold is formatted as it is.
func (l Lang) F(key string, args ...any) string {
	return fmt.Sprintf(l.T(key), args...)
}

// Has reports whether key is in the catalog.
func Has(key string) bool {
	_, ok := catalog[key]
	return ok
}

// catalog maps each English text to its texts in Tag order. Built once
// from entries and never changed.
var catalog = func() map[string][numTags]string {
	c := make(map[string][numTags]string, len(entries))
	for _, e := range entries {
		c[e.en] = [numTags]string{English: e.en, SimplifiedChinese: e.zhCN, TraditionalChinese: e.zhTW}
	}
	return c
}()
