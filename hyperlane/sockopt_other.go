//go:build !linux

package hyperlane

import (
	"errors"
	"syscall"
)

// controlSocket is implemented for Linux only; elsewhere the kernel
// defaults stay and asking for a tuned option is an error.
func controlSocket(_ syscall.RawConn, st *settings, _ bool) error {
	if st.reusePort || st.readBuffer > 0 || st.writeBuffer > 0 || st.ttl > 0 {
		return errors.New("hyperlane: socket tuning is supported on Linux only")
	}
	return nil
}
