package broadcast_test

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// The hub is a leaf: backplane modules import it, and neither it nor the
// core package may import the other, so that a backplane never pulls in
// the HTTP framework and the framework never carries the hub.
func TestBroadcastDependencyDirection(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dir       string
		forbidden func(string) bool
	}{
		{"broadcast imports nothing of the module and no HTTP", ".", func(p string) bool {
			return strings.HasPrefix(p, "github.com/hyperlane-go/") || strings.HasPrefix(p, "net/http")
		}},
		{"hyperlane does not import broadcast", "..", func(p string) bool {
			return p == "github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkg, err := build.ImportDir(tc.dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			if i := slices.IndexFunc(pkg.Imports, tc.forbidden); i >= 0 {
				t.Fatalf("package %s imports %s", pkg.Name, pkg.Imports[i])
			}
		})
	}
}
