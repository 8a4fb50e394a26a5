package main

// version is the release's version, set by `make release` with
// -ldflags "-X main.version=…"; a plain `go build` says "(untracked)".
var version = "(untracked)"
