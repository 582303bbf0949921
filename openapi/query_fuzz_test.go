package openapi

import (
	"net/url"
	"testing"
)

// FuzzQueryValue holds the binder's fast query lookup to url.ParseQuery,
// which net/http's Request.URL.Query and Context.QueryValues use: for any
// raw query and name, both find the same first value, or both none.
func FuzzQueryValue(f *testing.F) {
	for _, seed := range [][2]string{
		{"limit=5", "limit"}, {"a=1&limit=2&limit=3", "limit"}, {"lim%69t=4", "limit"},
		{"limit=%zz&limit=7", "limit"}, {"limit=1;x&limit=2", "limit"}, {"limit", "limit"},
		{"limit=a+b%20c", "limit"}, {"&&limit=&", "limit"}, {"a+b=1", "a b"}, {"%=1&x=2", "x"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, raw, name string) {
		got, ok := queryValue(raw, name)
		vals, _ := url.ParseQuery(raw)
		want, wantOK := "", false
		if v := vals[name]; len(v) > 0 {
			want, wantOK = v[0], true
		}
		if got != want || ok != wantOK {
			t.Fatalf("queryValue(%q, %q) = %q, %v; url.ParseQuery gives %q, %v", raw, name, got, ok, want, wantOK)
		}
	})
}
