package main

import (
	"os"
	"strconv"
	"strings"
)

// cpuTimes is the busy and total time of some CPUs from /proc/stat, in
// clock ticks.
type cpuTimes struct{ busy, total int64 }

// readCPUs sums the /proc/stat lines of the CPUs in list ("0", "0,1").
// ok is false when it cannot read them.
func readCPUs(list string) (t cpuTimes, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, false
	}
	want := map[string]bool{}
	for _, c := range strings.Split(list, ",") {
		if _, err := strconv.Atoi(c); err != nil {
			return t, false // ranges are not read; the noise figure is then unknown
		}
		want["cpu"+c] = true
	}
	found := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || !want[f[0]] {
			continue
		}
		found++
		// user nice system idle iowait irq softirq steal (guest time is
		// already in user). Busy is what processes and the hypervisor
		// took; interrupt time, spent for whoever sends packets, is not.
		for i, s := range f[1:min(len(f), 9)] {
			v, _ := strconv.ParseInt(s, 10, 64)
			t.total += v
			switch i {
			case 0, 1, 2, 7:
				t.busy += v
			}
		}
	}
	return t, found == len(want)
}

// foreign is the share of the CPUs' time between a and b that processes
// other than ours (own ticks) used: 0 on a quiet machine.
func foreign(a, b cpuTimes, own int64) float64 {
	total := b.total - a.total
	if total <= 0 {
		return 0
	}
	return max(0, float64(b.busy-a.busy-own)/float64(total))
}
