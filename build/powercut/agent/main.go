package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/posd/posd/printer/virtual"
	"golang.org/x/sys/unix"
)

// console serialises whole lines onto the serial console.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *console) line(prefix, s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, "%s| %s\n", prefix, s)
}

func main() {
	con := &console{w: os.Stdout}
	ctx := context.Background()
	ln, err := net.Listen("tcp", ":7000")
	if err != nil {
		con.line("agent", "listen: "+err.Error())
		os.Exit(1)
	}
	printer, err := startPrinter(ctx, con, "127.0.0.1:9100")
	if err != nil {
		con.line("agent", "printer: "+err.Error())
		os.Exit(1)
	}
	if dir := os.Getenv("AGENT_WATCH"); dir != "" {
		go watchGrowth(con, dir)
	}
	a := &agent{con: con, printer: printer}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /run", a.run)
	mux.HandleFunc("POST /start", a.start)
	mux.HandleFunc("POST /pay", a.pay)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	con.line("agent", "ready")
	err = srv.Serve(ln)
	con.line("agent", "serve: "+err.Error())
	os.Exit(1)
}

type agent struct {
	con     *console
	printer *virtual.Device // the receipt printer on 127.0.0.1:9100
}

// command is what the host asks to run.
type command struct {
	Name    string   `json:"name"` // console prefix of a started command
	Args    []string `json:"args"`
	Env     []string `json:"env"`
	Timeout string   `json:"timeout"` // run only; default 60s
}

type result struct {
	Code int    `json:"code"`
	Out  string `json:"out"`
	Err  string `json:"err"`
}

func decode(w http.ResponseWriter, r *http.Request) (command, bool) {
	var c command
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&c); err != nil || len(c.Args) == 0 {
		http.Error(w, "want {\"args\":[...]}", http.StatusBadRequest)
		return c, false
	}
	return c, true
}

func (a *agent) run(w http.ResponseWriter, r *http.Request) {
	c, ok := decode(w, r)
	if !ok {
		return
	}
	ctx, cancel := requestTimeout(r, c.Timeout, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Env = append(os.Environ(), c.Env...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	res := result{Out: out.String(), Err: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	case err != nil:
		res.Code, res.Err = -1, err.Error()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// started is the reply to /start.
type started struct {
	PID int `json:"pid"`
}

// requestTimeout is r's context ended after the duration the host asked
// for (timeout, as time.ParseDuration reads it), or def.
func requestTimeout(r *http.Request, timeout string, def time.Duration) (context.Context, context.CancelFunc) {
	if d, err := time.ParseDuration(timeout); err == nil && d > 0 {
		def = d
	}
	return context.WithTimeout(r.Context(), def)
}

// start runs a command in the background; its lines go to the console and
// its exit is reported as "exit| NAME CODE". The reply is its PID.
func (a *agent) start(w http.ResponseWriter, r *http.Request) {
	c, ok := decode(w, r)
	if !ok {
		return
	}
	if c.Name == "" {
		c.Name = filepath.Base(c.Args[0])
	}
	cmd := exec.Command(c.Args[0], c.Args[1:]...)
	cmd.Env = append(os.Environ(), c.Env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	go a.lines(c.Name, pr)
	go func() {
		err := cmd.Wait()
		pw.Close()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			code = -1
		}
		a.con.line("exit", fmt.Sprintf("%s %d", c.Name, code))
	}()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(started{PID: cmd.Process.Pid})
}

func (a *agent) lines(name string, r io.Reader) {
	buf := make([]byte, 0, 4096)
	p := make([]byte, 4096)
	for {
		n, err := r.Read(p)
		buf = append(buf, p[:n]...)
		for {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				break
			}
			a.con.line(name, string(buf[:i]))
			buf = buf[i+1:]
		}
		if err != nil {
			if len(buf) > 0 {
				a.con.line(name, string(buf))
			}
			return
		}
	}
}

// slip is one cut slip as the host is told about it.
type slip struct {
	Cut  int    `json:"cut"`
	Text string `json:"text"`
}

// startPrinter serves an ESC/POS printer on addr. It prints at a print
// head's pace (a few ms a line), so a slip takes long enough to be cut
// short by a power cut.
func startPrinter(ctx context.Context, con *console, addr string) (*virtual.Device, error) {
	dev := virtual.NewDevice(virtual.DeviceConfig{Config: virtual.Config{Dots: 576}})
	dev.SetLineDelay(3 * time.Millisecond)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = dev.Serve(ctx, c)
			}()
		}
	}()
	go func() {
		cuts, seen := 0, 0
		for {
			if err := dev.Wait(ctx, func(s virtual.State) bool { return s.Cuts > cuts }); err != nil {
				return
			}
			cuts = dev.State().Cuts
			text := dev.Transcript()
			b, _ := json.Marshal(slip{Cut: cuts, Text: text[min(seen, len(text)):]})
			seen = len(text)
			con.line("paper", string(b))
		}
	}()
	return dev, nil
}

// watchGrowth reports every growth of dir/posd.db, and of posd.db.new
// where posd builds a new outbox before linking it into place: bbolt grows
// the file (truncate and fsync) before it writes pages beyond its end.
func watchGrowth(con *console, dir string) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		con.line("grow", "inotify: "+err.Error())
		return
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_MODIFY|unix.IN_CREATE); err != nil {
		con.line("grow", "inotify: "+err.Error())
		return
	}
	sizes := map[string]int64{"posd.db.new": 0, "posd.db": 0}
	for name := range sizes {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			sizes[name] = fi.Size()
		}
	}
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil || n <= 0 {
			con.line("grow", fmt.Sprintf("inotify read: %v", err))
			return
		}
		if !strings.Contains(string(buf[:n]), "posd.db") {
			continue
		}
		for name, size := range sizes {
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Size() > size {
				con.line("grow", fmt.Sprintf("%d %d", size, fi.Size()))
				sizes[name] = fi.Size()
			}
		}
	}
}
