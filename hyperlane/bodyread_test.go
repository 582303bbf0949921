package hyperlane

import (
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadBodyMemory bounds what reading a body costs: with a declared
// length the buffer ends at the body's size (not the next power of two)
// and all the growing allocates under twice the body; without one it
// doubles; a body that promises much and sends little gets little.
func TestReadBodyMemory(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		declared int64
		maxAlloc float64 // allocated / size
		maxCap   float64 // final capacity / size
	}{
		{"a declared 1 MiB body ends in a 1 MiB buffer", 1 << 20, 1 << 20, 2.0, 1.01},
		{"a declared 3 MB body ends in a 3 MB buffer", 3_000_000, 3_000_000, 2.0, 1.01},
		{"a declared small body is one allocation of its size", 100, 100, 2, 1.5},
		{"an undeclared body doubles", 1 << 20, -1, 4.1, 2.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Repeat("a", tt.size)
			var buf []byte
			var err error
			allocated := leastAllocated(func() {
				buf, err = readBody(iotest.HalfReader(strings.NewReader(body)), nil, tt.declared)
			})
			if err != nil || string(buf) != body {
				t.Fatalf("read %d bytes, err %v", len(buf), err)
			}
			alloc := float64(allocated) / float64(tt.size)
			capacity := float64(cap(buf)) / float64(tt.size)
			if alloc > tt.maxAlloc || capacity > tt.maxCap {
				t.Errorf("allocated %.2fx the body, capacity %.2fx; want at most %.2fx and %.2fx", alloc, capacity, tt.maxAlloc, tt.maxCap)
			}
		})
	}
	t.Run("a promise of 8 MiB with one byte sent costs one first chunk", func(t *testing.T) {
		var err error
		got := leastAllocated(func() {
			_, err = readBody(io.MultiReader(strings.NewReader("a"), iotest.ErrReader(io.ErrUnexpectedEOF)), nil, 8<<20)
		})
		if err == nil {
			t.Fatal("a broken body read without error")
		}
		if got > 2*firstBodyChunk {
			t.Errorf("allocated %d bytes for a 1-byte body declared 8 MiB, want at most %d", got, 2*firstBodyChunk)
		}
	})
}

// leastAllocated runs f several times and returns the fewest bytes the
// process allocated during one run. TotalAlloc counts every goroutine, and
// tests running in parallel only ever add to it, so the least of a few
// runs is f's own cost.
func leastAllocated(f func()) uint64 {
	least := ^uint64(0)
	for range 8 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}
