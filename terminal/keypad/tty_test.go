package keypad_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/terminal/keypad"
)

func TestDecodeTerminal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"12.50\n", "12.50<ENTER>"},
		{"12,5\r\n", "12.5<ENTER>"},
		{"1\r\r", "1<ENTER><ENTER>"},
		{"12\x7f\x08c", "12<BACK><BACK><CLEAR>"},
		{"\x1b", "<CANCEL>"},
		{"\x1b5", "<CANCEL>5"},
		{"\x1bOP\x1bOS", "<F1><F4>"},
		{"\x1b[11~\x1b[15~\x1b[17~\x1b[21~\x1b[23~\x1b[24~", "<F1><F5><F6><F10><F11><F12>"},
		{"\x1b[[A\x1b[[E", "<F1><F5>"},
		{"\x1b[3~", "<CLEAR>"},
		{"\x1b[A\x1b[1;5P\x1b[99~7", "7"}, // arrow, modified F1, unknown: ignored
		{"\x1b[12", ""},                   // cut sequence
		{"\x1bOx1", "1"},
		{"abz!", ""},
	} {
		if got := keypad.FormatScript(keypad.DecodeTerminal([]byte(tc.in))); got != tc.want {
			t.Errorf("DecodeTerminal(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func FuzzDecodeTerminal(f *testing.F) {
	f.Fuzz(func(t *testing.T, chunk []byte) {
		keys := keypad.DecodeTerminal(chunk)
		if len(keys) > len(chunk) {
			t.Fatalf("%d keys from %d bytes", len(keys), len(chunk))
		}
		for _, k := range keys {
			if !k.Valid() {
				t.Fatalf("invalid key %#v", k)
			}
		}
	})
}

func TestTTYPastedCodeIsAScan(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		w.Write([]byte("281234567890123456\n"))
		w.Close()
	}()
	var got []keypad.Key
	for k := range keypad.NewTTY(r, keypad.ScanDetector{}).Keys(t.Context()) {
		got = append(got, k)
	}
	if s := keypad.FormatScript(got); s != "<SCAN:281234567890123456>" {
		t.Errorf("got %s", s)
	}
}

// ptyPair starts socat with two linked pseudo-terminals and returns their paths.
func ptyPair(t *testing.T) (a, b string) {
	t.Helper()
	socat := testenv.Tool(t, "socat")
	dir := t.TempDir()
	a, b = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, socat, "-d", "-d", "pty,link="+a, "pty,raw,echo=0,link="+b)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	// socat says when both ends exist and it is copying.
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "starting data transfer loop") {
			go func() {
				for sc.Scan() {
				}
			}()
			return a, b
		}
	}
	t.Fatalf("socat did not start: %v", sc.Err())
	return "", ""
}

func TestTTYCharacterModeOnARealTerminal(t *testing.T) {
	a, b := ptyPair(t)
	term, err := os.OpenFile(a, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	restore, err := keypad.MakeCbreak(term)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.OpenFile(b, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	keys := keypad.NewTTY(term, keypad.ScanDetector{MaxGap: time.Millisecond}).Keys(ctx)
	// In line mode the digit would wait for a newline; in character mode it arrives alone.
	if _, err := other.Write([]byte("7")); err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-keys:
		if k != keypad.DigitKey('7') {
			t.Fatalf("got %v", k)
		}
	case <-ctx.Done():
		t.Fatal("a key without Enter did not arrive: terminal still in line mode")
	}
	if _, err := other.Write([]byte("\x1bOP")); err != nil {
		t.Fatal(err)
	}
	if k := <-keys; k != keypad.FunctionKey(1) {
		t.Fatalf("got %v", k)
	}
	if err := restore(); err != nil {
		t.Fatalf("restore: %v", err)
	}
}

func TestMakeCbreakRefusesAFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "plain"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := keypad.MakeCbreak(f); err == nil {
		t.Error("a plain file was put in character mode")
	}
}
