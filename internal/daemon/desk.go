package daemon

import (
	"context"

	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
)

// Desk is the cashier's side of a running posd, for the demo's cashier
// page: the screen the flow last drew, and keys typed as on the keypad.
type Desk interface {
	Screen() terminal.Screen
	// Keys types a key script (posctl keys syntax); errors match
	// ErrBadRequest for a malformed script and ErrClosing while posd stops.
	Keys(ctx context.Context, script string) error
}

type deskOf struct {
	t      *till
	script *keypad.Script
}

func (d deskOf) Screen() terminal.Screen {
	_, v := d.t.snapshot()
	return v
}

func (d deskOf) Keys(ctx context.Context, text string) error {
	b := daemonBackend{t: d.t, script: d.script}
	return b.Keys(ctx, text)
}
