// Package config reads posd.toml, checks it and loads the keys it names.
// Every problem is reported at once, each as "FILE: [section] key: why",
// so the daemon refuses to start with a message an installer can act on;
// posctl reads the same file for commands that need the daemon's
// settings. The documented example is cmd/posd/posd.example.toml.
package config
