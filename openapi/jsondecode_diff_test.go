package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"reflect"
	"strings"
	"testing"
)

// flatPet has every kind the direct decoder handles, the key spellings
// encoding/json allows, and fields it leaves to encoding/json.
type flatPet struct {
	Name    string   `json:"name"`
	Tag     string   `json:"tag,omitempty"`
	Age     int      `json:"age"`
	Small   int8     `json:"small"`
	Count   uint16   `json:"count"`
	Big     uint64   `json:"big"`
	Score   float64  `json:"score"`
	Ratio   float32  `json:"ratio"`
	OK      bool     `json:"ok"`
	Kelvin  string   `json:"kelvin"`
	Plain   string   // key "Plain"
	Skipped string   `json:"-"`
	List    []string `json:"list"`
	Quoted  int      `json:"quoted,string"`
	Ptr     *int     `json:"ptr"`
	Num     json.Number
	hidden  string

	// Tags spelled oddly on purpose; staticcheck flags them as malformed.
	//lint:ignore SA5008 "-," is how encoding/json names a key "-"
	Dash string `json:"-,"` // key "-"
	//lint:ignore SA5008 an invalid key name, which encoding/json ignores
	Odd string `json:"a\"b"` // key "Odd"
}

// seeded is a flatPet with a value in every field, so that tests see
// which fields a body leaves alone.
func seeded() flatPet {
	n := 5
	return flatPet{Name: "before", Tag: "t", Age: -1, Small: 1, Count: 2, Big: 3, Score: 0.5, Ratio: 0.25,
		OK: true, Kelvin: "k", Plain: "p", Dash: "d", Skipped: "s", Odd: "o", List: []string{"x"}, Quoted: 9,
		Ptr: &n, Num: "1", hidden: "h"}
}

// decodeBoth decodes body into a copy of init as bindJSON does (direct,
// then json.Unmarshal when the direct path is not done) and into
// another copy with json.Unmarshal alone, and fails unless both give the
// same fields and the same error.
func decodeBoth[T any](t *testing.T, d *flatDecoder, body []byte, init T) (done bool) {
	t.Helper()
	got, want := init, init
	done = d.decode(body, reflect.ValueOf(&got).Elem())
	var gotErr error
	if !done {
		gotErr = json.Unmarshal(body, &got)
	}
	wantErr := json.Unmarshal(body, &want)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("body %q: error %v (direct done: %v), json.Unmarshal alone: %v", body, gotErr, done, wantErr)
	}
	if done && !json.Valid(body) {
		t.Fatalf("body %q: the direct path is done with invalid JSON", body)
	}
	var syn *json.SyntaxError
	if errors.As(wantErr, &syn) {
		return done // the request fails with 400; the target is dropped
	}
	if !done {
		mismatchAgrees(t, d, body, init, wantErr)
	}
	if g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want); g != w {
		t.Fatalf("body %q (direct done: %v):\n got %s\nwant %s", body, done, g, w)
	}
	return done
}

