package events

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is the last level of a till's topics.
type Channel string

// Channels: {prefix}/{merchant}/{store}/{terminal}/{channel}.
const (
	ChannelPayments Channel = "payments" // payment, refund, void and receipt events
	ChannelAlerts   Channel = "alerts"   // alert events
	ChannelStatus   Channel = "status"   // retained Status; the broker publishes the last will (offline) when the till vanishes
)

// DefaultPrefix is the first topic level unless configured.
const DefaultPrefix = "posd"

// Source names the till events come from.
type Source struct {
	Merchant string
	Store    string
	Terminal string
}

// Check reports a part that cannot be a topic level.
func (s Source) Check() error {
	for _, p := range []struct{ name, v string }{{"merchant id", s.Merchant}, {"store id", s.Store}, {"terminal id", s.Terminal}} {
		if err := TopicPart(p.v); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return nil
}

// TopicPart reports why s cannot be one topic level: empty, not UTF-8,
// longer than 64 bytes, or holding a level separator, a wildcard or a
// control character (MQTT 5.0 section 4.7).
func TopicPart(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty topic level", ErrInvalid)
	case len(s) > 64:
		return fmt.Errorf("%w: topic level %.20q... is longer than 64 bytes", ErrInvalid, s)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: topic level %q is not UTF-8", ErrInvalid, s)
	}
	for _, r := range s {
		if r == '/' || r == '+' || r == '#' || r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: topic level %q holds %q", ErrInvalid, s, r)
		}
	}
	return nil
}

// CheckPrefix reports why p cannot start posd's topics: it may have
// several levels ("acme/tills") but no wildcard, no empty level and no
// leading '$' (reserved for the broker).
func CheckPrefix(p string) error {
	if strings.HasPrefix(p, "$") {
		return fmt.Errorf("%w: topic prefix %q starts with $ (reserved for the broker)", ErrInvalid, p)
	}
	for _, level := range strings.Split(p, "/") {
		if err := TopicPart(level); err != nil {
			return fmt.Errorf("topic prefix %q: %w", p, err)
		}
	}
	return nil
}

// Topic is where a till publishes a channel.
func Topic(prefix string, s Source, ch Channel) string {
	return strings.Join([]string{prefix, s.Merchant, s.Store, s.Terminal, string(ch)}, "/")
}

// Status is the retained message on the status topic: posd publishes
// Online true when it connects, Online false before a clean stop, and the
// broker publishes the Online false last will when the connection is lost.
type Status struct {
	V        int       `json:"v"`
	Online   bool      `json:"online"`
	Merchant string    `json:"merchant"`
	Store    string    `json:"store"`
	Terminal string    `json:"terminal"`
	Version  string    `json:"version,omitempty"` // posd's version
	Stream   string    `json:"stream,omitempty"`
	At       time.Time `json:"at"`
}
