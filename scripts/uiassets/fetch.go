package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Bounds on what a tarball may make the tool read.
const (
	maxTarball = 64 << 20
	maxFile    = 32 << 20
)

// stampName is the file, in each package directory, that records which
// pin filled it and the SHA-256 of every file taken.
const stampName = ".pin"

// fetcher installs pinned packages under out.
type fetcher struct {
	out      string       // directory receiving one subdirectory per pin
	registry string       // npm registry base URL
	from     string       // if set, read NAME-VERSION.tgz from here instead
	client   *http.Client // for the registry
	log      io.Writer    // one line per package
}

// install makes out/DIR hold the files of p, from a tarball whose
// checksum is p.Integrity. A directory already holding them, unchanged
// (its stamp matches), is left alone without any download.
func (f *fetcher) install(ctx context.Context, p Pin) error {
	dest := filepath.Join(f.out, p.Dir)
	if current(dest, p) {
		fmt.Fprintf(f.log, "ui-assets: %s@%s is in %s\n", p.Name, p.Version, dest)
		return nil
	}
	tgz, src, err := f.tarball(ctx, p)
	if err != nil {
		return fmt.Errorf("%s@%s: %w", p.Name, p.Version, err)
	}
	if err := verify(tgz, p.Integrity); err != nil {
		return fmt.Errorf("%s@%s from %s: %w", p.Name, p.Version, src, err)
	}
	files, err := extract(tgz, p.Files)
	if err != nil {
		return fmt.Errorf("%s@%s from %s: %w", p.Name, p.Version, src, err)
	}
	if err := replaceDir(dest, files, stamp(p, files)); err != nil {
		return fmt.Errorf("%s@%s: %w", p.Name, p.Version, err)
	}
	fmt.Fprintf(f.log, "ui-assets: %s@%s from %s (%s verified) into %s\n", p.Name, p.Version, src, p.Integrity[:len("sha512-")+12]+"...", dest)
	return nil
}

// tarball reads the package's tarball from f.from or downloads it, and
// says where it came from.
func (f *fetcher) tarball(ctx context.Context, p Pin) ([]byte, string, error) {
	if f.from != "" {
		name := filepath.Join(f.from, p.tarballName())
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, "", fmt.Errorf("reading the tarball: %w", err)
		}
		return b, name, nil
	}
	u := p.tarballURL(f.registry)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", fmt.Errorf("download: %w", err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("download (no network? copy %s into a directory and pass -from DIR): %w", p.tarballName(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("download %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxTarball+1))
	if err != nil {
		return nil, "", fmt.Errorf("download %s: %w", u, err)
	}
	if len(b) > maxTarball {
		return nil, "", fmt.Errorf("download %s: larger than %d bytes", u, maxTarball)
	}
	return b, u, nil
}

// verify checks b against an npm "sha512-BASE64" integrity string.
func verify(b []byte, integrity string) error {
	sum := sha512.Sum512(b)
	got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	if got != integrity {
		return fmt.Errorf("checksum mismatch: the pin says %s, the tarball is %s; nothing was written", integrity, got)
	}
	return nil
}

// extract returns the content of each wanted regular file of a .tgz,
// keyed by its File.To name; a wanted file missing is an error.
func extract(tgz []byte, want []File) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("not a gzip tarball: %w", err)
	}
	byPath := map[string]string{}
	for _, w := range want {
		byPath[w.From] = w.To
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the tarball: %w", err)
		}
		to, ok := byPath[h.Name]
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxFile+1))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", h.Name, err)
		}
		if len(b) > maxFile {
			return nil, fmt.Errorf("%s: larger than %d bytes", h.Name, maxFile)
		}
		out[to] = b
	}
	for _, w := range want {
		if _, ok := out[w.To]; !ok {
			return nil, fmt.Errorf("the tarball has no regular file %s", w.From)
		}
	}
	return out, nil
}

// stamp records the pin and the SHA-256 of every file taken.
func stamp(p Pin, files map[string][]byte) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%s %s\n", p.Name, p.Version, p.Integrity)
	for _, f := range p.Files {
		sum := sha256.Sum256(files[f.To])
		fmt.Fprintf(&b, "%s %s\n", hex.EncodeToString(sum[:]), f.To)
	}
	return []byte(b.String())
}

// current reports whether dest holds exactly the files of p as a
// previous run left them.
func current(dest string, p Pin) bool {
	files := map[string][]byte{}
	for _, f := range p.Files {
		b, err := os.ReadFile(filepath.Join(dest, f.To))
		if err != nil {
			return false
		}
		files[f.To] = b
	}
	have, err := os.ReadFile(filepath.Join(dest, stampName))
	return err == nil && bytes.Equal(have, stamp(p, files))
}

// replaceDir writes files and the stamp into a new directory beside dest,
// then puts it in dest's place, so that dest is never half written.
func replaceDir(dest string, files map[string][]byte, stamp []byte) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("creating the output directory: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, stampName), stamp, 0o644); err != nil {
		return fmt.Errorf("writing the stamp: %w", err)
	}
	if err := os.RemoveAll(dest); err != nil {
		return fmt.Errorf("removing the old %s: %w", dest, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("moving the files into %s: %w", dest, err)
	}
	return nil
}
