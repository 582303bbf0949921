package broadcast_test

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// guard bounds every wait in these tests. It is a hang guard, never a
// measure of speed: reaching it means the behaviour is broken.
const guard = 20 * time.Second

// guardCtx returns a context bounded by the hang guard.
func guardCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// settleGoroutines waits until the goroutine count is back to base, and
// fails with a dump of the goroutines left behind when it does not come
// back within the guard.
func settleGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left behind (base %d):\n%s", runtime.NumGoroutine()-base, base, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
