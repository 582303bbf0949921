package openapi

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// schemaNames gives every named Go type its component schema name, the
// same in both spec versions. A type keeps its own name ("Pet") when it
// is free; a second type of the same name from another package is
// qualified by its package ("StorePet"), and only if that is taken too
// does a number follow. Generic instances read like their source:
// Page[store.Pet] is "PagePet". The first type to claim a name keeps it,
// so names are stable as long as registration order is.
type schemaNames struct {
	mu     sync.Mutex
	byType map[reflect.Type]string
	byName map[string]reflect.Type
}

func newSchemaNames() *schemaNames {
	return &schemaNames{byType: map[reflect.Type]string{}, byName: map[string]reflect.Type{}}
}

// reserve gives t a fixed name, such as "Problem" for hyperlane.HTTPError.
func (n *schemaNames) reserve(t reflect.Type, name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.byType[t], n.byName[name] = name, t
}

// name returns the component name of t, assigning one on first use.
func (n *schemaNames) name(t reflect.Type) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if name, ok := n.byType[t]; ok {
		return name
	}
	base := typeName(t.Name())
	if base == "" {
		base = "Schema"
	}
	candidates := []string{base, packageName(t.PkgPath()) + base}
	for i := 2; ; i++ {
		for _, c := range candidates {
			if _, taken := n.byName[c]; !taken {
				n.byType[t], n.byName[c] = c, t
				return c
			}
		}
		candidates = []string{candidates[1] + strconv.Itoa(i)}
	}
}

// typeName turns a reflect type name, generic arguments included, into
// an identifier: "Page[github.com/x/store.Pet]" becomes "PagePet",
// "Map[string,[]*store.Pet]" becomes "MapStringPetList".
func typeName(name string) string {
	base, args, generic := strings.Cut(name, "[")
	var b strings.Builder
	b.WriteString(identifier(base))
	if generic {
		for _, arg := range splitTypeArgs(strings.TrimSuffix(args, "]")) {
			b.WriteString(typeArgName(arg))
		}
	}
	return b.String()
}

// typeArgName names one generic argument: package paths dropped, slices
// and arrays as a "List" suffix, maps as "Map" of key and value.
func typeArgName(arg string) string {
	arg = strings.TrimSpace(arg)
	switch {
	case strings.HasPrefix(arg, "*"):
		return typeArgName(arg[1:])
	case strings.HasPrefix(arg, "[]"):
		return typeArgName(arg[2:]) + "List"
	case strings.HasPrefix(arg, "["): // array [N]T
		if _, elem, ok := strings.Cut(arg, "]"); ok {
			return typeArgName(elem) + "List"
		}
	case strings.HasPrefix(arg, "map["):
		key, val := splitMap(arg[len("map["):])
		return "Map" + typeArgName(key) + typeArgName(val)
	}
	base, rest, generic := strings.Cut(arg, "[")
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[i+1:]
	}
	if generic {
		return typeName(base + "[" + rest)
	}
	return identifier(base)
}

// splitMap splits "K]V" of a map type at the bracket closing the key.
func splitMap(s string) (key, val string) {
	depth := 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			if depth == 0 {
				return s[:i], s[i+1:]
			}
			depth--
		}
	}
	return s, ""
}

// splitTypeArgs splits generic arguments at top-level commas.
func splitTypeArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// packageName is the last element of a package path as an identifier:
// "github.com/acme/pet-store" is "PetStore".
func packageName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		path = path[i+1:]
	}
	return identifier(path)
}

// identifier keeps letters and digits, capitalising each word.
func identifier(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
