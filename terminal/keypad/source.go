package keypad

import (
	"context"
	"sync"
)

// Source is anything that produces key presses: a GPIO matrix, an evdev
// keypad or scanner, a terminal, a script. The channel is closed when ctx
// is done or the source ends for good; a source that loses its device
// (unplugged) reconnects on its own and keeps the channel open.
type Source interface {
	Keys(ctx context.Context) <-chan Key
}

// Merge delivers the keys of every source on one channel, each source's
// keys in their own order. It is closed once ctx is done or all sources
// are closed.
func Merge(ctx context.Context, sources ...Source) <-chan Key {
	out := make(chan Key)
	var wg sync.WaitGroup
	for _, src := range sources {
		in := src.Keys(ctx)
		wg.Go(func() {
			for {
				select {
				case k, ok := <-in:
					if !ok {
						return
					}
					select {
					case out <- k:
					case <-ctx.Done():
						return
					}
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(out) }()
	return out
}
