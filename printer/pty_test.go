package printer

import (
	"bufio"
	"context"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/printer/virtual"
)

// ptyPair starts socat with two linked pseudo-terminals and returns their
// paths: the host end for the driver, the printer end for the virtual
// printer. stop kills socat (the "USB adapter unplugged").
type ptyPair struct {
	host, printer string
	cmd           *exec.Cmd
}

func startPTY(t testing.TB, dir string) *ptyPair {
	t.Helper()
	socat := testenv.Tool(t, "socat")
	p := &ptyPair{host: filepath.Join(dir, "ttyHOST"), printer: filepath.Join(dir, "ttyPRINTER")}
	p.cmd = exec.Command(socat, "-d", "-d",
		"pty,raw,echo=0,link="+p.host, "pty,raw,echo=0,link="+p.printer)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	// socat says when both links exist and it is copying.
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "starting data transfer loop") {
				close(ready)
				break
			}
		}
		for sc.Scan() { // keep draining so socat never blocks on its log
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("socat did not start")
	}
	return p
}

func (p *ptyPair) stop() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// servePrinter runs a virtual printer on the printer end until the test
// ends or the link dies.
func servePrinter(t *testing.T, path string, dev *virtual.Device) {
	t.Helper()
	port, err := serial.Open(path, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = dev.Serve(ctx, port) // ends when the port closes
	}()
	t.Cleanup(func() {
		cancel()
		port.Close()
		wg.Wait()
	})
}

// rig is a driver and a virtual printer joined by a real pty pair.
type rig struct {
	pty *ptyPair
	dev *virtual.Device
	drv *Printer
}

func newRig(t *testing.T, paper Paper, cfg func(*Config), devCfg func(*virtual.DeviceConfig)) *rig {
	t.Helper()
	dir := t.TempDir()
	pty := startPTY(t, dir)
	dc := virtual.DeviceConfig{Config: virtual.Config{Dots: paper.Dots}}
	if devCfg != nil {
		devCfg(&dc)
	}
	dev := virtual.NewDevice(dc)
	servePrinter(t, pty.printer, dev)
	c := Config{
		Model:          Model{Paper: paper, NativeQR: true},
		Dial:           SerialDialer(SerialConfig{Path: pty.host, Baud: 115200}),
		StatusTimeout:  300 * time.Millisecond,
		PollInterval:   20 * time.Millisecond,
		ConfirmTimeout: 2 * time.Second,
		Logger:         testLogger(t),
	}
	if cfg != nil {
		cfg(&c)
	}
	drv := New(c)
	t.Cleanup(func() { drv.Close() })
	return &rig{pty: pty, dev: dev, drv: drv}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
