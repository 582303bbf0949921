package openapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// checkSchemas are schemas like the reflector writes, and a few beyond
// it, each with instances on both sides of every keyword.
type checkSchema struct {
	name      string
	schema    string
	instances []string
}

var checkSchemas = []checkSchema{
	{"object with properties, required and a $ref",
		`{"$ref":"#/components/schemas/Pet"}`,
		[]string{
			`{"name":"Rex","age":3}`, `{"name":"Rex"}`, `{}`, `{"age":3}`, `{"name":""}`, `{"name":"abcde"}`,
			`{"name":"Rex","age":-1}`, `{"name":"Rex","age":101}`, `{"name":"Rex","age":3.5}`, `{"name":"Rex","age":3.0}`,
			`{"name":"Rex","age":"3"}`, `{"name":"Rex","tag":"dog"}`, `{"name":"Rex","tag":"cow"}`, `{"name":"Rex","tag":null}`,
			`{"name":"Rex","tags":["a","b"]}`, `{"name":"Rex","tags":["a","a"]}`, `{"name":"Rex","tags":["a","b","c"]}`,
			`{"name":"Rex","tags":[1]}`, `{"name":"Rex","owner":{"email":"a@b.co"}}`, `{"name":"Rex","owner":{"email":"nope"}}`,
			`{"name":"Rex","owner":{}}`, `{"name":"Rex","extra":[1,{"x":null}]}`, `{"name":"R\u00e9x"}`, `{"name":"a\"b"}`,
			`{"name":"Rex","name":""}`, `{"name":"éééé"}`, `{"name":"ééééé"}`, `[]`, `null`, `"Rex"`, `{"name":"Rex",}`,
			`{"name":"Rex"} x`, `{"name":"Rex","age":1e2}`, `{"name":"Rex","age":-0}`, `{"name":"Rex","age":01}`,
			`{"name":"Rex","born":"2024-01-02T03:04:05Z"}`, `{"name":"Rex","born":"yesterday"}`, `{"name":"Rex","code":"AB12"}`,
			`{"name":"Rex","code":"ab12"}`, ` { "name" : "Rex" , "age" : 7 } `,
		}},
	{"numbers", `{"type":"number","minimum":-1.5,"exclusiveMaximum":10,"multipleOf":0.5}`,
		[]string{`0`, `-1.5`, `-2`, `9.5`, `10`, `0.25`, `1e1`, `2.5e0`, `"1"`, `true`, `-1.50`}},
	{"integers with exclusive minimum", `{"type":"integer","exclusiveMinimum":0,"maximum":9007199254740993}`,
		[]string{`1`, `0`, `-3`, `1.0`, `1.5`, `9007199254740992`, `1e300`}},
	{"nullable string with pattern and lengths", `{"type":["string","null"],"pattern":"^[a-z]+$","minLength":2,"maxLength":3}`,
		[]string{`"ab"`, `"abc"`, `"a"`, `"abcd"`, `"AB"`, `null`, `1`, `"a\u0062"`, `"a\u0062\u0063\u0064"`, `"\u00e9\u00e9"`, `"a\n"`, `"\ud83d\ude00\ud83d\ude00"`, "\"a\xff\""}},
	{"enum and const of mixed types", `{"enum":[1,"one",true,null],"not":{"const":"one"}}`,
		[]string{`1`, `1.0`, `"one"`, `true`, `false`, `null`, `2`, `"1"`}},
	{"composite enum", `{"enum":[[1,2],{"a":1}]}`,
		[]string{`[1,2]`, `[2,1]`, `{"a":1}`, `{"a":2}`, `1`}},
	{"combinators", `{"anyOf":[{"type":"string","maxLength":2},{"type":"integer"}],"oneOf":[{"minimum":5},{"type":"string"}],"allOf":[{"not":{"const":7}}]}`,
		[]string{`"ab"`, `"abc"`, `5`, `6`, `7`, `4`, `5.5`, `null`}},
	{"closed and typed additional properties", `{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}`,
		[]string{`{}`, `{"a":1}`, `{"a":1,"b":2}`, `{"a":"x"}`}},
	{"map of strings", `{"type":"object","additionalProperties":{"type":"string"},"required":["k"]}`,
		[]string{`{"k":"v"}`, `{"k":1}`, `{"x":"v"}`, `{"k":"v","x":"y"}`, `{"k":null}`}},
	{"array bounds and unique items", `{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3,"uniqueItems":true}`,
		[]string{`[1]`, `[]`, `[1,2,3,4]`, `[1,1]`, `[1,1.0]`, `[1,"a"]`, `[1,2]`}},
	{"arrays of bounded items", `{"type":"object","properties":{"list":{"type":"array","items":{"type":"integer","maximum":5},"minItems":2,"maxItems":4},"owners":{"type":"array","items":{"$ref":"#/components/schemas/Owner"}},"any":{"type":"array","maxItems":2},"names":{"type":"array","items":{"type":"string","maxLength":2}}}}`,
		[]string{`{"list":[1,2]}`, `{"list":[1]}`, `{"list":[9]}`, `{"list":[1,2,3,4,5]}`, `{"list":[1,9,2,9,3]}`, `{"list":[9,9,9]}`,
			`{"list":[1,2,9]}`, `{"list":[1,"x",3]}`, `{"list":[]}`, `{"owners":[{"email":"a@b.co"},{"email":"nope"},{"email":"c@d.co"},{}]}`,
			`{"owners":[{"email":"a@b.co","pet":{"name":"toolong"}},{"email":"a@b.co","pet":{"name":"ok","age":-1}}]}`,
			`{"any":[1,[2],{"a":3}]}`, `{"any":[1,2]}`, `{"names":["ab","\u0061","abc","\u0061\u0062\u0063","x"]}`,
			`{"owners":[{"email":"a@b.co","EMAIL":"x"},{"email":"a@b.co"},{"eMail":"x"}]}`}},
	{"boolean schemas", `{"type":"object","properties":{"yes":true,"no":false}}`,
		[]string{`{"yes":[1]}`, `{"no":1}`, `{}`}},
	{"keywords only the reference engine knows", `{"type":"object","patternProperties":{"^x":{"type":"integer"}}}`,
		[]string{`{"xa":1}`, `{"xa":"s"}`}},
}

