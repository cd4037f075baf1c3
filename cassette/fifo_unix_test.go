//go:build unix

package cassette

import "syscall"

// mkfifo makes a named pipe: a file the loader must not try to read.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
