// Package cluster proves examples/cluster with real processes: three
// quickstart instances behind nginx on a shared redis-server (and, for
// the figures, on nats-server), driven through cluster.sh. The suite
// e2e/suites/72-cluster.sh brings the clusters up and names them:
//
//	CLUSTER_SH         examples/cluster/cluster.sh
//	CLUSTER_PORT       the Redis cluster's nginx port (CLUSTER_DIR its state)
//	CLUSTER_NATS_PORT  the NATS cluster's nginx port (CLUSTER_NATS_DIR)
//	QUICKSTART_BIN     the binary, for the in-memory figures
//	HYPERLANE_API_KEY  the key the instances were started with
//
// The instances run with HYPERLANE_RATE_LIMIT=5/1m. Without these
// variables every test fails with a message saying how to run them.
package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// guard bounds every wait; reaching it means the cluster is broken.
const guard = 20 * time.Second

// cluster is one running examples/cluster: nginx at port, pinned nginx
// ports port+1..3, instances port+10..12.
type cluster struct {
	script, dir, backplane string
	port                   int
}

// redisCluster returns the Redis cluster the suite started.
func redisCluster(t *testing.T) *cluster { return fromEnv(t, "CLUSTER_PORT", "CLUSTER_DIR", "redis") }

// natsCluster returns the NATS cluster the suite started.
func natsCluster(t *testing.T) *cluster {
	return fromEnv(t, "CLUSTER_NATS_PORT", "CLUSTER_NATS_DIR", "nats")
}

func fromEnv(t *testing.T, portVar, dirVar, backplane string) *cluster {
	t.Helper()
	port, err := strconv.Atoi(os.Getenv(portVar))
	script := os.Getenv("CLUSTER_SH")
	if err != nil || script == "" || os.Getenv(dirVar) == "" {
		t.Fatalf("%s, %s and CLUSTER_SH are not set: run these tests with e2e/suites/72-cluster.sh", portVar, dirVar)
	}
	return &cluster{script: script, dir: os.Getenv(dirVar), backplane: backplane, port: port}
}

// lb is nginx's address, which spreads clients over the instances.
func (c *cluster) lb() string { return fmt.Sprintf("127.0.0.1:%d", c.port) }

// pinned is nginx's address that goes to instance n (1..3) only.
func (c *cluster) pinned(n int) string { return fmt.Sprintf("127.0.0.1:%d", c.port+n) }

// instance is instance n's own address.
func (c *cluster) instance(n int) string { return fmt.Sprintf("127.0.0.1:%d", c.port+9+n) }

// run runs cluster.sh with args against this cluster.
func (c *cluster) run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exec is run for goroutines other than the test's.
func (c *cluster) exec(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.script, args...)
	cmd.Env = append(os.Environ(), "CLUSTER_DIR="+c.dir, "CLUSTER_PORT="+strconv.Itoa(c.port), "CLUSTER_BACKPLANE="+c.backplane)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("cluster.sh %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// waitShared waits until the rooms span the instances (a backplane may
// still be reconnecting after an earlier test): a member on instance 3
// talks until members on instances 1 and 2 hear it.
func waitShared(t *testing.T, c *cluster) {
	t.Helper()
	room := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	ears := []*wsClient{joinChat(t, c.instance(1), "", "ear", room), joinChat(t, c.instance(2), "", "ear", room)}
	mouth := joinChat(t, c.instance(3), "", "mouth", room)
	heard := func() bool {
		for _, e := range ears {
			if len(e.texts("mouth")) == 0 {
				return false
			}
		}
		return true
	}
	for start := time.Now(); !heard(); time.Sleep(200 * time.Millisecond) {
		if time.Since(start) > guard {
			t.Fatalf("instances 1 and 2 do not hear instance 3 after %v", guard)
		}
		mouth.say(t, "probe")
	}
}

// apiKey is the key the instances were started with.
func apiKey() string {
	if k := os.Getenv("HYPERLANE_API_KEY"); k != "" {
		return k
	}
	return "hyperlane-demo-key" // the quickstart's default
}
