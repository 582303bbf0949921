package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// pinsJSON lists the pinned npm packages: each one's exact version, the
// registry's sha512 integrity of its tarball (what package-lock.json
// records, `npm view NAME@VERSION dist.integrity`), and the files taken
// from it.
//
//go:embed pins.json
var pinsJSON []byte

// Pin is one npm package, pinned by version and tarball checksum.
type Pin struct {
	Name      string `json:"name"`      // npm name, "@scope/name" allowed
	Version   string `json:"version"`   // exact version
	Integrity string `json:"integrity"` // "sha512-" + base64 of the tarball's SHA-512
	Dir       string `json:"dir"`       // directory under -out that receives Files
	Files     []File `json:"files"`
}

// File is one file taken from a tarball.
type File struct {
	From string `json:"from"` // path inside the tarball, e.g. package/dist/x.js
	To   string `json:"to"`   // file name inside Pin.Dir
}

// parsePins decodes a pin list and checks that every name it writes is a
// plain file or directory name, so that no pin can write outside -out.
func parsePins(b []byte) ([]Pin, error) {
	var pins []Pin
	if err := json.Unmarshal(b, &pins); err != nil {
		return nil, fmt.Errorf("pins: %w", err)
	}
	for i, p := range pins {
		where := fmt.Sprintf("pins[%d] (%s@%s)", i, p.Name, p.Version)
		switch {
		case p.Name == "" || p.Version == "":
			return nil, fmt.Errorf("%s: name and version are required", where)
		case !strings.HasPrefix(p.Integrity, "sha512-"):
			return nil, fmt.Errorf("%s: integrity %q is not a sha512- checksum", where, p.Integrity)
		case !plainName(p.Dir):
			return nil, fmt.Errorf("%s: dir %q must be a plain directory name", where, p.Dir)
		case len(p.Files) == 0:
			return nil, fmt.Errorf("%s: no files to extract", where)
		}
		for _, f := range p.Files {
			if !plainName(f.To) || f.From == "" {
				return nil, fmt.Errorf("%s: file %q -> %q: from is required and to must be a plain file name", where, f.From, f.To)
			}
		}
	}
	return pins, nil
}

func plainName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`) && path.Clean(s) == s
}

// tarballName is the file name npm gives the tarball of p
// ("rapidoc-9.3.8.tgz"; a scope is dropped).
func (p Pin) tarballName() string {
	return path.Base(p.Name) + "-" + p.Version + ".tgz"
}

// tarballURL is where registry serves the tarball of p.
func (p Pin) tarballURL(registry string) string {
	return strings.TrimRight(registry, "/") + "/" + p.Name + "/-/" + p.tarballName()
}
