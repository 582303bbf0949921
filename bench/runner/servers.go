package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/bench/figures"
)

// request is what a scenario sends, and what its answer must contain.
type request struct {
	method, path, body, want string
}

var requests = map[string]request{
	"plaintext": {"GET", "/", "", "Hello, World!"},
	"json":      {"GET", "/json", "", `"message":"Hello, World!"`},
	"param":     {"GET", "/users/42", "", "42"},
	"typed":     {"POST", "/pets/42?verbose=true", `{"name":"Rex","tag":"dog","age":3}`, `"verbose":true`},
	"websocket": {"GET", "/ws", "", "ping"},
}

// servers are the contender processes of a run, by contender name.
type servers struct {
	procs   map[string]*exec.Cmd
	addrs   map[string]string
	pidFile string
}

// startServers starts one pinned server per contender of the plan and
// waits until each accepts connections.
func startServers(ctx context.Context, o options, plan []figures.Scenario) (*servers, error) {
	s := &servers{procs: map[string]*exec.Cmd{}, addrs: map[string]string{}, pidFile: o.pidFile}
	var pids []string
	for _, sc := range plan {
		for _, ct := range sc.Contenders {
			if s.procs[ct] != nil {
				continue
			}
			addr, err := freeAddr()
			if err != nil {
				return s, err
			}
			cmd := exec.Command("taskset", "-c", o.serverCPU, filepath.Join(o.bin, "server"), "-fw", ct, "-addr", addr)
			cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Start(); err != nil {
				return s, fmt.Errorf("starting %s: %w", ct, err)
			}
			s.procs[ct], s.addrs[ct] = cmd, addr
			pids = append(pids, strconv.Itoa(cmd.Process.Pid))
		}
	}
	if o.pidFile != "" {
		if err := os.WriteFile(o.pidFile, []byte(strings.Join(pids, "\n")+"\n"), 0o644); err != nil {
			return s, err
		}
	}
	for ct, addr := range s.addrs {
		if err := waitPort(ctx, addr); err != nil {
			return s, fmt.Errorf("%s on %s: %w", ct, addr, err)
		}
	}
	return s, nil
}

// stop kills every server started, waits for them, and removes the pid
// file, whose pids are no longer ours.
func (s *servers) stop() {
	for _, cmd := range s.procs {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	if s.pidFile != "" {
		_ = os.Remove(s.pidFile)
	}
}

// check sends each cell's request once and drops, with a note, the cells
// whose answer is wrong: a contender that does not serve a scenario yet
// is left out rather than measured answering errors.
func (s *servers) check(ctx context.Context, plan []figures.Scenario) []figures.Scenario {
	var out []figures.Scenario
	for _, sc := range plan {
		var keep []string
		for _, ct := range sc.Contenders {
			if err := s.checkOne(ctx, sc.Name, ct); err != nil {
				log.Printf("skipping %s %s: %v", sc.Name, ct, err)
				continue
			}
			keep = append(keep, ct)
		}
		if slices.Contains(keep, figures.Baseline) {
			sc.Contenders = keep
			out = append(out, sc)
		} else {
			log.Printf("skipping %s: the baseline %s is not in it", sc.Name, figures.Baseline)
		}
	}
	return out
}

func (s *servers) checkOne(ctx context.Context, scenario, ct string) error {
	rq := requests[scenario]
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if scenario == "websocket" {
		c, _, err := websocket.Dial(ctx, "ws://"+s.addrs[ct]+rq.path, nil)
		if err != nil {
			return err
		}
		defer c.CloseNow()
		if err := c.Write(ctx, websocket.MessageText, []byte(rq.want)); err != nil {
			return err
		}
		_, b, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if string(b) != rq.want {
			return fmt.Errorf("echo %q, want %q", b, rq.want)
		}
		return c.Close(websocket.StatusNormalClosure, "")
	}
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, "http://"+s.addrs[ct]+rq.path, body)
	if err != nil {
		return err
	}
	if rq.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(rq.want)) {
		return fmt.Errorf("%s %s answered %d %q, want 200 containing %q", rq.method, rq.path, resp.StatusCode, b, rq.want)
	}
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitPort(ctx context.Context, addr string) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("not listening: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
