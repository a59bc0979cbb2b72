package build

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/posd/posd/build/testenv"
)

// Every man page renders with man -l, as the package's do, without a warning.
func TestManPagesRender(t *testing.T) {
	pages, err := filepath.Glob("man/*.[0-9]")
	if err != nil || len(pages) != 4 {
		t.Fatalf("man pages: %v %v, want posd.8 posctl.8 posd.toml.5 amssim.1", pages, err)
	}
	for _, page := range pages {
		text, warnings := renderMan(t, page)
		if warnings != "" {
			t.Errorf("%s: man warns:\n%s", page, warnings)
		}
		name := strings.TrimSuffix(filepath.Base(page), filepath.Ext(page))
		if !strings.Contains(text, "NAME\n     "+name+" — ") {
			t.Errorf("%s: no NAME line for %s:\n%s", page, name, text)
		}
	}
}

// posd.toml(5) describes every key of the example configuration, in its section.
func TestConfigManPageCoversExample(t *testing.T) {
	var example map[string]any
	if _, err := toml.DecodeFile("../cmd/posd/posd.example.toml", &example); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("man/posd.toml.5")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, part := range strings.Split(string(page), "\n.Ss [")[1:] {
		name, body, _ := strings.Cut(part, "]\n")
		sections[name] = body
	}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if sub, ok := m[k].(map[string]any); ok {
				walk(strings.TrimPrefix(prefix+"."+k, "."), sub)
				continue
			}
			body, ok := sections[prefix]
			if !ok {
				t.Errorf("posd.toml.5 has no section [%s]", prefix)
				continue
			}
			if !regexp.MustCompile(`(?m)^\.It .*\bCm ` + regexp.QuoteMeta(k) + `( |$)`).MatchString(body) {
				t.Errorf("posd.toml.5 [%s] does not describe %s", prefix, k)
			}
		}
	}
	walk("", example)
}

// The binaries are statically linked, so the copyright file must name every module linked into them.
func TestCopyrightNamesLinkedModules(t *testing.T) {
	goBin := testenv.Tool(t, "go")
	out := run(t, "..", nil, goBin, "list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}}{{end}}{{end}}",
		"./cmd/posd", "./cmd/posctl", "./cmd/amssim")
	copyright, err := os.ReadFile("deb/copyright")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^(?:Files:)? (\S+)$`).FindAllStringSubmatch(string(copyright), -1) {
		files[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`(?m)^Files: (\S+)$`).FindAllStringSubmatch(string(copyright), -1) {
		files[m[1]] = true
	}
	for _, mod := range strings.Fields(out) {
		if !files[mod] {
			t.Errorf("deb/copyright does not name %s, which is linked into the binaries", mod)
		}
	}
}
