package openapitest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// CheckFile fails the test when file, a checked-in copy of the document
// (an api.yaml that SDK generators or reviewers read), differs from what
// h serves at docPath ("/openapi.yaml", "/openapi.json"). The message is
// a short unified diff (checked-in file -, served document +) and the
// command that regenerates the file, such as "make api.yaml".
func CheckFile(t testing.TB, h http.Handler, docPath, file, regenerate string) {
	t.Helper()
	committed, err := os.ReadFile(file) // #nosec G304 -- the test names its own checked-in file
	if err != nil {
		t.Errorf("openapitest: reading %s: %v; create it with `%s`", file, err, regenerate)
		return
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, docPath, nil))
	if w.Code != http.StatusOK {
		t.Errorf("openapitest: GET %s answered %d, not the document: %s", docPath, w.Code, excerpt(w.Body.Bytes()))
		return
	}
	if diff := unifiedDiff(file, "GET "+docPath, string(committed), w.Body.String(), maxDiffLines); diff != "" {
		t.Errorf("openapitest: %s differs from the document served at %s; run `%s` and review the change:\n%s", file, docPath, regenerate, diff)
	}
}

// maxDiffLines bounds the diff in a message: enough to see the change.
const maxDiffLines = 40
