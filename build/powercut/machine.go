package powercut

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Boot is what a machine boots.
type Boot struct {
	Arch    Arch
	Kernel  Kernel
	Initrd  string
	Disk    string            // raw ext4 image, the guest's /dev/vda
	Console func(line string) // every console line, as it arrives (optional)
}

// Machine is one running guest. Its power is cut with Cut.
type Machine struct {
	cmd   *exec.Cmd
	port  int // host port forwarded to the agent
	http  *http.Client
	done  chan struct{}
	mu    sync.Mutex
	watch []*watcher
	tail  []string // last console lines, for failure messages
}

type watcher struct {
	match func(string) bool
	hit   chan string
}

// ErrExited is returned by waits when the guest has stopped.
var ErrExited = errors.New("powercut: the guest has stopped")

// Start boots b and returns once the agent in the guest answers.
func Start(ctx context.Context, b Boot) (*Machine, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{}, b.Arch.CPU...)
	args = append(args, "-smp", "2", "-m", "512",
		"-kernel", b.Kernel.Vmlinuz, "-initrd", b.Initrd,
		"-append", "console=ttyAMA0 rdinit=/init quiet loglevel=3 panic=-1",
		"-drive", "file="+b.Disk+",format=raw,if=none,id=d0,cache=writeback",
		"-device", "virtio-blk-pci,drive=d0",
		"-netdev", fmt.Sprintf("user,id=n0,hostfwd=tcp:127.0.0.1:%d-:7000", port),
		"-device", "virtio-net-pci,netdev=n0,romfile=",
		"-device", "virtio-rng-pci",
		"-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot")
	cmd := exec.Command(b.Arch.QEMU, args...)
	// The board dies with the rig: no qemu left behind by a killed test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	m := &Machine{cmd: cmd, port: port, done: make(chan struct{}),
		http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	ready := m.expect(func(l string) bool { return l == "agent| ready" })
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Arch.QEMU, err)
	}
	go func() {
		defer close(m.done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			if b.Console != nil {
				b.Console(line)
			}
			m.deliver(line)
		}
		_ = cmd.Wait()
		if stderr.Len() > 0 {
			m.deliver("qemu| " + strings.TrimSpace(stderr.String()))
		}
	}()
	if _, err := m.wait(ctx, ready); err != nil {
		m.Cut()
		return nil, fmt.Errorf("boot: %w\n%s", err, m.Tail())
	}
	return m, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (m *Machine) deliver(line string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tail = append(m.tail, line)
	if len(m.tail) > 200 {
		m.tail = m.tail[len(m.tail)-100:]
	}
	kept := m.watch[:0]
	for _, w := range m.watch {
		if w.match(line) {
			w.hit <- line
			continue
		}
		kept = append(kept, w)
	}
	m.watch = kept
}

// expect registers interest in the first console line that matches, from
// now on; wait collects it.
func (m *Machine) expect(match func(string) bool) *watcher {
	w := &watcher{match: match, hit: make(chan string, 1)}
	m.mu.Lock()
	m.watch = append(m.watch, w)
	m.mu.Unlock()
	return w
}

func (m *Machine) wait(ctx context.Context, w *watcher) (string, error) {
	select {
	case l := <-w.hit:
		return l, nil
	case <-m.done:
		select {
		case l := <-w.hit:
			return l, nil
		default:
		}
		return "", ErrExited
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Expect returns a function that waits for the first console line from
// now on that contains all of parts.
func (m *Machine) Expect(parts ...string) func(ctx context.Context) (string, error) {
	w := m.expect(func(l string) bool {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				return false
			}
		}
		return true
	})
	return func(ctx context.Context) (string, error) { return m.wait(ctx, w) }
}

// ExpectFunc is Expect with a match function.
func (m *Machine) ExpectFunc(match func(string) bool) func(ctx context.Context) (string, error) {
	w := m.expect(match)
	return func(ctx context.Context) (string, error) { return m.wait(ctx, w) }
}

// CutOn arms a power cut: the first console line from now on that
// contains all of parts cuts the power delay later. The returned channel
// gets the line when the cut happened.
func (m *Machine) CutOn(delay time.Duration, parts ...string) <-chan string {
	wait := m.Expect(parts...)
	cut := make(chan string, 1)
	go func() {
		l, err := wait(context.Background())
		if err != nil {
			close(cut)
			return
		}
		m.CutAfter(delay)
		cut <- l
	}()
	return cut
}

// CutAfter cuts the power after d (busy-waiting the last stretch: a timer
// on a loaded machine can be late by more than the delays the rig wants).
func (m *Machine) CutAfter(d time.Duration) {
	deadline := time.Now().Add(d)
	if d > 2*time.Millisecond {
		time.Sleep(d - 2*time.Millisecond)
	}
	for time.Now().Before(deadline) {
	}
	m.Cut()
}

// Cut pulls the plug: SIGKILL to qemu, whose guest gets no chance to write
// anything more. It returns once qemu is gone.
func (m *Machine) Cut() {
	if m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
	}
	<-m.done
}

// Down reports whether the guest has stopped.
func (m *Machine) Down() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// Tail is the last console lines.
func (m *Machine) Tail() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.tail, "\n")
}

// Result is a command's exit status and output.
type Result struct {
	Code int    `json:"code"`
	Out  string `json:"out"`
	Err  string `json:"err"`
}

// Run runs a command in the guest and returns its result.
func (m *Machine) Run(ctx context.Context, args ...string) (Result, error) {
	var r Result
	err := m.call(ctx, "/run", map[string]any{"args": args}, &r)
	return r, err
}

// Start starts a long-running command in the guest and returns its PID;
// its lines appear on the console prefixed "name| ", its end as
// "exit| name CODE".
func (m *Machine) Start(ctx context.Context, name string, env []string, args ...string) (int, error) {
	var r struct {
		PID int `json:"pid"`
	}
	err := m.call(ctx, "/start", map[string]any{"name": name, "args": args, "env": env}, &r)
	return r.PID, err
}

func (m *Machine) call(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:"+strconv.Itoa(m.port)+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return fmt.Errorf("agent %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("agent %s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("agent %s: %s: %s", path, resp.Status, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// PayResult is what the agent reports of Pay.
type PayResult struct {
	Paid  int   `json:"paid"`
	Cuts  int   `json:"cuts"`  // slips the agent's printer cut meanwhile
	Nanos int64 `json:"nanos"` // from the first key to the till ready after the last payment
}

// Pay has the agent make count payments through posd's API socket in the
// guest, each an amount keyed and paid by the scanned customer code, then
// Enter; it returns once every slip is cut. It fails on the first payment
// that is not paid. The agent stops when ctx ends.
func (m *Machine) Pay(ctx context.Context, socket string, count int, code string) (PayResult, error) {
	req := map[string]any{"socket": socket, "count": count, "code": code}
	if d, ok := ctx.Deadline(); ok {
		req["timeout"] = time.Until(d).String()
	}
	var r PayResult
	return r, m.call(ctx, "/pay", req, &r)
}
