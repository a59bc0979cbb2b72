package printer

import (
	"fmt"

	"periph.io/x/conn/v3/gpio"
)

// PaperSensor is an optional paper-out switch on a GPIO pin, for printers
// whose own paper-end status cannot be read (one-way links, some clones).
type PaperSensor struct {
	pin      gpio.PinIn
	outLevel gpio.Level
}

// NewPaperSensor configures pin as an input with pull and reads paper out
// when the pin is at outLevel. A nil pin (gpioreg.ByName found nothing: not
// a Pi, or a wrong name) is an error, not a panic later.
func NewPaperSensor(pin gpio.PinIn, pull gpio.Pull, outLevel gpio.Level) (*PaperSensor, error) {
	if pin == nil {
		return nil, fmt.Errorf("%w: pin not found (is this a Raspberry Pi, is the name right?)", ErrSensor)
	}
	if err := pin.In(pull, gpio.NoEdge); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSensor, pin, err)
	}
	return &PaperSensor{pin: pin, outLevel: outLevel}, nil
}

// PaperOut reports whether the sensor sees no paper.
func (s *PaperSensor) PaperOut() bool { return s.pin.Read() == s.outLevel }
