package testenv

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// ChromePage drives one tab of headless Chromium over the DevTools protocol
// on --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-terminated JSON), so a
// test can wait for what the page does instead of sleeping.
type ChromePage struct {
	w       io.Writer
	r       *bufio.Reader
	id      int
	session string
}

// OpenChromium opens url in a fresh headless Chromium of window size;
// extra flags (a --user-agent=..., say) go before the URL. The browser is
// closed when the test ends.
func OpenChromium(t *testing.T, url string, size image.Point, extra ...string) *ChromePage {
	t.Helper()
	chromium := Tool(t, "chromium")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	toChrome, ours, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	theirs, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := append(append(ChromiumFlags(filepath.Join(dir, "profile"), size.X, size.Y), extra...), "--kiosk", "--remote-debugging-pipe", "about:blank")
	cmd := exec.CommandContext(ctx, chromium, args...)
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	fromChrome.Close()
	p := &ChromePage{w: ours, r: bufio.NewReader(theirs)}
	t.Cleanup(func() {
		// Browser.close lets every Chromium process exit before the
		// profile directory is removed.
		p.session = ""
		p.id++
		fmt.Fprintf(ours, `{"id":%d,"method":"Browser.close"}`+"\x00", p.id)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cancel()
			<-done
		}
		cancel()
		ours.Close()
		theirs.Close()
	})
	var target struct{ TargetID string }
	p.Call(t, "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct{ SessionID string }
	p.Call(t, "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	p.session = attached.SessionID
	p.Call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": size.X, "height": size.Y, "deviceScaleFactor": 1, "mobile": false}, nil)
	p.Call(t, "Page.enable", nil, nil)
	p.Call(t, "Page.navigate", map[string]any{"url": url}, nil)
	return p
}

// Call sends one DevTools command and returns its result, skipping events.
func (p *ChromePage) Call(t *testing.T, method string, params any, result any) {
	t.Helper()
	p.id++
	msg := map[string]any{"id": p.id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if p.session != "" {
		msg["sessionId"] = p.session
	}
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.w.Write(append(b, 0)); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	for {
		raw, err := p.r.ReadBytes(0)
		if err != nil {
			t.Fatalf("%s: reading from chromium: %v", method, err)
		}
		var reply struct {
			ID     int
			Result json.RawMessage
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(raw[:len(raw)-1], &reply); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if reply.ID != p.id {
			continue
		}
		if reply.Error != nil {
			t.Fatalf("%s: %s", method, reply.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(reply.Result, result); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
		}
		return
	}
}

// Eval runs expression in the page, waits for its promise and fails the
// test if it throws.
func (p *ChromePage) Eval(t *testing.T, expression string) json.RawMessage {
	t.Helper()
	var r struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails *struct{ Text string }
	}
	p.Call(t, "Runtime.evaluate", map[string]any{"expression": expression, "awaitPromise": true, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		t.Fatalf("page: %s", r.ExceptionDetails.Text)
	}
	return r.Result.Value
}

// Screenshot saves what the page shows as a PNG file and returns its path.
func (p *ChromePage) Screenshot(t *testing.T) string {
	t.Helper()
	var shot struct{ Data string }
	p.Call(t, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	b, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "page.png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
