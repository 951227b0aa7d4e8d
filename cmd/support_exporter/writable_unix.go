//go:build unix

package main

import "syscall"

// dirWritable reports, without writing, whether this process may create
// files in dir (access(2) with W_OK).
func dirWritable(dir string) error { return syscall.Access(dir, 2 /* W_OK */) }
