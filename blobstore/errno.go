package blobstore

import "syscall"

// syscallENOTDIR is returned when a key's parent "directory" is a blob file
// in a Local store (e.g. Stat("a/b") with "a" stored): treated as not found.
var syscallENOTDIR error = syscall.ENOTDIR
