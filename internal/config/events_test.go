package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEventsSectionIsChecked(t *testing.T) {
	base := string(readExample(t))
	on := `mqtt_url = "mqtts://broker.example.com:8883"`
	cases := []struct {
		name string
		edit []string // pairs: from, to
		want string   // "" = accepted
	}{
		{"off by default", nil, ""},
		{"on", []string{`mqtt_url = ""`, on}, ""},
		{"plain tcp", []string{`mqtt_url = ""`, `mqtt_url = "mqtt://10.0.0.5"`}, ""},
		{"scheme", []string{`mqtt_url = ""`, `mqtt_url = "http://broker:1883"`}, `posd.toml: [events] mqtt_url: fleet: bad configuration: broker url "http://broker:1883": scheme must be mqtt:// or mqtts://`},
		{"credentials in url", []string{`mqtt_url = ""`, `mqtt_url = "mqtts://u:p@broker"`}, `[events] mqtt_url:`},
		{"qos 0", []string{"qos = 1", "qos = 0"}, "posd.toml: [events] qos: 0 must be 1 or 2"},
		{"wildcard prefix", []string{`topic_prefix = "posd"`, `topic_prefix = "posd/#"`}, "posd.toml: [events] topic_prefix:"},
		{"tiny backlog", []string{"max_backlog = 10000", "max_backlog = 5"}, "[events] max_backlog: 5 must be between"},
		{"missing CA", []string{`mqtt_url = ""`, on, `ca_file = ""`, `ca_file = "/nonexistent/ca.pem"`}, "posd.toml: [events] ca_file:"},
		{"CA without TLS", []string{`mqtt_url = ""`, `mqtt_url = "mqtt://broker"`, `ca_file = ""`, `ca_file = "/etc/ssl/x.pem"`}, "is not mqtts://"},
		{"cert without key", []string{`mqtt_url = ""`, on, `client_cert_file = ""`, `client_cert_file = "/etc/posd/c.pem"`}, "[events] client_cert_file: fleet: bad configuration: client certificate: needs both"},
		{"terminal is a topic level", []string{`mqtt_url = ""`, on, `terminal_id = "T01"`, `terminal_id = "T/01"`}, "[merchant] id: events are on and the terminal id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := base
			for i := 0; i < len(c.edit); i += 2 {
				if !strings.Contains(text, c.edit[i]) {
					t.Fatalf("example lacks %q", c.edit[i])
				}
				text = strings.Replace(text, c.edit[i], c.edit[i+1], 1)
			}
			cfg, err := Parse("posd.toml", []byte(text))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			case c.want == "" && cfg.Events.On() != (len(c.edit) > 0):
				t.Errorf("on = %v", cfg.Events.On())
			}
		})
	}
}

func TestEventsPasswordFromCredential(t *testing.T) {
	cfg := Default()
	cfg.Merchant.ID = "M1"
	cfg.Events.MQTTURL, cfg.Events.Username = "mqtt://broker", "till"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mqtt-password"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("from-file"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Events.PasswordFile = file
	env := func(dir string) func(string) string {
		return func(k string) string {
			if k == "CREDENTIALS_DIRECTORY" {
				return dir
			}
			return ""
		}
	}
	b, err := cfg.Broker(env(dir))
	if err != nil || string(b.Password) != "s3cret" || b.ClientID != "posd-M1-S01-T01" {
		t.Fatalf("credential: %q %q %v", b.Password, b.ClientID, err)
	}
	b, err = cfg.Broker(env(""))
	if err != nil || string(b.Password) != "from-file" {
		t.Fatalf("file: %q %v", b.Password, err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Broker(env("")); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable password file: %v", err)
	}
}
