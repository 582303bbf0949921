package cluster

import (
	"bytes"
	"net/http"
	"testing"
)

// TestRollingRestart restarts the three instances in turn, each with the
// zero-downtime restart, while 4 clients GET through nginx: no request
// fails. One more client on each pinned port, which nginx cannot send
// elsewhere, proves that no instance stopped answering (a stop and a
// start would fail those with 502 while nginx hid it from the 4).
func TestRollingRestart(t *testing.T) {
	c := redisCluster(t)
	clients := startLoad(t, c.lb(), 4)
	var pinned []*load
	for n := 1; n <= 3; n++ {
		pinned = append(pinned, startLoad(t, c.pinned(n), 1))
	}
	out := c.run(t, "rolling")
	total, failed := clients.stop()
	for n, p := range pinned {
		pt, pf := p.stop()
		t.Logf("report rolling restart: pinned to instance %d: %d requests, %d failed", n+1, pt, pf)
		if pf > 0 || pt == 0 {
			t.Errorf("instance %d, pinned: %d of %d requests failed during its restart: %v", n+1, pf, pt, p.failures())
		}
	}
	t.Logf("report rolling restart: %s", bytes.ReplaceAll([]byte(out), []byte("\n"), []byte("; ")))
	t.Logf("report rolling restart of 3 instances under 4 clients through nginx: %d requests, %d failed", total, failed)
	if failed > 0 {
		t.Fatalf("%d of %d requests failed during the rolling restart: %v", failed, total, clients.failures())
	}
	if total < 100 {
		t.Fatalf("only %d requests during the rolling restart: the load did not run", total)
	}
}

// TestRateLimitSharedByInstances: with HYPERLANE_RATE_LIMIT=5/1m, five
// Pet API writes spread over the three instances spend one budget, and
// the 6th is 429 wherever it lands.
func TestRateLimitSharedByInstances(t *testing.T) {
	c := redisCluster(t)
	write := func(addr string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/pets", bytes.NewBufferString(`{"name":"Kit","age":1}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", apiKey())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s/pets: %v", addr, err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 5 {
		n := i%3 + 1
		if got := write(c.pinned(n)); got != http.StatusCreated {
			t.Fatalf("write %d (on instance %d) is %d, want 201", i+1, n, got)
		}
	}
	for n := 1; n <= 3; n++ {
		if got := write(c.pinned(n)); got != http.StatusTooManyRequests {
			t.Fatalf("a write past the budget on instance %d is %d, want 429", n, got)
		}
	}
	if got := write(c.lb()); got != http.StatusTooManyRequests {
		t.Fatalf("a write past the budget through nginx's balancer is %d, want 429", got)
	}
}
