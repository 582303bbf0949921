package openapi

import (
	"math"
	"reflect"
	"unicode/utf8"
)

// valid evaluates the check. Instances are what encoding/json decodes
// into any (float64 numbers), or parameter values (int64, uint64).
func (k *check) valid(v any) bool {
	if k.never {
		return false
	}
	if k.ref != nil && !k.ref.valid(v) {
		return false
	}
	if k.types != 0 && k.types&typeOf(v) == 0 {
		return false
	}
	if k.enum != nil && !contains(k.enum, v) {
		return false
	}
	if k.constant != nil && !equalJSON(*k.constant, v) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if !k.validObject(x) {
			return false
		}
	case []any:
		if !k.validArray(x) {
			return false
		}
	case string:
		if !k.validString(x) {
			return false
		}
	case float64, int64, uint64:
		if !k.validNumber(v) {
			return false
		}
	}
	for _, s := range k.allOf {
		if !s.valid(v) {
			return false
		}
	}
	if k.anyOf != nil && !anyValid(k.anyOf, v) {
		return false
	}
	if k.oneOf != nil {
		n := 0
		for _, s := range k.oneOf {
			if s.valid(v) {
				n++
			}
		}
		if n != 1 {
			return false
		}
	}
	return k.not == nil || !k.not.valid(v)
}

func anyValid(list []*check, v any) bool {
	for _, s := range list {
		if s.valid(v) {
			return true
		}
	}
	return false
}

func (k *check) validObject(o map[string]any) bool {
	for _, r := range k.required {
		if _, ok := o[r]; !ok {
			return false
		}
	}
	if k.props == nil && k.addl == nil && !k.noAddl {
		return true
	}
	for name, val := range o {
		if p, ok := k.props[name]; ok {
			if !p.valid(val) {
				return false
			}
			continue
		}
		if k.noAddl || k.addl != nil && !k.addl.valid(val) {
			return false
		}
	}
	return true
}

func (k *check) validArray(a []any) bool {
	if len(a) < k.minItems || k.maxItems >= 0 && len(a) > k.maxItems {
		return false
	}
	if k.items != nil {
		for _, e := range a {
			if !k.items.valid(e) {
				return false
			}
		}
	}
	if k.unique {
		for i := range a {
			for j := i + 1; j < len(a); j++ {
				if equalJSON(a[i], a[j]) {
					return false
				}
			}
		}
	}
	return true
}

func (k *check) validString(s string) bool {
	if k.minLen > 0 || k.maxLen >= 0 {
		n := utf8.RuneCountInString(s)
		if n < k.minLen || k.maxLen >= 0 && n > k.maxLen {
			return false
		}
	}
	if k.pattern != nil && !k.pattern.MatchString(s) {
		return false
	}
	return k.format == nil || k.format.Validate(s) == nil
}

func (k *check) validNumber(v any) bool {
	f, exact := toFloat(v)
	if !exact {
		// Beyond float64 precision: let the reference engine decide.
		return k.min == nil && k.max == nil && k.exMin == nil && k.exMax == nil && k.multiple == 0
	}
	switch {
	case k.min != nil && f < *k.min, k.max != nil && f > *k.max,
		k.exMin != nil && f <= *k.exMin, k.exMax != nil && f >= *k.exMax:
		return false
	}
	if k.multiple != 0 {
		q := f / k.multiple
		return !math.IsInf(q, 0) && q == math.Trunc(q)
	}
	return true
}

// toFloat converts a number, reporting whether the conversion is exact.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		f := float64(n)
		return f, f < 1<<63 && int64(f) == n
	case uint64:
		f := float64(n)
		return f, f < 1<<64 && uint64(f) == n
	}
	return 0, false
}

func typeOf(v any) typeSet {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBoolean
	case map[string]any:
		return tObject
	case []any:
		return tArray
	case string:
		return tString
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return tNumber | tInteger
		}
		return tNumber
	case int64, uint64:
		return tNumber | tInteger
	}
	return 0
}

func contains(list []any, v any) bool {
	for _, e := range list {
		if equalJSON(e, v) {
			return true
		}
	}
	return false
}

// equalJSON compares JSON values, numbers by value whatever their Go type.
func equalJSON(a, b any) bool {
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	return reflect.DeepEqual(a, b)
}
