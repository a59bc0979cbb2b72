// Command posd is the payment daemon of an Alipay in-store terminal: it
// reads keys from the till's keypads, takes each payment through the
// crash-safe outbox (package queue) against the Alipay AMS gateway, shows
// the QR and the outcome on the customer display and prints the receipt.
//
// What it promises to its supervisor (systemd, Type=notify):
//
//   - It reads one TOML file (-config, default /etc/posd/posd.toml) and
//     refuses to start on any problem, naming the file, the key and why.
//     Unknown keys are errors. posd.example.toml documents every option.
//     -check runs the same checks (those that need no device or port:
//     the file, the keys, the outbox) and exits; every problem is printed
//     once, as "FILE: [section] key: why".
//   - The merchant key comes from $CREDENTIALS_DIRECTORY/merchant-key when
//     systemd passes it (LoadCredential=), else from the configured file.
//   - READY=1 once payments can be taken; STATUS= lines as things change;
//     WATCHDOG=1 only while the outbox engine answers; STOPPING=1 on stop.
//   - SIGTERM or SIGINT: no new payment is accepted, the engine's current
//     step is committed (every state is fsync'd before the action it
//     enables, so nothing is lost), and posd exits 0. Exit 1 means it
//     could not start (configuration, key, database); 2 a usage error.
//   - Logs are log/slog lines on stdout; no key or customer code is logged.
//   - posctl talks to it over a unix socket (default /run/posd/posd.sock,
//     mode 0660); Prometheus scrapes a loopback address.
//
// posd -demo runs the whole product on one machine with no configuration
// (package internal/demo).
//
// This package is only the command: flags, signals, sd_notify and exit
// statuses. The configuration is internal/config, the daemon itself
// internal/daemon (see its Run for the start and stop order).
package main
