package openapi

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// encodeBoth encodes v directly and with a default json.Encoder, and
// fails unless the bytes are the same; the direct encoder may decline
// only what encoding/json refuses.
func encodeBoth[T any](t *testing.T, e *flatEncoder, v T) {
	t.Helper()
	var want bytes.Buffer
	wantErr := json.NewEncoder(&want).Encode(&v)
	got, ok := e.appendJSON(nil, reflect.ValueOf(&v).Elem())
	switch {
	case !ok && wantErr == nil:
		t.Fatalf("%#v: the direct encoder declines what encoding/json writes as %s", v, want.Bytes())
	case !ok:
		return
	case wantErr != nil:
		t.Fatalf("%#v: the direct encoder writes %s, encoding/json fails: %v", v, got, wantErr)
	}
	if got = append(got, '\n'); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("%#v:\n got %s\nwant %s", v, got, want.Bytes())
	}
}

func TestFlatEncoderMatchesEncoder(t *testing.T) {
	scalars := newFlatEncoder(reflect.TypeFor[flatScalars]())
	omitted := newFlatEncoder(reflect.TypeFor[flatOmitted]())
	if scalars == nil || omitted == nil {
		t.Fatal("a flat type has no direct encoder")
	}
	tests := []struct {
		name string
		v    any
	}{
		{"zero values", flatScalars{}},
		{"extremes of every integer kind", flatScalars{I: math.MinInt, I8: math.MinInt8, I16: math.MaxInt16, I32: math.MinInt32,
			I64: math.MaxInt64, U: math.MaxUint, U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64}},
		{"HTML characters and quotes are escaped", flatScalars{S: `<script>alert("x" & 'y')</script>\`}},
		{"control characters, short and long forms", flatScalars{S: "\b\f\n\r\t\x00\x01\x1f\x7f"}},
		{"line and paragraph separators are escaped", flatScalars{S: "a\u2028b\u2029c"}},
		{"invalid UTF-8 becomes \\ufffd byte by byte", flatScalars{S: "a\xffb\xed\xa0\x80c\xe2\x82"}},
		{"valid UTF-8 is kept", flatScalars{S: "é€😀\ufffd"}},
		{"floats switch to exponents below 1e-6", flatScalars{F64: 1e-7, F32: 1e-7}},
		{"floats keep decimals down to 1e-6", flatScalars{F64: 1e-6, F32: 1e-6}},
		{"floats switch to exponents at 1e21", flatScalars{F64: 1e21, F32: 1e21}},
		{"floats keep decimals just below 1e21", flatScalars{F64: 999999999999999900000, F32: 9.99999e20}},
		{"float32 uses its own shortest form", flatScalars{F32: 0.1, F64: float64(float32(0.1))}},
		{"negative exponents and minus zero", flatScalars{F64: -1.5e-300, F32: float32(math.Copysign(0, -1))}},
		{"large exponents", flatScalars{F64: math.MaxFloat64, F32: math.MaxFloat32}},
		{"the smallest floats", flatScalars{F64: math.SmallestNonzeroFloat64, F32: math.SmallestNonzeroFloat32}},
		{"all zero fields omitted is an empty object", flatOmitted{Hid: "x"}},
		{"set fields are kept, escaped keys too", flatOmitted{S: "s", B: true, I: -1, I8: 1, U: 2, F32: 0.5, F64: 0.25, H: "h"}},
		{"minus zero is omitted like zero", flatOmitted{F32: float32(math.Copysign(0, -1)), F64: math.Copysign(0, -1)}},
		{"NaN is left to encoding/json", flatScalars{F64: math.NaN()}},
		{"infinity is left to encoding/json", flatOmitted{F32: float32(math.Inf(-1))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch v := tt.v.(type) {
			case flatScalars:
				encodeBoth(t, scalars, v)
			case flatOmitted:
				encodeBoth(t, omitted, v)
			}
		})
	}
}

func TestFlatEncoderPlans(t *testing.T) {
	type withSlice struct {
		A string   `json:"a"`
		B []string `json:"b"`
	}
	type quoted struct {
		A int `json:"a,string"`
	}
	type named struct {
		A int       `json:"a"`
		B plainName `json:"b"`
	}
	tests := []struct {
		name string
		typ  reflect.Type
		want bool
	}{
		{"scalars of named types without methods have a plan", reflect.TypeFor[named](), true},
		{"a slice field has none", reflect.TypeFor[withSlice](), false},
		{"the string option has none", reflect.TypeFor[quoted](), false},
		{"a json.Number field has none", reflect.TypeFor[struct {
			N json.Number `json:"n"`
		}](), false},
		{"a type that marshals itself has none", reflect.TypeFor[selfEncoding](), false},
		{"a slice has none", reflect.TypeFor[[]string](), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newFlatEncoder(tt.typ) != nil; got != tt.want {
				t.Fatalf("newFlatEncoder(%s) != nil is %v, want %v", tt.typ, got, tt.want)
			}
		})
	}
}

type plainName string

type selfEncoding struct {
	A string `json:"a"`
}

func (selfEncoding) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

func TestFlatEncoderAllocations(t *testing.T) {
	e := newFlatEncoder(reflect.TypeFor[flatScalars]())
	v := reflect.ValueOf(&flatScalars{S: "<Rex>\u2028", I: -3, F32: 1e-7, F64: 2.5, K: "k"}).Elem()
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { e.appendJSON(buf[:0], v) }); n != 0 {
		t.Fatalf("%v allocations, want 0", n)
	}
}

// BenchmarkFlatEncode compares the direct encoder with json.Encoder on
// BenchmarkTypedOperation's output.
func BenchmarkFlatEncode(b *testing.B) {
	v := flatScalars{S: "Rex", K: "dog", I: 3, I64: 42, B: true}
	e := newFlatEncoder(reflect.TypeFor[flatScalars]())
	var buf bytes.Buffer
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, _ := e.appendJSON(buf.AvailableBuffer(), reflect.ValueOf(&v).Elem())
			buf.Write(append(out, '\n'))
			buf.Reset()
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := json.NewEncoder(&buf).Encode(&v); err != nil {
				b.Fatal(err)
			}
			buf.Reset()
		}
	})
}
