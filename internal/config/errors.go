package config

import "errors"

// Errors the configuration reports; match them with errors.Is.
var (
	// ErrInvalid is returned for an unreadable or invalid posd.toml.
	ErrInvalid = errors.New("posd: configuration")
	// ErrKey is returned when the merchant key cannot be loaded.
	ErrKey = errors.New("posd: merchant key")
)
