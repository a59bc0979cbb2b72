package printer

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func TestPaperSensor(t *testing.T) {
	pin := &gpiotest.Pin{N: "GPIO5", L: gpio.High}
	s, err := NewPaperSensor(pin, gpio.PullUp, gpio.Low)
	if err != nil {
		t.Fatal(err)
	}
	if pin.P != gpio.PullUp {
		t.Errorf("pull = %v, want up", pin.P)
	}
	if s.PaperOut() {
		t.Error("paper out with the switch closed")
	}
	pin.L = gpio.Low
	if !s.PaperOut() {
		t.Error("paper present with the switch open")
	}
	if _, err := NewPaperSensor(nil, gpio.PullUp, gpio.Low); !errors.Is(err, ErrSensor) {
		t.Errorf("nil pin: %v", err)
	}
}

func TestSensorHoldsJob(t *testing.T) {
	pin := &gpiotest.Pin{N: "GPIO5", L: gpio.Low}
	sensor, err := NewPaperSensor(pin, gpio.PullUp, gpio.Low)
	if err != nil {
		t.Fatal(err)
	}
	pin.L = gpio.Low // In(PullUp) raised the fake line; the switch reads no paper
	r := newRig(t, Paper58, func(c *Config) { c.Sensor = sensor }, nil)
	_, err = r.drv.Print(testCtx(t), sampleDoc(t, r.drv.Model(), false), nil)
	if !errors.Is(err, ErrNotReady) || r.dev.State().Pending != 0 {
		t.Fatalf("err = %v, want held by the GPIO sensor", err)
	}
	pin.L = gpio.High
	if _, err := r.drv.Print(testCtx(t), sampleDoc(t, r.drv.Model(), false), nil); err != nil {
		t.Fatal(err)
	}
}
