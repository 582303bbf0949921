package openapi

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// flatScalars has one field of each kind, untagged names included.
type flatScalars struct {
	S   string
	B   bool
	I   int
	I8  int8
	I16 int16
	I32 int32
	I64 int64
	U   uint
	U8  uint8
	U16 uint16
	U32 uint32
	U64 uint64
	F32 float32
	F64 float64
	K   string `json:"k"`
	LS  string `json:"s"`
}

// FuzzFlatDecode holds the direct decoder to json.Unmarshal: for any
// body, decoding as bindJSON does (direct, then json.Unmarshal when the
// direct path is not done) gives the same fields and error as
// json.Unmarshal alone, and the direct path is done only with valid
// JSON.
func FuzzFlatDecode(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Rex","tag":"dog","age":3,"score":1.5,"ratio":-2e-3,"ok":true}`,
		`{"S":"x","B":false,"I":-1,"I8":-128,"I16":32767,"I32":1,"I64":-9223372036854775808,"U":0,"U8":255,"U16":1,"U32":4294967295,"U64":18446744073709551615,"F32":3.4e38,"F64":1e308}`,
		`{"name":"a","name":"b","age":null}`,
		`{"NAME":"x","` + "\u212A" + `":1,"` + "\u017F" + `":2,"i8":1,"Plain":"p"}`,
		`{"age":1.5,"small":1e2,"count":-0,"big":18446744073709551616}`,
		`{"ratio":1e39,"F32":3.5e38,"score":-0}`,
		`{"x":{"a":[1,{"b":null},true,"s",-0.5e+3]},"y":[],"z":{}}`,
		"{\"name\":\"\xff\",\"\xfe\":1,\"S\":\"\xed\xa0\x80\"}",
		`{"name":"a\nb","S":"\u00e9"}`,
		`{"list":["a"],"ptr":null,"quoted":"1","Num":1}`,
		`{"-":"d","Skipped":"s","Odd":"o","hidden":"h"}`,
		`{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
		`[]`, `null`, `{}`, ` {"name" : "x" } `, `{"name":"x"} x`, `{"name":"x",}`, `{"name"}`,
	} {
		f.Add([]byte(seed))
	}
	pets := newFlatDecoder(reflect.TypeFor[flatPet]())
	scalars := newFlatDecoder(reflect.TypeFor[flatScalars]())
	f.Fuzz(func(t *testing.T, body []byte) {
		decodeBoth(t, pets, body, seeded())
		decodeBoth(t, scalars, body, flatScalars{S: "s", I: 1, F64: 0.5, K: "k"})
	})
}

// flatOmitted has every kind with omitempty or omitzero, and keys that
// encoding/json escapes.
type flatOmitted struct {
	S   string  `json:"s,omitempty"`
	B   bool    `json:"b,omitzero"`
	I   int64   `json:"i,omitempty"`
	I8  int8    `json:"i8,omitzero"`
	U   uint32  `json:"u,omitempty"`
	F32 float32 `json:"f32,omitempty"`
	F64 float64 `json:"f64,omitzero"`
	H   string  `json:"<a&b>,omitempty"`
	Hid string  `json:"-"`
}

// FuzzFlatEncode holds the direct encoder to json.Encoder: for any
// values, it writes the same bytes, or leaves to encoding/json the
// floats that it refuses.
func FuzzFlatEncode(f *testing.F) {
	f.Add("Rex", true, int64(3), uint64(7), 1.5, float32(0.1))
	f.Add("", false, int64(0), uint64(0), 0.0, float32(0))
	f.Add("<script>&\"\\\b\f\n\r\t\x00\x1f\x7f", false, int64(-1<<63), uint64(1<<64-1), math.Copysign(0, -1), float32(math.Copysign(0, -1)))
	f.Add("\u2028\u2029é€😀\ufffd\xff\xed\xa0\x80", true, int64(1<<63-1), uint64(255), 1e21, float32(1e21))
	f.Add("a", false, int64(-128), uint64(65536), 1e-7, float32(1e-7))
	f.Add("b", true, int64(128), uint64(1), 123456789e-15, float32(3.4e38))
	f.Add("c", true, int64(1), uint64(1), 1e308, float32(1.4e-45))
	f.Add("d", true, int64(1), uint64(1), 9.999999999999999e20, float32(9.99999e20))
	scalars := newFlatEncoder(reflect.TypeFor[flatScalars]())
	omitted := newFlatEncoder(reflect.TypeFor[flatOmitted]())
	f.Fuzz(func(t *testing.T, s string, b bool, i int64, u uint64, x float64, x32 float32) {
		encodeBoth(t, scalars, flatScalars{S: s, B: b, I: int(i), I8: int8(i), I16: int16(i), I32: int32(i), I64: i,
			U: uint(u), U8: uint8(u), U16: uint16(u), U32: uint32(u), U64: u, F32: x32, F64: x, K: s + s, LS: s[len(s)/2:]})
		encodeBoth(t, omitted, flatOmitted{S: s, B: b, I: i, I8: int8(i), U: uint32(u), F32: x32, F64: x, H: s, Hid: s})
	})
}
