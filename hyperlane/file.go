package hyperlane

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// maxHashedFile bounds the files whose ETag is computed from content
// (those without a modification time, such as embedded files).
const maxHashedFile = 8 << 20

// File serves the file at name on the local file system through
// http.ServeContent: Range requests get 206, If-None-Match and
// If-Modified-Since get 304, and the Content-Type comes from the
// extension or the content. A missing file or a directory is 404.
//
// name is a path of the server's choosing, opened as os.Open would,
// symbolic links included. Never build it from the request: serve names
// a client chooses with Static, or FileFS over an os.Root.
func (c *Context) File(name string) error {
	if !c.live() {
		return ErrContextReleased
	}
	dir, base := filepath.Split(filepath.Clean(name))
	if dir == "" {
		dir = "."
	}
	return c.FileFS(os.DirFS(dir), base)
}

// FileFS serves name from fsys like File. name is a slash-separated path
// relative to the root of fsys, usually taken from a catch-all parameter;
// a name that would escape the root ("..", a backslash, a NUL byte) is 404
// and never opened, and a leading "/" is relative to the root. A
// directory serves its index.html; a name ending in "/" must be a
// directory ("hello.txt/" is 404, as open(2) refuses it). Files without a
// modification time, such as embedded ones, get an ETag from their
// content.
//
// What a name can reach is then up to fsys: the root FS of an os.Root
// (os.OpenRoot(dir) then FS(), as Static does) never leaves dir, symbolic
// links included, and embed.FS holds no links; os.DirFS follows links
// wherever they point, so a link in the directory serves its target.
//
// The file is streamed: the response is committed, response middleware
// sees the status but can no longer change the response.
func (c *Context) FileFS(fsys fs.FS, name string) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	dirOnly := strings.HasSuffix(name, "/")
	name = strings.TrimSuffix(strings.TrimPrefix(name, "/"), "/")
	if name == "" {
		name = "."
	}
	if !fs.ValidPath(name) || strings.ContainsAny(name, "\\\x00") {
		return Errorf(http.StatusNotFound, "no file %q", name)
	}
	f, st, err := openFile(fsys, name, dirOnly)
	if err != nil {
		return err
	}
	defer f.Close()
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
	c.setBy(termFile)
	c.RawWriter()
	c.status = 0
	http.ServeContent((*streamWriter)(c), c.r, path.Base(st.Name()), st.ModTime(), content)
	return nil
}

// openFile opens name in fsys, or the index.html of a directory. With
// dirOnly (the request named it with a trailing slash) a file is 404.
func openFile(fsys fs.FS, name string, dirOnly bool) (fs.File, fs.FileInfo, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, fileError(name, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, fileError(name, err)
	}
	if !st.IsDir() {
		if dirOnly {
			_ = f.Close()
			return nil, nil, Errorf(http.StatusNotFound, "no directory %q", name+"/")
		}
		return f, st, nil
	}
	_ = f.Close()
	name = path.Join(name, "index.html")
	if f, err = fsys.Open(name); err != nil {
		return nil, nil, fileError(name, err)
	}
	if st, err = f.Stat(); err != nil || st.IsDir() {
		_ = f.Close()
		return nil, nil, Errorf(http.StatusNotFound, "no file %q", name)
	}
	return f, st, nil
}

// Static serves the files under the directory dir at prefix: GET
// prefix/{path...}, through FileFS. dir is opened once, as an os.Root,
// so that nothing outside it is ever served: "..", and a symbolic link
// that leads out of dir, are 404; a relative link that stays inside dir
// works (os.Root refuses every absolute link, even one inside). The
// Root stays open as long as the route exists. Static panics when dir
// cannot be opened, as a malformed route does.
func (g *Group) Static(prefix, dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		panic("hyperlane: Static " + quote(prefix) + ": " + err.Error())
	}
	g.StaticFS(prefix, root.FS())
}

// StaticFS serves the files of fsys under prefix: GET prefix/{path...},
// through FileFS. It suits file systems without links, such as embed.FS;
// for a directory on disk use Static: an os.DirFS would follow a link to
// anywhere (see FileFS).
func (g *Group) StaticFS(prefix string, fsys fs.FS) {
	g.Get(strings.TrimSuffix(prefix, "/")+"/{path:.*}", func(c *Context) error {
		return c.FileFS(fsys, c.Param("path"))
	})
}

