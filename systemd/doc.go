// Package systemd holds posd's systemd unit (posd.service) and the tests
// that check it with systemd-analyze: `verify` must print nothing and
// `security --offline=true` must rate the unit's exposure at 2.0 or less.
// The unit itself is data; this package has no code that ships.
package systemd
