package blobstore_test

import "syscall"

var errNotDir error = syscall.ENOTDIR
