// Command uiassets fetches the documentation UIs that are not Go modules
// (RapiDoc) from the npm registry, each pinned by version and by the
// registry's sha512 checksum of its tarball, and unpacks the files the
// app serves into one directory per package:
//
//	go run ./scripts/uiassets                  # make ui-assets; writes ui-assets/rapidoc/
//	go run ./scripts/uiassets -out DIR         # elsewhere
//	go run ./scripts/uiassets -from DIR        # no network: DIR holds rapidoc-9.3.8.tgz
//
// It needs only Go: no npm. A directory already holding the pinned files
// unchanged is left alone, with no download. A tarball whose checksum
// differs from the pin is refused and nothing is written. The pins are
// pins.json beside this file; a package is added by adding an entry
// (name, version, integrity from `npm view NAME@VERSION dist.integrity`,
// dir, files). The registry is -registry, or npm's own
// npm_config_registry, or https://registry.npmjs.org.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"
)

// DefaultRegistry is the public npm registry.
const DefaultRegistry = "https://registry.npmjs.org"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui-assets:", err)
		os.Exit(1)
	}
}

// run parses the flags and installs every pin.
func run(ctx context.Context, args []string, log io.Writer) error {
	fs := flag.NewFlagSet("uiassets", flag.ContinueOnError)
	fs.SetOutput(log)
	f := &fetcher{log: log, client: &http.Client{Timeout: 2 * time.Minute}}
	fs.StringVar(&f.out, "out", "ui-assets", "directory receiving one subdirectory per package")
	fs.StringVar(&f.registry, "registry",
		cmp.Or(os.Getenv("npm_config_registry"), os.Getenv("NPM_CONFIG_REGISTRY"), DefaultRegistry), "npm registry base URL")
	fs.StringVar(&f.from, "from", "", "read NAME-VERSION.tgz files from this directory instead of the registry")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	pins, err := parsePins(pinsJSON)
	if err != nil {
		return err
	}
	for _, p := range pins {
		if err := f.install(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
