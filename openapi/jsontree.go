package openapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// treeDecoder builds, for the reference engine, what encoding/json
// decodes a body into as any, but only as much of it as the schema can
// look at. encoding/json's tree costs tens of times the body (an
// interface, a boxed number, a map entry per value); a client controls
// that shape, so the tree is bounded instead:
//
//   - strings are unquoted into one allocation of their exact size;
//   - where a check constrains a value without combinators, enum, const
//     or uniqueItems (so that no keyword above looks at its value), a
//     value the schema does not constrain (additionalProperties or
//     items absent) is left out: an unknown key is dropped unless it
//     folds onto a property (foldedKey needs it) or additionalProperties
//     is false (the engine names it), and is then kept as null;
//   - a string whose check asks only a type and lengths is cut to a
//     prefix of the same verdict and the same echo (see witness).
//
// Where the schema has no check, or above keywords that see whole
// values, the tree is encoding/json's in full.
type treeDecoder struct {
	scanner
	rangeErr  error          // the first number out of float64 range
	rescanned int            // bytes the checks of items read, at most len(b)
	compact   map[*any][]int // by its first item, the body's index of each item of a compacted array
	uncapped  bool           // keep every item the check refuses
	kept      int            // items kept that the check refused
	capped    bool           // some such items were left out
}

// tree is what decodeTree builds: the document for the engine and how
// its paths map to the body's.
type tree struct {
	doc     any
	compact map[*any][]int

	// Capped says that items the check refused were left out, past the
	// first maxDetails: they would only add details beyond those a 422
	// lists, and keep the engine busy for each. The check refuses what
	// fails and what it leaves to the engine (a key with an escape, a
	// composite enum), so when the engine finds the capped tree valid,
	// the verdict needs the whole one.
	capped bool
}

// real maps a path in the tree to the body's: an item of a compacted
// array has its index in the body. It answers false for a filler item,
// which is not in the body.
func (t *tree) real(path []string) ([]string, bool) {
	if t.compact == nil {
		return path, true
	}
	out := slices.Clone(path)
	node := t.doc
	for i, tok := range path {
		switch x := node.(type) {
		case map[string]any:
			node = x[tok]
		case []any:
			j, err := strconv.Atoi(tok)
			if err != nil || j < 0 || j >= len(x) {
				return out, true
			}
			if m, ok := t.compact[&x[0]]; ok {
				switch {
				case m[j] == filler:
					return nil, false
				case m[j] >= 0:
					out[i] = strconv.Itoa(m[j])
				}
			}
			node = x[j]
		default:
			return out, true
		}
	}
	return out, true
}

// The index of an item added to a compacted array: accepted is a copy of
// an item the check accepted, filler a null where there was none.
const (
	accepted = -1
	filler   = -2
)

// maxTreeKeys bounds the unknown keys kept for additionalProperties:
// false; each one becomes an error detail.
const maxTreeKeys = maxDetails

// decodeTree decodes data for validation against k (nil: no check, no
// pruning). A syntax error, or a number out of range, is a 400 problem
// as encoding/json would make it, with a short message.
func decodeTree(data []byte, k *check, uncapped bool) (*tree, error) {
	d := treeDecoder{scanner: scanner{b: data}, uncapped: uncapped}
	d.ws()
	v, ok := d.value(k, k != nil, 0)
	if ok {
		d.ws()
		ok = d.i == len(d.b)
	}
	if !ok {
		// encoding/json's syntax check allocates nothing and words the
		// error as before.
		if err := json.Unmarshal(data, new(struct{})); errors.As(err, new(*json.SyntaxError)) {
			return nil, malformedJSON(err)
		}
		return nil, hyperlane.Errorf(http.StatusBadRequest, "malformed JSON at offset %d", d.i)
	}
	if d.rangeErr != nil {
		return nil, d.rangeErr
	}
	return &tree{doc: v, compact: d.compact, capped: d.capped}, nil
}

// value decodes the value at d.i; prune says whether values k does not
// constrain may be left out.
func (d *treeDecoder) value(k *check, prune bool, depth int) (any, bool) {
	for k != nil && k.bareRef {
		k = k.ref
	}
	if k != nil && (k.ref != nil || k.allOf != nil || k.anyOf != nil || k.oneOf != nil || k.not != nil ||
		k.enum != nil || k.constant != nil || k.unique) {
		prune = false // a keyword here sees the whole value
	}
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(k, prune, depth)
	case c == '[':
		return d.array(k, prune, depth)
	case c == '"':
		raw, special, ok := d.quoted()
		if !ok {
			return nil, false
		}
		return d.str(raw, special, k, prune), true
	case c == 't':
		return true, d.literal("true", nil, 0, nil)
	case c == 'f':
		return false, d.literal("false", nil, 0, nil)
	case c == 'n':
		return nil, d.literal("null", nil, 0, nil)
	case c == '-' || c >= '0' && c <= '9':
		f, ok := d.float()
		return f, ok
	}
	return nil, false
}