func TestFlatDecoderMatchesUnmarshal(t *testing.T) {
	d := newFlatDecoder(reflect.TypeFor[flatPet]())
	if d == nil {
		t.Fatal("flatPet has no direct decoder")
	}
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name string
		body string
		done bool
	}{
		{"exact keys set their fields", `{"name":"Rex","tag":"dog","age":3,"small":-128,"count":65535,"big":18446744073709551615,"score":2.5e-3,"ratio":1.5,"ok":false}`, true},
		{"an untagged field goes by its Go name", `{"Plain":"x"}`, true},
		{`a tag "-," names the key "-"`, `{"-":"x"}`, true},
		{`a field tagged "-" is an unknown key`, `{"Skipped":"x"}`, true},
		{"a field with an invalid tag name goes by its Go name", `{"Odd":"x"}`, true},
		{"an unexported field is an unknown key", `{"hidden":"x"}`, true},
		{"unknown keys are skipped, nested values too", `{"x":{"a":[1,{"b":null},true,"s",-0.5e+3],"c":{}},"y":[],"name":"Rex"}`, true},
		{"the last of duplicate keys wins", `{"name":"a","age":1,"name":"b"}`, true},
		{"null leaves each scalar as it was", `{"name":null,"age":null,"ok":null,"score":null}`, true},
		{"the empty object changes nothing", `{}`, true},
		{"whitespace anywhere", " \t\n{ \"name\" : \"Rex\" ,\r\n\"age\":\t7 } \n", true},
		{"the smallest int64", `{"big":0,"age":-9223372036854775808}`, true},
		{"minus zero is an integer zero", `{"age":-0}`, true},
		{"minus zero stays a negative float", `{"score":-0,"ratio":-0.0}`, true},
		{"floats round as strconv does", `{"score":0.1,"ratio":0.1,"small":0}`, true},
		{"a valid U+FFFD and other UTF-8 are kept", `{"name":"é€😀` + "\uFFFD" + `"}`, true},
		{"a non-ASCII key that folds onto no field is skipped", `{"ñ":1,"名前":"x"}`, true},
		{"invalid UTF-8 in an unknown key or value is skipped", "{\"\xff\":\"\xfe\",\"name\":\"ok\"}", true},

		{"a case-folded key falls back", `{"name":"a","NAME":"b"}`, false},
		{"a key with a Kelvin sign folds onto k", `{"` + "\u212A" + `elvin":"x"}`, false},
		{"a key with a long s folds onto s", `{"` + "\u017F" + `core":1}`, false},
		{"a folded untagged key falls back", `{"plain":"x"}`, false},
		{"a fraction for an int falls back", `{"name":"a","age":1.5}`, false},
		{"an exponent for an int falls back", `{"age":1e2}`, false},
		{"int8 overflow falls back", `{"small":128}`, false},
		{"int overflow falls back", `{"age":9223372036854775808}`, false},
		{"a number beyond uint64 falls back", `{"big":18446744073709551616}`, false},
		{"a negative unsigned falls back", `{"count":-1}`, false},
		{"minus zero unsigned falls back", `{"count":-0}`, false},
		{"uint16 overflow falls back", `{"count":65536}`, false},
		{"float32 overflow falls back", `{"ratio":1e39}`, false},
		{"float64 overflow falls back", `{"score":1e400}`, false},
		{"a string for an int falls back", `{"age":"3"}`, false},
		{"a number for a string falls back", `{"name":3}`, false},
		{"a bool for a number falls back", `{"score":true}`, false},
		{"an object for an int falls back", `{"age":{"a":[1]}}`, false},
		{"an array for a string falls back", `{"name":[1,"x"]}`, false},
		{"a number for a bool falls back", `{"ok":1}`, false},
		{"the first of two mismatches is reported", `{"name":"a","age":"3","score":1e400}`, false},
		{"a mismatch after a folded key falls back", `{"NAME":"a","age":1.5}`, false},
		{"an object for a string falls back", `{"name":{"a":1}}`, false},
		{"an array for an int falls back", `{"age":[1]}`, false},
		{"an escaped string decodes directly", `{"name":"a\nb"}`, true},
		{"every escape decodes as encoding/json's", `{"name":"\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"}`, true},
		{"a lone or reversed surrogate escape decodes to U+FFFD", `{"name":"\ud800x\udc00\ud800\u0041\ude00\ud83d"}`, true},
		{"invalid UTF-8 in a field's string decodes to U+FFFD", "{\"name\":\"R\xffx\"}", true},
		{"a surrogate encoded in UTF-8 decodes to U+FFFD", "{\"name\":\"\xed\xa0\x80\"}", true},
		{"an escaped key falls back", `{"n\u0061me":"a"}`, false},
		{"a bad escape falls back", `{"name":"\x"}`, false},
		{"a short unicode escape falls back", `{"name":"\u00"}`, false},
		{"a slice field falls back", `{"name":"a","list":["b"]}`, false},
		{"a pointer field falls back, even for null", `{"ptr":null}`, false},
		{"a field with the string option falls back", `{"quoted":"7"}`, false},
		{"a json.Number field falls back", `{"Num":12}`, false},
		{"an array document falls back", `[]`, false},
		{"a null document falls back", `null`, false},
		{"nesting at encoding/json's limit is skipped", `{"x":` + deep(9999) + `}`, true},
		{"nesting beyond encoding/json's limit falls back", `{"name":"a","x":` + deep(10000) + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if done := decodeBoth(t, d, []byte(tt.body), seeded()); done != tt.done {
				t.Fatalf("body %q: direct done = %v, want %v", tt.body, done, tt.done)
			}
		})
	}
}

