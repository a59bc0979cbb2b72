package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
)

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		code, out, _ := posctl("", arg)
		if code != exitOK || out != "posctl "+version+"\n" {
			t.Errorf("posctl %s = %d %q", arg, code, out)
		}
	}
}

// commandFlags returns the flags a subcommand defines, read from its -h output.
func commandFlags(t *testing.T, name string) []string {
	t.Helper()
	code, usage, _ := posctl("", name, "-h") // help asked for goes to stdout
	if code != exitOK {
		t.Fatalf("posctl %s -h = %d", name, code)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -(\S+)`).FindAllStringSubmatch(usage, -1) {
		flags = append(flags, "--"+m[1])
	}
	if len(flags) == 0 {
		t.Fatalf("posctl %s -h lists no flags:\n%s", name, usage)
	}
	return flags
}

// posctl(8) describes every command and every flag posctl has.
func TestManPageCoversCommands(t *testing.T) {
	page, err := os.ReadFile("../../build/man/posctl.8")
	if err != nil {
		t.Fatal(err)
	}
	for name := range commands() {
		if !bytes.Contains(page, []byte("\n.It Cm "+name)) {
			t.Errorf("posctl.8 does not describe the command %s", name)
		}
		for _, f := range commandFlags(t, name) {
			if f == "--socket" || f == "--json" {
				continue // global flags, described once
			}
			if !bytes.Contains(page, []byte("Fl -"+strings.TrimPrefix(f, "--")+" ")) &&
				!bytes.Contains(page, []byte("Fl -"+strings.TrimPrefix(f, "--")+"\n")) {
				t.Errorf("posctl.8 does not describe %s %s", name, f)
			}
		}
	}
}

// complete asks the bash completion what it offers after words, as bash would when Tab is pressed.
func complete(t *testing.T, words ...string) []string {
	t.Helper()
	bash := testenv.Tool(t, "bash")
	const framework = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(framework); err != nil {
		if testenv.InCI() {
			t.Fatalf("%s missing; CI=true, so this is a failure (apt-get install bash-completion)", framework)
		}
		t.Skipf("%s missing (apt-get install bash-completion)", framework)
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + w + "'"
	}
	script := ". " + framework + "\n. ../../build/completion/posctl\n" +
		"COMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) + "\n" +
		"COMP_LINE=\"${COMP_WORDS[*]}\"\nCOMP_POINT=${#COMP_LINE}\n_posctl posctl\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bash, "--norc", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// The bash completion offers every command, and each command's flags.
func TestBashCompletion(t *testing.T) {
	got := complete(t, "posctl", "")
	for name := range commands() {
		if !slices.Contains(got, name) {
			t.Errorf("completion of \"posctl \" lacks %s: %v", name, got)
		}
	}
	if !slices.Contains(got, "--version") {
		t.Errorf("completion of \"posctl \" lacks --version: %v", got)
	}
	names := make([]string, 0, len(commands()))
	for name := range commands() {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		offered := complete(t, "posctl", "--json", name, "--")
		for _, f := range commandFlags(t, name) {
			if !slices.Contains(offered, f) {
				t.Errorf("completion of \"posctl %s --\" lacks %s: %v", name, f, offered)
			}
		}
	}
	if got := complete(t, "posctl", "receipt-preview", "--paper", ""); !slices.Equal(got, []string{"58", "80", "tm-t88"}) {
		t.Errorf("completion of --paper = %v", got)
	}
}
