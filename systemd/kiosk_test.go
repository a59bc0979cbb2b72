package systemd

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/build/testenv"
)

// kiosk runs the posd-kiosk script with env and args and returns its output.
func kiosk(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "./posd-kiosk", args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// The kiosk script opens the configured page in a real Chromium with its kiosk flags (headless here:
// a CI machine has no screen).
func TestKioskOpensDisplayPage(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/display/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><title>display</title><p id=s></p><script>document.getElementById("s").textContent="customer display "+location.pathname</script>`))
	}))
	defer srv.Close()
	flags := append(testenv.ChromiumFlags(filepath.Join(t.TempDir(), "profile"), 800, 480), "--dump-dom")
	out, err := kiosk(t, []string{
		"POSD_KIOSK_URL=" + srv.URL + "/display/", "POSD_KIOSK_BROWSER=" + chromium, "WAYLAND_DISPLAY=wayland-test",
	}, flags...)
	if err != nil {
		t.Fatalf("posd-kiosk: %v\n%s", err, out)
	}
	if !strings.Contains(out, "customer display /display/") {
		t.Fatalf("Chromium did not show the display page:\n%s", out)
	}
}

// Started before the desktop, with no display to find, the script says why instead of starting a
// browser that would die (systemd restarts the unit).
func TestKioskWithoutDisplay(t *testing.T) {
	if _, err := os.Stat("/tmp/.X11-unix/X0"); err == nil {
		t.Skip("this machine has an X display :0")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	out, err := kiosk(t, []string{
		"POSD_KIOSK_BROWSER=" + sh, "XDG_RUNTIME_DIR=" + t.TempDir(), "POSD_KIOSK_WAIT=0", "WAYLAND_DISPLAY=", "DISPLAY=",
	})
	if err == nil || !strings.Contains(out, "no Wayland or X display") {
		t.Fatalf("posd-kiosk without a display: %v\n%s", err, out)
	}
}
