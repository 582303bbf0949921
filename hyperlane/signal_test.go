//go:build unix

package hyperlane

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

func TestRunStopsOnSignal(t *testing.T) {
	tests := []struct {
		name string
		sig  syscall.Signal
	}{
		{"SIGTERM", syscall.SIGTERM},
		{"SIGINT", syscall.SIGINT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A second subscriber, so that the signal can never take the
			// default action and end the test binary.
			safety := make(chan os.Signal, 1)
			signal.Notify(safety, tt.sig)
			defer signal.Stop(safety)

			s := newTestServer()
			entered, release := make(chan struct{}, 1), make(chan struct{})
			blockingRoute(s, entered, release)
			done := make(chan error, 1)
			go func() { done <- s.Run(context.Background()) }()
			// Addr is set by Serve, which Run starts after it subscribed
			// to the signals: from here the signal reaches Run.
			addr := waitAddr(t, s)

			type result struct {
				code int
				err  error
			}
			inflight := make(chan result, 1)
			go func() {
				code, _, err := httpGet(newClient(), "http://"+addr+"/block")
				inflight <- result{code, err}
			}()
			waitClosed(t, firstOf(entered), "request did not reach the handler")

			if err := syscall.Kill(os.Getpid(), tt.sig); err != nil {
				t.Fatal(err)
			}
			waitClosed(t, s.ShuttingDown(), "Run did not react to the signal")
			close(release)
			if r := <-inflight; r.err != nil || r.code != http.StatusOK {
				t.Errorf("in-flight request: %d %v, want 200", r.code, r.err)
			}
			if err := waitErr(t, done); err != nil {
				t.Errorf("Run = %v, want nil after a signal", err)
			}
		})
	}
}
