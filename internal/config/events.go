package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/posd/posd/internal/events"
	"github.com/posd/posd/internal/fleet"
	"github.com/posd/posd/queue"
)

// Events is the [events] section: posd's payments streamed to the
// merchant's MQTT broker (docs/events.md). Off while mqtt_url is empty.
type Events struct {
	MQTTURL  string `toml:"mqtt_url"`
	ClientID string `toml:"client_id"`
	Username string `toml:"username"`
	// PasswordCredential names the systemd credential holding the password
	// ($CREDENTIALS_DIRECTORY/NAME, LoadCredential=); PasswordFile is the
	// fallback outside systemd. Neither: no password.
	PasswordCredential string   `toml:"password_credential"`
	PasswordFile       string   `toml:"password_file"`
	CAFile             string   `toml:"ca_file"`
	ClientCertFile     string   `toml:"client_cert_file"`
	ClientKeyFile      string   `toml:"client_key_file"`
	TopicPrefix        string   `toml:"topic_prefix"`
	QoS                int      `toml:"qos"`
	MaxBacklog         int      `toml:"max_backlog"`
	MaxAge             Duration `toml:"max_age"`
}

// DefaultEvents are the [events] defaults.
func DefaultEvents() Events {
	return Events{PasswordCredential: "mqtt-password", TopicPrefix: events.DefaultPrefix, QoS: 1,
		MaxBacklog: queue.DefaultEventBacklog, MaxAge: Duration{queue.DefaultEventAge}}
}

// On reports whether events are streamed.
func (e *Events) On() bool { return e.MQTTURL != "" }

// Source is the till as the topics name it.
func (c *Config) Source() events.Source {
	return events.Source{Merchant: c.Merchant.ID, Store: c.Merchant.StoreID, Terminal: c.Merchant.TerminalID}
}

// EventClientID is the MQTT client id: configured, or one per till.
func (c *Config) EventClientID() string {
	if c.Events.ClientID != "" {
		return c.Events.ClientID
	}
	return "posd-" + c.Merchant.ID + "-" + c.Merchant.StoreID + "-" + c.Merchant.TerminalID
}

// Broker returns the broker settings, with the password read from the
// systemd credential or the password file.
func (c *Config) Broker(getenv func(string) string) (fleet.Broker, error) {
	e := c.Events
	b := fleet.Broker{URL: e.MQTTURL, ClientID: c.EventClientID(), Username: e.Username,
		CAFile: e.CAFile, CertFile: e.ClientCertFile, KeyFile: e.ClientKeyFile}
	path := ""
	if dir := getenv("CREDENTIALS_DIRECTORY"); dir != "" && e.PasswordCredential != "" {
		p := filepath.Join(dir, e.PasswordCredential)
		if _, err := os.Stat(p); err == nil {
			path = p
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fleet.Broker{}, fmt.Errorf("[events] password credential %s: %w", p, err)
		}
	}
	if path == "" && e.PasswordFile != "" {
		info, err := os.Stat(e.PasswordFile)
		if err != nil {
			return fleet.Broker{}, fmt.Errorf("[events] password_file: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return fleet.Broker{}, fmt.Errorf("[events] password_file %s is mode %#o: others may read it (chmod 600)", e.PasswordFile, info.Mode().Perm())
		}
		path = e.PasswordFile
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return fleet.Broker{}, fmt.Errorf("[events] password: %w", err)
		}
		b.Password = []byte(strings.TrimRight(string(data), "\r\n"))
	}
	return b, nil
}

// EventOptions are the outbox's event settings (nil: events off).
func (c *Config) EventOptions() *queue.EventOptions {
	if !c.Events.On() {
		return nil
	}
	return &queue.EventOptions{Source: c.Source(), MaxBacklog: c.Events.MaxBacklog, MaxAge: c.Events.MaxAge.Duration}
}

// checkEvents validates [events]; the broker rules (URL, TLS files) are
// fleet's, the topic rules events'.
func (c *Config) checkEvents(bad func(section, key, format string, args ...any)) {
	e := c.Events
	if e.QoS != 1 && e.QoS != 2 {
		bad("events", "qos", "%d must be 1 or 2: events are delivered at least once", e.QoS)
	}
	if e.MaxBacklog < 100 || e.MaxBacklog > 1_000_000 {
		bad("events", "max_backlog", "%d must be between 100 and 1000000 events", e.MaxBacklog)
	}
	if d := e.MaxAge.Duration; d < time.Hour {
		bad("events", "max_age", "%v must be at least 1h", d)
	}
	if err := events.CheckPrefix(e.TopicPrefix); err != nil {
		bad("events", "topic_prefix", "%v", err)
	}
	if !e.On() {
		return
	}
	if err := c.Source().Check(); err != nil {
		bad("merchant", "id", "events are on and the %v: ids become MQTT topic levels", err)
	}
	if _, _, err := fleet.ParseURL(e.MQTTURL); err != nil {
		bad("events", "mqtt_url", "%v", err)
		return
	}
	if e.PasswordFile != "" && e.Username == "" {
		bad("events", "password_file", "a password needs a username")
	}
	if e.PasswordFile != "" {
		if _, err := os.Stat(e.PasswordFile); err != nil {
			bad("events", "password_file", "%v", err)
		}
	}
	b := fleet.Broker{URL: e.MQTTURL, ClientID: c.EventClientID(), Username: e.Username,
		CAFile: e.CAFile, CertFile: e.ClientCertFile, KeyFile: e.ClientKeyFile}
	if err := b.Check(); err != nil {
		key := "mqtt_url"
		switch {
		case errors.Is(err, fleet.ErrCAFile):
			key = "ca_file"
		case errors.Is(err, fleet.ErrClientCert):
			key = "client_cert_file"
		case errors.Is(err, fleet.ErrClientID):
			key = "client_id"
		}
		bad("events", key, "%v", err)
	}
}
