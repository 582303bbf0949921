//go:build !linux

package cli

import "syscall"

// inspect reports whether pid is a live process; without /proc the name
// of its executable is unknown ("").
func inspect(pid int) (alive bool, exe string) {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM, ""
}

// listenAddrs is unknown without /proc.
func listenAddrs(pid int) []string { return nil }
