package hyperlane

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxHashedFile bounds the files whose ETag is computed from content
// (those without a modification time, such as embedded files).
const maxHashedFile = 8 << 20

// File serves the file at name on the local file system through
// http.ServeContent: Range requests get 206, If-None-Match and
// If-Modified-Since get 304, and the Content-Type comes from the
// extension or the content. A missing file or a directory is 404.
func (c *Context) File(name string) error {
	c.live()
	dir, base := filepath.Split(filepath.Clean(name))
	if dir == "" {
		dir = "."
	}
	return c.FileFS(os.DirFS(dir), base)
}

// FileFS serves name from fsys like File. name is a slash-separated path
// relative to the root of fsys, usually taken from a catch-all parameter;
// a name that would escape the root ("..", an absolute path, a backslash,
// a NUL byte) is 404 and never opened. A directory serves its index.html.
func (c *Context) FileFS(fsys fs.FS, name string) error {
	c.live()
	name = strings.TrimPrefix(name, "/")
	if name == "" {
		name = "."
	}
	if !fs.ValidPath(name) || strings.ContainsAny(name, "\\\x00") {
		return Errorf(http.StatusNotFound, "no file %q", name)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return fileError(name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fileError(name, err)
	}
	if st.IsDir() {
		f.Close()
		name = path.Join(name, "index.html")
		if f, err = fsys.Open(name); err != nil {
			return fileError(name, err)
		}
		defer f.Close()
		if st, err = f.Stat(); err != nil || st.IsDir() {
			return Errorf(http.StatusNotFound, "no file %q", name)
		}
	}
	content, err := seekable(f, st)
	if err != nil {
		return fileError(name, err)
	}
	h := c.w.Header()
	if _, ok := h["Etag"]; !ok {
		if tag, err := etag(content, st); err == nil && tag != "" {
			h.Set("ETag", tag)
		}
	}
	w := c.Writer()
	http.ServeContent(w, c.r, path.Base(name), st.ModTime(), content)
	return nil
}

// Static serves the files of fsys under prefix: GET prefix/{path...}.
func (g *Group) Static(prefix string, fsys fs.FS) {
	g.Get(strings.TrimSuffix(prefix, "/")+"/{path:.*}", func(c *Context) error {
		return c.FileFS(fsys, c.Param("path"))
	})
}

func fileError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid):
		return Errorf(http.StatusNotFound, "no file %q", name)
	case errors.Is(err, fs.ErrPermission):
		return Errorf(http.StatusForbidden, "file %q is not readable", name)
	}
	return fmt.Errorf("serving %q: %w", name, err)
}

// seekable returns f as an io.ReadSeeker, reading it into memory when the
// file system's files cannot seek.
func seekable(f fs.File, st fs.FileInfo) (io.ReadSeeker, error) {
	if rs, ok := f.(io.ReadSeeker); ok {
		return rs, nil
	}
	if st.Size() > maxHashedFile {
		return nil, fmt.Errorf("file of %d bytes cannot seek", st.Size())
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}

// etag derives a strong validator: size and modification time when the
// file has one, otherwise a hash of the content (embedded files have no
// modification time but never change while the binary runs).
func etag(content io.ReadSeeker, st fs.FileInfo) (string, error) {
	if !st.ModTime().IsZero() {
		return fmt.Sprintf(`"%x-%x"`, st.Size(), st.ModTime().UnixNano()), nil
	}
	if st.Size() > maxHashedFile {
		return "", nil
	}
	h := fnv.New64a()
	if _, err := io.Copy(h, content); err != nil {
		return "", err
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return fmt.Sprintf(`"%x-%x"`, st.Size(), h.Sum64()), nil
}
