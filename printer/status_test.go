package printer

import (
	"errors"
	"testing"
)

// TestDemuxSingleBytes classifies every byte value outside an ASB burst
// against the table in docs/hardware.md §1.6.
func TestDemuxSingleBytes(t *testing.T) {
	for v := 0; v < 256; v++ {
		b := byte(v)
		var d demux
		ev := d.feed(b)
		var want eventKind
		switch {
		case b == 0x11:
			want = eventXON
		case b == 0x13:
			want = eventXOFF
		case b&0x93 == 0x12:
			want = eventStatus
		case b&0x93 == 0x10:
			want = eventNone // first byte of ASB
		case b&0x90 == 0:
			want = eventReply
		default:
			want = eventUnknown
		}
		if ev.kind != want {
			t.Errorf("byte %02X: kind %d, want %d", b, ev.kind, want)
		}
		if want == eventNone && d.n != 1 {
			t.Errorf("byte %02X did not start an ASB burst", b)
		}
	}
}

func TestDemuxASB(t *testing.T) {
	var d demux
	in := []byte{0x12, 0x18, 0x11, 0x00, 0x0C, 0x00, 0x16, 0x13}
	var got []event
	for _, b := range in {
		if ev := d.feed(b); ev.kind != eventNone {
			got = append(got, ev)
		}
	}
	want := []eventKind{eventStatus, eventXON, eventASB, eventStatus, eventXOFF}
	if len(got) != len(want) {
		t.Fatalf("events %+v", got)
	}
	for i, k := range want {
		if got[i].kind != k {
			t.Errorf("event %d: %d, want %d", i, got[i].kind, k)
		}
	}
	if got[2].asb != [4]byte{0x18, 0x00, 0x0C, 0x00} {
		t.Errorf("ASB = % X", got[2].asb)
	}
	s := statusFromASB(got[2].asb)
	if !s.Offline || !s.PaperEnd || s.CoverOpen {
		t.Errorf("ASB status %+v", s)
	}
	// A burst cut short by a status reply: the reply still counts.
	d = demux{}
	d.feed(0x10)
	if ev := d.feed(0x1E); ev.kind != eventStatus || d.n != 0 {
		t.Errorf("interrupted burst: %+v, n=%d", ev, d.n)
	}
}

func TestStatusBits(t *testing.T) {
	cases := []struct {
		n, b byte
		want Status
	}{
		{1, 0x12, Status{}},
		{1, 0x16, Status{DrawerHigh: true}},
		{1, 0x1A, Status{Offline: true}},
		{2, 0x16, Status{CoverOpen: true}},
		{2, 0x32, Status{PaperEnd: true}},
		{2, 0x52, Status{Error: true}},
		{2, 0x1A, Status{FeedPressed: true}},
		{3, 0x1A, Status{CutterError: true}},
		{3, 0x32, Status{Unrecoverable: true}},
		{3, 0x52, Status{AutoRecoverable: true}},
		{4, 0x1E, Status{PaperNearEnd: true}},
		{4, 0x72, Status{PaperEnd: true}},
		{4, 0x16, Status{}}, // one near-end bit alone is not near end
	}
	for _, c := range cases {
		var s Status
		s.apply(c.n, c.b)
		if s != c.want {
			t.Errorf("DLE EOT %d = %02X: %+v, want %+v", c.n, c.b, s, c.want)
		}
	}
}

func TestStatusErr(t *testing.T) {
	if err := (Status{PaperNearEnd: true}).Err(); err != nil {
		t.Errorf("near end holds the job: %v", err)
	}
	for _, s := range []Status{{Offline: true}, {CoverOpen: true, Offline: true}, {PaperEnd: true}, {Error: true},
		{CutterError: true}, {Unrecoverable: true}, {AutoRecoverable: true}} {
		if err := s.Err(); !errors.Is(err, ErrNotReady) || !IsHeld(err) {
			t.Errorf("%+v: %v", s, err)
		}
	}
	if got := (Status{CoverOpen: true, Offline: true, PaperNearEnd: true}).String(); got != "printer: not ready: cover open, paper near end" {
		t.Errorf("String = %q", got)
	}
}

func FuzzDemux(f *testing.F) {
	f.Add([]byte{0x12, 0x10, 0x00, 0x00, 0x00, 0x11, 0x13})
	f.Fuzz(func(t *testing.T, in []byte) {
		var d demux
		asbBytes := 0
		for _, b := range in {
			ev := d.feed(b)
			if d.n < 0 || d.n > 3 {
				t.Fatalf("burst counter %d", d.n)
			}
			switch ev.kind {
			case eventStatus:
				if !isStatusReply(ev.b) {
					t.Fatalf("%02X taken as status", ev.b)
				}
			case eventASB:
				asbBytes++
				if ev.asb[0]&0x93 != 0x10 {
					t.Fatalf("ASB starting % X", ev.asb)
				}
				for _, x := range ev.asb[1:] {
					if x&0x90 != 0 {
						t.Fatalf("ASB % X", ev.asb)
					}
				}
			case eventXON, eventXOFF:
				if b != 0x11 && b != 0x13 {
					t.Fatalf("%02X taken as flow control", b)
				}
			}
		}
	})
}
