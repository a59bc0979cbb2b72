module github.com/posd/posd

go 1.26.0

require github.com/skip2/go-qrcode v0.0.0-20200617195104-da1b6568686e

require github.com/BurntSushi/toml v1.6.0 // indirect