func fileError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid), escapesRoot(err),
		// Names no file can have: too long, a file used as a directory,
		// a symbolic link loop. Not the server's fault, and not a 500.
		errors.Is(err, syscall.ENAMETOOLONG), errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ELOOP):
		return Errorf(http.StatusNotFound, "no file %q", name)
	case errors.Is(err, fs.ErrPermission):
		return Errorf(http.StatusForbidden, "file %q is not readable", name)
	}
	return fmt.Errorf("serving %q: %w", name, err)
}

// escapesRoot reports an os.Root refusing a name that leads out of it,
// through ".." or a symbolic link. os does not export that error, so it
// is known by its text; should the text change, such a name would be a
// 500, and still never served (TestStaticNeverLeavesItsRoot).
func escapesRoot(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Err != nil && pe.Err.Error() == "path escapes from parent"
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

// fileChunk bounds one write of a streamed file, so that the write-idle
// deadline is renewed while a large file goes to a slow client.
const fileChunk = 1 << 20

// streamWriter is the writer files are served through: writes go
// straight to the client, the status is recorded in the Context for
// response middleware and access logs, and the write deadline is renewed
// before every write. Like bufferedWriter it is the Context handle under
// another type, holding no state of its own.
type streamWriter Context

func (s *streamWriter) ctx() *Context { return (*Context)(s) }

func (s *streamWriter) Header() http.Header { return s.w.Header() }

func (s *streamWriter) WriteHeader(code int) {
	if code == http.StatusRequestedRangeNotSatisfiable && s.status == 0 {
		s.rangeProblem()
		return
	}
	if code >= 200 && s.status == 0 {
		s.status = code
	}
	s.w.WriteHeader(code)
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if s.status == http.StatusRequestedRangeNotSatisfiable {
		return len(p), nil // http.Error's text, replaced by rangeProblem
	}
	if s.status == 0 {
		s.status = http.StatusOK
	}
	s.ctx().extendWriteDeadline()
	return s.w.Write(p)
}

// ReadFrom keeps net/http's sendfile path for files on disk, in chunks
// of fileChunk bytes with the deadline renewed before each.
func (s *streamWriter) ReadFrom(r io.Reader) (int64, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	c := s.ctx()
	rf, ok := c.w.(io.ReaderFrom)
	if !ok {
		c.extendWriteDeadline()
		return io.Copy(writerOnly{c.w}, r)
	}
	lr, ok := r.(*io.LimitedReader)
	if !ok {
		lr = &io.LimitedReader{R: r, N: 1<<63 - 1}
	}
	var total int64
	for lr.N > 0 {
		c.extendWriteDeadline()
		chunk := &io.LimitedReader{R: lr.R, N: min(lr.N, fileChunk)}
		n, err := rf.ReadFrom(chunk)
		total += n
		lr.N -= n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}

// rangeProblem answers a Range that matches no byte of the file as every
// other refusal is answered, application/problem+json, where
// http.ServeContent sends text/plain through http.Error; the
// Content-Range it set ("bytes */size") stays, and the text it writes
// next is dropped.
func (s *streamWriter) rangeProblem() {
	c := s.ctx()
	const status = http.StatusRequestedRangeNotSatisfiable
	body, err := json.Marshal(&HTTPError{Type: "about:blank", Status: status, Title: http.StatusText(status),
		Detail:   "the Range matches no byte of the file; its size is in Content-Range",
		Instance: MountPrefix(c.r) + c.r.URL.Path})
	if err != nil {
		body = nil // HTTPError of strings and an int always encodes
	}
	h := c.w.Header()
	h["Content-Type"] = valProblem
	h.Set("Content-Length", strconv.Itoa(len(body)))
	s.status = status
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// Unwrap returns the client's writer, for http.ResponseController.
func (s *streamWriter) Unwrap() http.ResponseWriter { return s.w }

// writerOnly hides a writer's ReadFrom, so io.Copy does not call it back.
type writerOnly struct{ io.Writer }