const checkComponents = `{
	"Pet": {"type":"object","required":["name"],"properties":{
		"name":{"type":"string","minLength":1,"maxLength":4,"examples":["Rex"]},
		"age":{"type":"integer","format":"int64","minimum":0,"maximum":100,"description":"years"},
		"tag":{"type":"string","enum":["dog","cat"]},
		"tags":{"type":["array","null"],"items":{"type":"string"},"maxItems":2,"uniqueItems":true},
		"owner":{"$ref":"#/components/schemas/Owner"},
		"born":{"type":"string","format":"date-time"},
		"code":{"type":"string","pattern":"^[A-Z]+[0-9]*$"}}},
	"Owner": {"type":"object","required":["email"],"properties":{"email":{"type":"string","format":"email"},"pet":{"$ref":"#/components/schemas/Pet"}}}
}`

func compileCheckSchema(t testing.TB, schema string) *validator {
	t.Helper()
	raw := fmt.Sprintf(`{"components":{"schemas":%s},"schema":%s}`, checkComponents, schema)
	set, err := newSchemaSet([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	vd, err := set.validator("#/schema", set.root["schema"])
	if err != nil {
		t.Fatal(err)
	}
	return vd
}

// TestCheckAgreesWithReference holds the fast checks to the reference
// engine: when a check accepts, the reference accepts too (else a bad
// request would get through), and on the keywords checks implement they
// agree exactly, so the fast path is really taken.
func TestCheckAgreesWithReference(t *testing.T) {
	for _, tt := range checkSchemas {
		t.Run(tt.name, func(t *testing.T) {
			vd := compileCheckSchema(t, tt.schema)
			if tt.name == "keywords only the reference engine knows" {
				if vd.check != nil {
					t.Fatal("a schema with patternProperties must use the reference engine")
				}
				return
			}
			if vd.check == nil {
				t.Fatal("the schema fell back to the reference engine")
			}
			for _, inst := range tt.instances {
				var doc any
				syntaxOK := json.Unmarshal([]byte(inst), &doc) == nil
				want := syntaxOK && vd.full.Validate(doc) == nil
				tree := syntaxOK && vd.check.valid(doc)
				stream := vd.check.validJSON([]byte(inst))
				if tree != want {
					t.Errorf("%s: check says %v, reference %v", inst, tree, want)
				}
				if stream && !want {
					t.Errorf("%s: the byte scan accepts what the reference rejects", inst)
				}
				if stream != want && !scanDefers(inst, tt.name) {
					t.Errorf("%s: the byte scan says %v, reference %v", inst, stream, want)
				}
				if err := vd.Validate(doc); syntaxOK && (err == nil) != want {
					t.Errorf("%s: Validate says %v, reference %v", inst, err, want)
				}
			}
		})
	}
}

// scanDefers lists what the byte scan leaves to the decoded path on
// purpose: repeated keys, uniqueItems and composite enums.
func scanDefers(inst, schema string) bool {
	switch {
	case schema == "composite enum", schema == "array bounds and unique items":
		return true
	case inst == `{"name":"Rex","name":""}`, strings.Contains(inst, `"tags":[`):
		return true
	}
	return false // escaped strings are checked, not deferred
}

// FuzzCheck feeds arbitrary bytes to both fast paths: neither may accept
// a document the reference engine rejects.
func FuzzCheck(f *testing.F) {
	for _, tt := range checkSchemas[:1] {
		for _, inst := range tt.instances {
			f.Add(inst)
		}
	}
	vd := compileCheckSchema(f, checkSchemas[0].schema)
	f.Fuzz(func(t *testing.T, inst string) {
		var doc any
		syntaxOK := json.Unmarshal([]byte(inst), &doc) == nil
		want := syntaxOK && vd.full.Validate(doc) == nil
		if vd.check.validJSON([]byte(inst)) && !want {
			t.Errorf("%q: the byte scan accepts what the reference rejects", inst)
		}
		if syntaxOK && vd.check.valid(doc) && !want {
			t.Errorf("%q: the check accepts what the reference rejects", inst)
		}
	})
}
