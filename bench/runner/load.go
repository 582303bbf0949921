package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hyperlane-go/hyperlane/bench/figures"
)

// loader runs the load generator against one server: wrk for HTTP,
// bench/wsload for WebSocket, both pinned to the load CPU.
type loader struct {
	o       options
	servers *servers
}

func (l loader) command(ctx context.Context, scenario, ct string, d time.Duration) *exec.Cmd {
	rq := requests[scenario]
	addr := l.servers.addrs[ct]
	// wrk takes whole seconds.
	secs := strconv.Itoa(max(1, int(d.Round(time.Second)/time.Second))) + "s"
	if scenario == "websocket" {
		return exec.CommandContext(ctx, "taskset", "-c", l.o.loadCPU, filepath.Join(l.o.bin, "wsload"),
			"-url", "ws://"+addr+rq.path, "-c", strconv.Itoa(l.o.conns), "-d", secs)
	}
	cmd := exec.CommandContext(ctx, "taskset", "-c", l.o.loadCPU, "wrk", "-t1", "-c"+strconv.Itoa(l.o.conns),
		"-d"+secs, "--latency", "-s", "wrk/report.lua", "http://"+addr+rq.path)
	cmd.Env = append(os.Environ(), "WRK_METHOD="+rq.method, "WRK_BODY="+rq.body)
	return cmd
}

// measure runs the load for d and reads the RESULT line.
func (l loader) measure(ctx context.Context, scenario, ct string, d time.Duration) (figures.Cell, error) {
	cell := figures.Cell{Scenario: scenario, Contender: ct}
	cmd := l.command(ctx, scenario, ct, d)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	pid := l.servers.procs[ct].Process.Pid
	cpu0 := cpuTicks(pid)
	srv0, okSrv := readCPUs(l.o.serverCPU)
	gen0, okGen := readCPUs(l.o.loadCPU)
	err := cmd.Run()
	cpu1 := cpuTicks(pid)
	srv1, okSrv1 := readCPUs(l.o.serverCPU)
	gen1, okGen1 := readCPUs(l.o.loadCPU)
	if okSrv && okGen && okSrv1 && okGen1 && cpu0 >= 0 && cpu1 >= 0 && cmd.ProcessState != nil && l.o.serverCPU != l.o.loadCPU {
		ps := cmd.ProcessState
		genTicks := int64((ps.UserTime() + ps.SystemTime()).Seconds() * clockTicks)
		cell.Noise = max(foreign(srv0, srv1, cpu1-cpu0), foreign(gen0, gen1, genTicks))
	}
	if err != nil {
		return cell, fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, errOut.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || f[0] != "RESULT" {
			continue
		}
		var v [5]float64
		for i := range v {
			x, err := strconv.ParseFloat(f[i+1], 64)
			if err != nil {
				return cell, fmt.Errorf("bad result line %q", line)
			}
			v[i] = x
		}
		// requests, duration µs, p99 µs, socket errors, non-2xx answers
		if v[1] > 0 {
			cell.RPS = v[0] / (v[1] / 1e6)
		}
		cell.P99us, cell.Errors = v[2], int(v[3]+v[4])
		if cpu0 >= 0 && cpu1 > cpu0 && v[0] > 0 {
			cell.CPUus = float64(cpu1-cpu0) * 1e6 / clockTicks / v[0]
		}
		return cell, nil
	}
	return cell, fmt.Errorf("%s printed no RESULT line: %s", strings.Join(cmd.Args, " "), out.String())
}

// commands are the exact command lines of a run, for the page.
func (l loader) commands() []string {
	args := strings.Join(l.o.args, " ")
	return []string{
		"make bench   # = bash bench/run.sh " + args,
		"# every server:  taskset -c " + l.o.serverCPU + " env GOMAXPROCS=1 bench/bin/server -fw NAME -addr 127.0.0.1:PORT",
		fmt.Sprintf("# HTTP load:     taskset -c %s wrk -t1 -c%d -d%s --latency -s bench/wrk/report.lua http://127.0.0.1:PORT/PATH",
			l.o.loadCPU, l.o.conns, l.o.duration),
		fmt.Sprintf("# WebSocket load: taskset -c %s bench/bin/wsload -url ws://127.0.0.1:PORT/ws -c %d -d %s",
			l.o.loadCPU, l.o.conns, l.o.duration),
		"# page and chart: cd bench && go run ./report",
	}
}

// clockTicks is the unit of /proc/PID/stat times (USER_HZ), 100 on Linux.
const clockTicks = 100

// cpuTicks is the user+system CPU time of process pid so far, in clock
// ticks, or -1 when it cannot be read.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name may hold spaces; fields are counted after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return utime + stime
}
