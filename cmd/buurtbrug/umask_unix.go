//go:build unix

package main

import "syscall"

// privateFiles makes every file the server creates readable by its owner
// only (the database, its WAL, backups): they hold case notes.
func privateFiles() { syscall.Umask(0o077) }