// float moves past the number at d.i, keeping the first one that does
// not fit a float64, as encoding/json refuses it when it decodes into any.
func (d *treeDecoder) float() (float64, bool) {
	start := d.i
	if start >= len(d.b) || !(d.b[start] == '-' || d.b[start] >= '0' && d.b[start] <= '9') || !d.number(nil) {
		return 0, false
	}
	raw := d.b[start:d.i]
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64) // #nosec G103 -- a read-only view, not kept
	if err != nil && d.rangeErr == nil {
		d.rangeErr = hyperlane.Errorf(http.StatusBadRequest, "malformed JSON: number %s at offset %d does not fit a float64", quote(raw), start)
	}
	return f, true
}

// skip moves past the value at d.i, checking its syntax as value does,
// and builds nothing.
func (d *treeDecoder) skip(depth int) bool {
	if d.i >= len(d.b) {
		return false
	}
	open := d.b[d.i]
	if (open == '{' || open == '[') && depth >= maxNesting {
		return false // as encoding/json, at most maxNesting levels
	}
	switch open {
	case '"':
		_, _, ok := d.quoted()
		return ok
	case '{', '[':
	case 't':
		return d.literal("true", nil, 0, nil)
	case 'f':
		return d.literal("false", nil, 0, nil)
	case 'n':
		return d.literal("null", nil, 0, nil)
	default:
		_, ok := d.float() // as in value, a number out of range is an error
		return ok
	}
	d.i++
	d.ws()
	end := byte('}')
	if open == '[' {
		end = ']'
	}
	if d.next(end) {
		return true
	}
	for {
		d.ws()
		if open == '{' {
			if _, _, ok := d.quoted(); !ok {
				return false
			}
			d.ws()
			if !d.next(':') {
				return false
			}
			d.ws()
		}
		if !d.skip(depth + 1) {
			return false
		}
		d.ws()
		if d.next(end) {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

func (d *treeDecoder) object(k *check, prune bool, depth int) (any, bool) {
	if depth >= maxNesting {
		return nil, false // as encoding/json, at most maxNesting levels
	}
	m := map[string]any{}
	d.i++ // '{'
	d.ws()
	if d.next('}') {
		return m, true
	}
	unknown := 0
	for {
		d.ws()
		raw, special, ok := d.quoted()
		if !ok {
			return nil, false
		}
		d.ws()
		if !d.next(':') {
			return nil, false
		}
		d.ws()
		key := str(raw, special)
		var sub *check
		keep := true
		if k != nil {
			if p, known := k.props[key]; known {
				sub = p
			} else if sub = k.addl; sub == nil && prune {
				// Unconstrained: only its name can matter.
				keep = k.noAddl && unknown < maxTreeKeys || foldsOnto(k, key)
				unknown++
			}
		}
		switch {
		case prune && k != nil && sub == nil:
			if !d.skip(depth + 1) {
				return nil, false
			}
			if keep {
				m[key] = nil
			}
		default:
			v, ok := d.value(sub, prune, depth+1)
			if !ok {
				return nil, false
			}
			m[key] = v
		}
		d.ws()
		if d.next(',') {
			continue
		}
		if d.next('}') {
			return m, true
		}
		return nil, false
	}
}

func (d *treeDecoder) array(k *check, prune bool, depth int) (any, bool) {
	if depth >= maxNesting {
		return nil, false
	}
	if prune && k != nil {
		return d.compacted(k, depth)
	}
	list := []any{}
	d.i++ // '['
	d.ws()
	if d.next(']') {
		return list, true
	}
	var items *check
	if k != nil {
		items = k.items
	}
	for {
		d.ws()
		var v any
		if prune && k != nil && items == nil {
			// Each item counts for minItems and maxItems, none is looked at.
			if !d.skip(depth + 1) {
				return nil, false
			}
		} else {
			var ok bool
			if v, ok = d.value(items, prune, depth+1); !ok {
				return nil, false
			}
		}
		list = append(list, v)
		d.ws()
		if d.next(',') {
			continue
		}
		if d.next(']') {
			return list, true
		}
		return nil, false
	}
}

// compacted decodes an array whose own keywords look only at its length
// and at each item alone: the items that k.items accepts (all, without
// items) are left out, as the engine would accept them, and the tree
// records the body's index of each item kept. Only minItems and maxItems
// see the count, so the array is padded with one accepted item, to
// maxItems+1 when the body's array is longer, else to minItems. The
// check reads each item once more; past len(body) bytes of such reading,
// which nesting could multiply, the items are kept instead.
func (d *treeDecoder) compacted(k *check, depth int) (any, bool) {
	items := k.items
	list := []any{}
	var index []int
	n, witness := 0, -1
	d.i++ // '['
	d.ws()
	if d.next(']') {
		return list, true
	}
	for {
		d.ws()
		start := d.i
		fine := false
		switch {
		case items == nil:
			if !d.skip(depth + 1) {
				return nil, false
			}
			fine = true
		case d.rescanned <= len(d.b):
			d.depth = depth + 1 // the arrays open around the item
			fine = d.scanner.value(items)
			d.depth = 0
			d.rescanned += d.i - start
			if !fine {
				d.i = start
			}
		}
		switch {
		case fine:
			if witness < 0 {
				witness = start
			}
		case !d.uncapped && d.kept >= maxDetails:
			if !d.skip(depth + 1) {
				return nil, false
			}
			d.capped = true
		default:
			d.kept++
			v, ok := d.value(items, true, depth+1)
			if !ok {
				return nil, false
			}
			list = append(list, v)
			index = append(index, n)
		}
		n++
		d.ws()
		if d.next(',') {
			continue
		}
		if d.next(']') {
			break
		}
		return nil, false
	}
	if len(list) == n {
		return list, true // nothing left out
	}
	want := 0
	switch {
	case k.maxItems >= 0 && n > k.maxItems:
		want = k.maxItems + 1
	case n >= k.minItems:
		want = k.minItems
	}
	if len(list) < want {
		var w any
		pad := accepted
		switch {
		case items == nil:
		case witness >= 0:
			end := d.i
			d.i = witness
			w, _ = d.value(items, true, depth+1)
			d.i = end
		default:
			pad = filler // only past the cap: every item was refused
		}
		for len(list) < want {
			list = append(list, w)
			index = append(index, pad)
		}
	}
	if len(list) > 0 {
		if d.compact == nil {
			d.compact = map[*any][]int{}
		}
		d.compact[&list[0]] = index
	}
	return list, true
}

// str is the string of raw, a quoted string's content.
func str(raw []byte, special bool) string {
	if special {
		return unquote(raw, -1)
	}
	return string(raw)
}

// str decodes a string value, cut to a witness where k allows it.
func (d *treeDecoder) str(raw []byte, special bool, k *check, prune bool) any {
	if prune && k != nil && k.pattern == nil && k.format == nil && len(raw) > maxEcho {
		if w := k.witnessRunes(raw, special); w >= 0 {
			if !special {
				// Cut at a rune boundary of the raw bytes.
				end := 0
				for n := 0; n < w; n++ {
					_, size := utf8.DecodeRune(raw[end:])
					end += size
				}
				return string(raw[:end])
			}
			return unquote(raw, w)
		}
	}
	return str(raw, special)
}

// witnessRunes returns how many leading runes of the string raw keep the
// verdict of k, which asks at most a type and lengths of a string, and
// the echo of an error detail (maxEcho bytes and an ellipsis): -1 when
// the string is not longer than that.
func (k *check) witnessRunes(raw []byte, special bool) int {
	n := 0
	if special {
		n = runeCount(raw)
	} else {
		n = utf8.RuneCount(raw)
	}
	w := maxEcho + 1 // runes are at least a byte: echo cuts it as it cuts raw
	switch {
	case k.maxLen >= 0 && n > k.maxLen:
		w = max(w, k.maxLen+1) // still too long
	default:
		w = max(w, k.minLen) // still long enough, or as short
	}
	if w >= n {
		return -1
	}
	return w
}

// foldsOnto reports whether key names a property of k ignoring case.
func foldsOnto(k *check, key string) bool {
	for name := range k.props {
		if strings.EqualFold(key, name) {
			return true
		}
	}
	return false
}

// quote returns the start of a token from the body for an error
// message: at most maxEcho bytes, then an ellipsis.
func quote(raw []byte) string {
	if len(raw) > maxEcho {
		return string(raw[:maxEcho]) + "…"
	}
	return string(raw)
}
