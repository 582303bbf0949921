package cli

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// inspect reports whether pid is a live process (a zombie is not: its
// parent may never reap it) and the base name of its executable, "" when
// it cannot be read.
func inspect(pid int) (alive bool, exe string) {
	proc := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(proc + "/stat") // #nosec G304 -- /proc/<pid> of a numeric PID
	if err != nil {
		return false, ""
	}
	// The state follows the command name, which may itself hold ") ".
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 || i+2 >= len(stat) {
		return false, ""
	}
	if state := stat[i+2]; state == 'Z' || state == 'X' {
		return false, ""
	}
	if link, err := os.Readlink(proc + "/exe"); err == nil {
		return true, filepath.Base(strings.TrimSuffix(link, " (deleted)"))
	}
	cmdline, err := os.ReadFile(proc + "/cmdline") // #nosec G304 -- /proc/<pid> of a numeric PID
	if err == nil && len(cmdline) > 0 {
		argv0, _, _ := strings.Cut(string(cmdline), "\x00")
		return true, filepath.Base(argv0)
	}
	return true, ""
}

// listenAddrs returns the TCP addresses pid listens on, found by matching
// the socket inodes among its open files with the kernel's socket tables.
// It returns nil when they cannot be read.
func listenAddrs(pid int) []string {
	proc := "/proc/" + strconv.Itoa(pid)
	fds, err := os.ReadDir(proc + "/fd")
	if err != nil {
		return nil
	}
	inodes := make(map[string]bool)
	for _, fd := range fds {
		link, err := os.Readlink(proc + "/fd/" + fd.Name())
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var addrs []string
	for _, table := range []string{"/net/tcp", "/net/tcp6"} {
		addrs = append(addrs, listeningIn(proc+table, inodes)...)
	}
	return addrs
}

// listeningIn parses a /proc/net/tcp table: "sl local rem st ... inode",
// with the local address as hex 32-bit words in host byte order.
func listeningIn(path string, inodes map[string]bool) []string {
	f, err := os.Open(path) // #nosec G304 -- a fixed /proc/net table
	if err != nil {
		return nil
	}
	defer f.Close()
	var addrs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		const listen = "0A"
		if len(fields) < 10 || fields[3] != listen || !inodes[fields[9]] {
			continue
		}
		hexIP, hexPort, _ := strings.Cut(fields[1], ":")
		raw, err1 := hex.DecodeString(hexIP)
		port, err2 := strconv.ParseUint(hexPort, 16, 16)
		if err1 != nil || err2 != nil || (len(raw) != 4 && len(raw) != 16) {
			continue
		}
		for w := 0; w < len(raw); w += 4 { // each 32-bit word is in host order
			binary.BigEndian.PutUint32(raw[w:], binary.NativeEndian.Uint32(raw[w:]))
		}
		ip, _ := netip.AddrFromSlice(raw)
		addrs = append(addrs, netip.AddrPortFrom(ip.Unmap(), uint16(port)).String())
	}
	return addrs
}
