package keypad

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestParseScript(t *testing.T) {
	d := DigitKey
	tests := []struct {
		in   string
		want []Key
	}{
		{"", nil},
		{"1250<ENTER>", []Key{d('1'), d('2'), d('5'), d('0'), {Kind: Enter}}},
		{"12.5<enter>", []Key{d('1'), d('2'), {Kind: Point}, d('5'), {Kind: Enter}}},
		{"<CANCEL><BACK><CLEAR>", []Key{{Kind: Cancel}, {Kind: Back}, {Kind: Clear}}},
		{"<F1><f12><F24>", []Key{FunctionKey(1), FunctionKey(12), FunctionKey(24)}},
		{"<SCAN:281234567890123456>", []Key{ScanKey("281234567890123456")}},
		{" 1 \n2\t<ENTER>\r\n", []Key{d('1'), d('2'), {Kind: Enter}}},
	}
	for _, tt := range tests {
		got, err := ParseScript(tt.in)
		if err != nil {
			t.Errorf("ParseScript(%q): %v", tt.in, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParseScript(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseScriptRejects(t *testing.T) {
	for _, in := range []string{
		"12a", "<ENTER", "<>", "<F0>", "<F25>", "<F100>", "<F>", "<SCAN:>", "<SCAN:12a>",
		"<SCAN:" + string(make([]byte, MaxCodeLen+1)) + ">", "<PAY>", "-5", "1,5", "\x00",
	} {
		keys, err := ParseScript(in)
		if !errors.Is(err, ErrScript) {
			t.Errorf("ParseScript(%q) = %v, %v; want ErrScript", in, keys, err)
		}
		if keys != nil {
			t.Errorf("ParseScript(%q) returned keys with an error", in)
		}
	}
	long := make([]byte, MaxScriptKeys+1)
	for i := range long {
		long[i] = '1'
	}
	if _, err := ParseScript(string(long)); !errors.Is(err, ErrScript) {
		t.Errorf("script of %d keys: %v, want ErrScript", len(long), err)
	}
}

func TestFormatScriptRoundTrip(t *testing.T) {
	keys := []Key{DigitKey('0'), {Kind: Point}, {Kind: Back}, {Kind: Clear}, {Kind: Enter},
		{Kind: Cancel}, FunctionKey(3), ScanKey("2812")}
	text := FormatScript(keys)
	if text != "0.<BACK><CLEAR><ENTER><CANCEL><F3><SCAN:2812>" {
		t.Errorf("FormatScript = %q", text)
	}
	back, err := ParseScript(text)
	if err != nil || !slices.Equal(back, keys) {
		t.Errorf("ParseScript(FormatScript(keys)) = %v, %v", back, err)
	}
}

func TestScriptSend(t *testing.T) {
	s := NewScript(8)
	ctx := context.Background()
	if err := s.Send(ctx, "12<ENTER>"); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, "3<BOGUS>"); !errors.Is(err, ErrScript) {
		t.Fatalf("Send of a bad script: %v", err)
	}
	ch := s.Keys(ctx)
	var got []Key
	for range 3 {
		got = append(got, <-ch)
	}
	if want := []Key{DigitKey('1'), DigitKey('2'), {Kind: Enter}}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	select {
	case k := <-ch:
		t.Errorf("a rejected script delivered %v", k)
	default:
	}
}

func TestScriptSendGivesUpWithContext(t *testing.T) {
	s := NewScript(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := s.Send(ctx, "123")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send with nobody reading: %v", err)
	}
	if k := <-s.Keys(ctx); k != DigitKey('1') {
		t.Errorf("first key %v", k)
	}
}

func FuzzParseScript(f *testing.F) {
	f.Add("1250<ENTER>")
	f.Fuzz(func(t *testing.T, text string) {
		keys, err := ParseScript(text)
		if err != nil {
			if !errors.Is(err, ErrScript) || keys != nil {
				t.Fatalf("error %v with keys %v", err, keys)
			}
			return
		}
		for _, k := range keys {
			if !k.Valid() {
				t.Fatalf("invalid key %#v from %q", k, text)
			}
		}
		again, err := ParseScript(FormatScript(keys))
		if err != nil || !slices.Equal(again, keys) {
			t.Fatalf("round trip of %q: %v, %v", text, again, err)
		}
	})
}

func TestMerge(t *testing.T) {
	a, b := NewScript(4), NewScript(4)
	ctx, cancel := context.WithCancel(context.Background())
	out := Merge(ctx, a, b)
	if err := a.Send(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if k := <-out; k != DigitKey('1') {
		t.Fatalf("got %v", k)
	}
	if err := b.Send(ctx, "<ENTER>"); err != nil {
		t.Fatal(err)
	}
	if k := <-out; k.Kind != Enter {
		t.Fatalf("got %v", k)
	}
	cancel()
	for range out { // closed once ctx is done
	}
}
