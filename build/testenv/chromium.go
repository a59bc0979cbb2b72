package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumTimeout bounds one Chromium run; a screenshot takes about 2 s.
const chromiumTimeout = 60 * time.Second

// ChromiumFlags are the flags of docs/hardware.md 6(iv) for headless Chromium in
// a container, with profile as a fresh --user-data-dir and the window sized
// width×height at one device pixel per CSS pixel, so a screenshot shows
// exactly what a display of that size would. Callers add their mode
// (--screenshot, --dump-dom, --remote-debugging-pipe) and the URL.
func ChromiumFlags(profile string, width, height int) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, fmt.Sprintf("--window-size=%d,%d", width, height),
		"--hide-scrollbars", "--force-device-scale-factor=1"}
}

// Screenshot loads url in headless Chromium with a window of width×height
// and returns the path of the PNG it draws, in a directory removed when
// the test ends.
func Screenshot(t testing.TB, url string, width, height int) string {
	t.Helper()
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	runChromium(t, append(ChromiumFlags(filepath.Join(dir, "profile"), width, height), "--screenshot="+shot, url))
	return shot
}

// DumpDOM loads url in headless Chromium, lets its scripts run and returns
// the document as serialised HTML.
func DumpDOM(t testing.TB, url string) string {
	t.Helper()
	return runChromium(t, append(ChromiumFlags(filepath.Join(t.TempDir(), "profile"), 800, 600), "--dump-dom", url))
}

// runChromium runs Chromium with args and returns its standard output.
func runChromium(t testing.TB, args []string) string {
	t.Helper()
	chromium := Tool(t, "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, chromium, args...)
	cmd.Stderr = &stderr // D-Bus complaints in containers; shown only on failure
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", args[len(args)-1], err, lastLines(stderr.String(), 10))
	}
	return string(out)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
