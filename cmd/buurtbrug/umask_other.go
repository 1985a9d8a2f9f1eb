//go:build !unix

package main

// privateFiles: the database file is created with mode 0600 (storage.Open).
func privateFiles() {}