func TestFlatDecoderPlans(t *testing.T) {
	type embedded struct{ A string }
	type withEmbedded struct {
		embedded
		B string `json:"b"`
	}
	// Built at run time: go vet refuses such tags in source.
	str := reflect.TypeFor[string]()
	conflict := reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: str, Tag: `json:"x"`}, {Name: "B", Type: str, Tag: `json:"x"`}})
	untaggedConflict := reflect.StructOf([]reflect.StructField{
		{Name: "X", Type: str}, {Name: "Y", Type: str, Tag: `json:"X"`}})
	type flat struct {
		A string `json:"a"`
		B []int  `json:"b"`
	}
	tests := []struct {
		name string
		typ  reflect.Type
		want bool
	}{
		{"a struct of scalars and others has a plan", reflect.TypeFor[flat](), true},
		{"an embedded struct has none", reflect.TypeFor[withEmbedded](), false},
		{"two fields with one key have none", conflict, false},
		{"a tag naming another field's key has none", untaggedConflict, false},
		{"a type that unmarshals itself has none", reflect.TypeFor[selfDecoding](), false},
		{"a text unmarshaler has none", reflect.TypeFor[textDecoding](), false},
		{"a pointer has none", reflect.TypeFor[*flat](), false},
		{"a map has none", reflect.TypeFor[map[string]string](), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newFlatDecoder(tt.typ) != nil; got != tt.want {
				t.Fatalf("newFlatDecoder(%s) != nil is %v, want %v", tt.typ, got, tt.want)
			}
		})
	}
}

type selfDecoding struct {
	A string `json:"a"`
}

func (s *selfDecoding) UnmarshalJSON([]byte) error { s.A = "custom"; return nil }

type textDecoding struct {
	A string `json:"a"`
}

func (s *textDecoding) UnmarshalText([]byte) error { s.A = "custom"; return nil }

// TestFlatDecoderAllocations: numbers and booleans cost nothing; each
// string field costs its string, as with encoding/json.
func TestFlatDecoderAllocations(t *testing.T) {
	d := newFlatDecoder(reflect.TypeFor[flatPet]())
	tests := []struct {
		name string
		body string
		want float64
	}{
		{"scalars only", `{"age":3,"small":-4,"count":5,"big":6,"score":1.25,"ratio":-2.5e-3,"ok":true,"x":{"y":[1,"z"]}}`, 0},
		{"a long float literal", `{"score":3.14159265358979323846264338327950288419716939937510}`, 0},
		{"two strings", `{"name":"Rex","tag":"dog","age":3}`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p flatPet
			v := reflect.ValueOf(&p).Elem()
			body := []byte(tt.body)
			got := testing.AllocsPerRun(100, func() {
				if !d.decode(body, v) {
					t.Fatalf("body %s is not decoded directly", body)
				}
			})
			if got != tt.want {
				t.Fatalf("%v allocations, want %v", got, tt.want)
			}
		})
	}
}

// BenchmarkFlatDecode compares the direct decoder with json.Unmarshal on
// BenchmarkTypedOperation's body.
func BenchmarkFlatDecode(b *testing.B) {
	body := []byte(`{"name":"Rex","tag":"dog","age":3}`)
	d := newFlatDecoder(reflect.TypeFor[flatPet]())
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p flatPet
			if !d.decode(body, reflect.ValueOf(&p).Elem()) {
				b.Fatal("not decoded directly")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p flatPet
			if err := json.Unmarshal(body, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// mismatchAgrees fails when the direct decoder's mismatch finds a type
// error in body that is not the detail bindDoubtful makes of err, the
// error of json.Unmarshal into a T.
func mismatchAgrees[T any](t *testing.T, d *flatDecoder, body []byte, init T, err error) {
	t.Helper()
	got, ok := d.mismatch(body, reflect.ValueOf(&init).Elem())
	if !ok {
		return
	}
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		t.Fatalf("body %q: mismatch finds %v, json.Unmarshal returns %v", body, got, err)
	}
	want := hyperlane.ErrorDetail{Location: locate(inBody, []string{typ.Field}),
		Message: fmt.Sprintf("must be %s, got %s", typePhrase(typ.Type), quote([]byte(typ.Value)))}
	if got != want {
		t.Fatalf("body %q: mismatch finds %+v, json.Unmarshal's error makes %+v", body, got, want)
	}
}
