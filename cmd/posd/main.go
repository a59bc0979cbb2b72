// Command posd is the payment daemon; see doc.go.
package main

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {}
