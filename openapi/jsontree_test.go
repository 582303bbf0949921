package openapi

import (
	"encoding/json"
	"errors"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// treeBodies are documents beyond the check corpus: escapes of every
// kind, long strings, unknown keys holding big values, bad syntax.
var treeBodies = []string{
	`{"name":"\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"}`,
	`{"name":"\ud800x\udc00\ud800\u0041\ude00\ud83d"}`,
	"{\"name\":\"R\xffx\",\"\xfe\":\"\xed\xa0\x80\"}",
	`{"n\u0061me":"Rex","NAME":"x","Name":1}`,
	`{"name":"` + strings.Repeat("é", 100) + `"}`,
	`{"name":"\u00e9` + strings.Repeat("a", 100) + `"}`,
	`{"name":"` + strings.Repeat("\\u00e9", 70) + `"}`,
	`{"name":"Rex","pad":[` + strings.Repeat(`1,"\u0041",{"a":[null]},`, 20) + `true]}`,
	`{"name":"Rex","a":1,"b":"x","c":{"d":1e400}}`,
	`{"name":"Rex","big":1e400}`, `{"name":"Rex","big":-1e400,"x":}`,
	`{"name":"Rex","owner":{"email":"` + strings.Repeat("a", 80) + `@b.co","pet":{"name":"` + strings.Repeat("z", 90) + `"}}}`,
	`{"name":"Rex","tags":["` + strings.Repeat("t", 90) + `","\u0074"]}`,
	`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"name":"Rex","pad":` + strings.Repeat(`{"a":`, 10000) + `1` + strings.Repeat("}", 10000) + `}`,
	`{"name":"\x"}`, `{"name":"\u00"}`, `{"name":"a` + "\x01" + `"}`, `{"name":"Rex"`, `{"name" "Rex"}`, `[1,]`, `01`, `-`, `1.`, `1e`, `tru`, ``, ` `,
	`{"k":"v","x":{"deep":[1,2,3]}}`, `{"a":1,"b":[1],"c":{"x":1}}`,
}

// treeCorpus is every instance of the check corpus, then treeBodies.
func treeCorpus() []string {
	var out []string
	for _, tt := range checkSchemas {
		out = append(out, tt.instances...)
	}
	return append(out, treeBodies...)
}

// sameAsUnmarshal fails when decodeTree without a check differs from
// json.Unmarshal into any: the same value, or an error from both.
func sameAsUnmarshal(t *testing.T, body string) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal([]byte(body), &want)
	var got any
	tr, err := decodeTree([]byte(body), nil, false)
	if err == nil {
		got = tr.doc
		if tr.compact != nil {
			t.Errorf("%.80q: an array is compacted without a check", body)
		}
	}
	switch {
	case (err == nil) != (wantErr == nil):
		t.Errorf("%.80q: decodeTree error %v, encoding/json %v", body, err, wantErr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Errorf("%.80q: decodeTree %v, encoding/json %v", body, got, want)
	case err != nil && errors.As(wantErr, new(*json.SyntaxError)) && !strings.Contains(err.Error(), "malformed JSON at offset"):
		t.Errorf("%.80q: a syntax error words as %q", body, err)
	}
}

// sameVerdict fails when the reference engine, given the tree decodeTree
// builds for vd's check, answers otherwise than given encoding/json's
// full tree: the same verdict and the same details, values echoed
// included, and for the Pet schema a case-folded key when there is one.
func sameVerdict(t *testing.T, vd *validator, body string) {
	t.Helper()
	var full any
	if json.Unmarshal([]byte(body), &full) != nil {
		return
	}
	tr, got, err := vd.validateTree([]byte(body))
	if err != nil {
		t.Errorf("%.80q: validateTree fails: %v", body, err)
		return
	}
	var want []hyperlane.ErrorDetail
	if verr := vd.Validate(full); verr != nil {
		want = validationDetails(verr, inBody, full)
	}
	if len(want) > maxDetails {
		// A 422 lists the first maxDetails; the tree keeps as many items.
		if len(got) < maxDetails {
			t.Errorf("%.80q: %d details on the tree, %d on the whole body", body, len(got), len(want))
		}
	} else if g, w := sortedJSON(got), sortedJSON(want); !slices.Equal(g, w) {
		t.Errorf("%.80q: details on the pruned tree %q, on the full one %q", body, g, w)
	}
	if vd.check == nil || !vd.check.bareRef || vd.check.ref.props["owner"] == nil {
		return // foldedKey runs with the type the schema comes from: Pet's
	}
	pet := reflect.TypeFor[struct {
		Name  string `json:"name"`
		Owner *struct {
			Email string `json:"email"`
		} `json:"owner"`
	}]()
	// Which key comes first depends on map order; whether there is one does not.
	if got, want := foldedKey(tr.doc, pet, tr.compact), foldedKey(full, pet, nil); (got == "") != (want == "") {
		t.Errorf("%.80q: folded key on the pruned tree %q, on the full one %q", body, got, want)
	}
}

// TestTreeMatchesUnmarshal holds decodeTree without a check to
// encoding/json's tree, and its errors to encoding/json's.
func TestTreeMatchesUnmarshal(t *testing.T) {
	for _, body := range treeCorpus() {
		sameAsUnmarshal(t, body)
	}
}

// TestPrunedTreeKeepsVerdicts holds the pruned tree to the full one for
// every schema of the check corpus and every document.
func TestPrunedTreeKeepsVerdicts(t *testing.T) {
	bodies := treeCorpus()
	for _, tt := range checkSchemas {
		t.Run(tt.name, func(t *testing.T) {
			vd := compileCheckSchema(t, tt.schema)
			for _, body := range bodies {
				sameVerdict(t, vd, body)
			}
		})
	}
}

// TestPrunedTreeIsSmall shows what pruning leaves out: unknown keys and
// their values, and all but a prefix of a string that fails maxLength.
func TestPrunedTreeIsSmall(t *testing.T) {
	vd := compileCheckSchema(t, checkSchemas[0].schema)
	long := strings.Repeat("a", 1<<20)
	body := `{"name":"\u0041` + long + `","pad":[` + strings.Repeat(`1,`, 1000) + `1],"NAME":{"x":"` + long + `"}}`
	tr, err := decodeTree([]byte(body), vd.check, false)
	if err != nil {
		t.Fatal(err)
	}
	m := tr.doc.(map[string]any)
	if _, ok := m["pad"]; ok {
		t.Error("an unconstrained unknown key is kept")
	}
	if v, ok := m["NAME"]; !ok || v != nil {
		t.Errorf("a key folding onto a property is %v, %v; want kept as null", v, ok)
	}
	if name := m["name"].(string); len(name) != maxEcho+1 || !strings.HasPrefix(name, "Aaa") {
		t.Errorf("the long name is kept as %d bytes, want its first %d", len(name), maxEcho+1)
	}
}

// FuzzTreeDecode holds decodeTree to encoding/json, and the pruned tree
// to the full one, for any document.
func FuzzTreeDecode(f *testing.F) {
	for _, body := range treeCorpus() {
		if len(body) < 4096 {
			f.Add(body)
		}
	}
	vd := compileCheckSchema(f, checkSchemas[0].schema)
	closed := compileCheckSchema(f, `{"type":"object","properties":{"a":{"type":"string","maxLength":3}},"additionalProperties":false}`)
	arrays := compileCheckSchema(f, checkSchemas[slices.IndexFunc(checkSchemas, func(s checkSchema) bool { return s.name == "arrays of bounded items" })].schema)
	f.Fuzz(func(t *testing.T, body string) {
		sameAsUnmarshal(t, body)
		sameVerdict(t, vd, body)
		sameVerdict(t, closed, body)
		sameVerdict(t, arrays, body)
	})
}

func sortedJSON(details []hyperlane.ErrorDetail) []string {
	var out []string
	for _, d := range details {
		b, _ := json.Marshal(d)
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}
