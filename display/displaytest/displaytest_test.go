package displaytest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/posd/posd/display"
)

func TestRecorder(t *testing.T) {
	r := New()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan display.Screen)
	go func() {
		s, err := r.WaitFor(ctx, 2)
		if err != nil {
			t.Error(err)
		}
		got <- s
	}()
	if err := r.Show(ctx, display.Screen{Kind: display.Idle}); err != nil {
		t.Fatal(err)
	}
	if err := r.Show(ctx, display.Screen{Kind: display.OutOfService}); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s.Kind != display.OutOfService {
		t.Fatalf("second screen %v", s.Kind)
	}
	if err := r.Show(ctx, display.Screen{Kind: display.Waiting}); !errors.Is(err, display.ErrInvalidScreen) {
		t.Fatalf("invalid screen accepted: %v", err)
	}
	broken := errors.New("cable")
	r.FailWith(broken)
	if err := r.Show(ctx, display.Screen{Kind: display.Idle}); !errors.Is(err, broken) {
		t.Fatalf("FailWith: %v", err)
	}
	if n := len(r.Screens()); n != 2 {
		t.Fatalf("%d screens recorded", n)
	}
	r.Close()
	r.FailWith(nil)
	if err := r.Show(ctx, display.Screen{Kind: display.Idle}); !errors.Is(err, display.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}
