package hyperlane

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// compiledPattern is a route pattern in Hyperlane's syntax translated into
// chi's, with what the router needs to know about it.
type compiledPattern struct {
	chi      string // the pattern as registered in chi's tree
	shape    string // the pattern with parameter names erased, for duplicates
	tailName string // the name of the tail catch-all, "" without one
	static   bool   // no parameters: served from the static map
}

// SegmentKind says what one path segment of a Pattern matches.
type SegmentKind uint8

const (
	// StaticSegment matches its Text exactly.
	StaticSegment SegmentKind = iota
	// ParamSegment, written {name}, matches any one non-empty segment.
	ParamSegment
	// RegexSegment, written {name:regex}, matches one segment that the
	// regular expression matches whole.
	RegexSegment
	// TailSegment, written {name:.*}, {name:^.*$} or a bare "*", is the
	// last segment and matches the rest of the path.
	TailSegment
)

// Segment is one '/'-separated segment of a Pattern.
type Segment struct {
	Kind SegmentKind
	// Text is the segment as written in the pattern.
	Text string
	// Name is the parameter's name, "" for a StaticSegment; a bare "*"
	// tail is named "*", which is also how Context.Param reads it.
	Name string
	// Regex is the regular expression of a RegexSegment as written,
	// without the anchoring the router adds; "" for other kinds.
	Regex string
}

// Pattern is a valid route pattern parsed into its segments: the one
// parser behind route registration, CheckPattern and package openapi, so
// that what is a parameter, a regular expression or a catch-all is
// decided in one place. The zero Pattern has no segments; use
// ParsePattern.
type Pattern struct {
	text string
	segs []Segment // the segments between the '/'s, after the leading one
}

// ParsePattern parses a route pattern: '/'-separated segments, each
// static text, {name}, {name:regex}, or, as the last one, a tail
// catch-all {name:.*} (or "*"). Its error is the one CheckPattern
// returns, without the pattern.
func ParsePattern(pattern string) (Pattern, error) {
	if err := checkPattern(pattern); err != nil {
		return Pattern{}, err
	}
	p := Pattern{text: pattern}
	for seg := range strings.SplitSeq(pattern[1:], "/") {
		p.segs = append(p.segs, parseSegment(seg))
	}
	return p, nil
}

// parseSegment classifies one segment of a pattern checkPattern accepted,
// where a parameter is always a whole segment.
func parseSegment(seg string) Segment {
	if seg == "*" {
		return Segment{Kind: TailSegment, Text: seg, Name: "*"}
	}
	if len(seg) < 2 || seg[0] != '{' {
		return Segment{Kind: StaticSegment, Text: seg}
	}
	name, expr, hasExpr := strings.Cut(seg[1:len(seg)-1], ":")
	switch {
	case !hasExpr:
		return Segment{Kind: ParamSegment, Text: seg, Name: name}
	case isTailExpr(expr):
		return Segment{Kind: TailSegment, Text: seg, Name: name}
	}
	return Segment{Kind: RegexSegment, Text: seg, Name: name, Regex: expr}
}

// String returns the pattern as written.
func (p Pattern) String() string { return p.text }

// Segments returns the pattern's segments after the leading '/', in
// order: "/" has one empty static segment, "/a/" ends with one.
func (p Pattern) Segments() []Segment { return slices.Clone(p.segs) }

// Params returns the names of the pattern's parameters in order, the
// tail catch-all's included, or nil when it has none.
func (p Pattern) Params() []string {
	var names []string
	for _, s := range p.segs {
		if s.Kind != StaticSegment {
			names = append(names, s.Name)
		}
	}
	return names
}

// Tail returns the name of the pattern's tail catch-all ("*" for a bare
// star), or "" when it has none.
func (p Pattern) Tail() string {
	if n := len(p.segs); n > 0 && p.segs[n-1].Kind == TailSegment {
		return p.segs[n-1].Name
	}
	return ""
}

// OpenAPIPath returns the pattern as an OpenAPI path template, every
// parameter written {name} and regular expressions dropped: "/u/{id:\\d+}"
// becomes "/u/{id}". ok is false for a pattern with a tail catch-all,
// which an OpenAPI path cannot describe.
func (p Pattern) OpenAPIPath() (path string, ok bool) {
	if p.Tail() != "" {
		return "", false
	}
	var b strings.Builder
	for _, s := range p.segs {
		b.WriteByte('/')
		if s.Kind == StaticSegment {
			b.WriteString(s.Text)
		} else {
			b.WriteString("{" + s.Name + "}")
		}
	}
	return b.String(), true
}

// compile translates the pattern to chi's syntax: "{name}" passes
// through, "{name:regex}" becomes "{name:^(?:regex)$}" so that the
// expression must match the whole segment (chi only adds a missing ^ or
// $, which leaves "a|b" matching "apple"), and a tail catch-all becomes
// chi's "*", read back as Param(name).
func (p Pattern) compile() compiledPattern {
	var chi, shape strings.Builder
	cp := compiledPattern{static: true}
	for _, s := range p.segs {
		chi.WriteByte('/')
		shape.WriteByte('/')
		switch s.Kind {
		case StaticSegment:
			chi.WriteString(s.Text)
			shape.WriteString(s.Text)
			continue
		case ParamSegment:
			chi.WriteString("{" + s.Name + "}")
			shape.WriteString("{:}")
		case RegexSegment:
			chi.WriteString("{" + s.Name + ":^(?:" + s.Regex + ")$}")
			shape.WriteString("{:" + s.Regex + "}")
		case TailSegment:
			chi.WriteByte('*')
			shape.WriteByte('*')
			cp.tailName = s.Name
		}
		cp.static = false
	}
	cp.chi, cp.shape = chi.String(), shape.String()
	return cp
}

// CheckPattern returns nil when pattern is a valid route pattern, or the
// error registering it would panic with. Every way of registering a
// route (methods, Route, Mount, Static, WebSocket, package openapi,
// adapter.Mount) goes through this one check, so a pattern written in
// another router's syntax (":id", "*filepath", "<id>", "{path...}")
// fails at registration naming the form to write instead of becoming a
// literal route that never matches.
func CheckPattern(pattern string) error { return checkPattern(pattern) }

// compilePattern parses a pattern and translates it to chi's syntax (see
// Pattern.compile). It returns an error naming the problem; the caller
// adds the pattern.
func compilePattern(pattern string) (compiledPattern, error) {
	p, err := ParsePattern(pattern)
	if err != nil {
		return compiledPattern{}, err
	}
	return p.compile(), nil
}

// checkPattern is the validity check of a pattern; ParsePattern relies on
// what it guarantees: a leading '/', no empty segment, and every
// parameter a whole segment with a valid name and regular expression.
func checkPattern(pattern string) error {
	if pattern == "" || pattern[0] != '/' {
		return fmt.Errorf("must begin with '/'")
	}
	seen := map[string]bool{}
	for i := 0; i < len(pattern); {
		ch := pattern[i]
		switch {
		case ch == '{':
			end, err := closingBrace(pattern, i)
			if err != nil {
				return err
			}
			name, expr, hasExpr := strings.Cut(pattern[i+1:end], ":")
			if !validParamName(name) {
				return fmt.Errorf("invalid parameter name %q%s", name, foreignBrace(name))
			}
			if hint := typeConstraint(name, expr); hint != "" {
				return fmt.Errorf("%s", hint)
			}
			if seen[name] {
				return fmt.Errorf("duplicate parameter %q", name)
			}
			seen[name] = true
			if i > 0 && pattern[i-1] != '/' || end+1 < len(pattern) && pattern[end+1] != '/' {
				// chi allows "{a}-{b}" within a segment, but a regex or
				// tail that does not own its segment is ambiguous; keep
				// parameters whole segments so matching stays predictable.
				return fmt.Errorf("parameter {%s} must be a whole path segment", name)
			}
			if hasExpr && isTailExpr(expr) {
				if end != len(pattern)-1 {
					return fmt.Errorf("catch-all {%s} must be the last segment", name)
				}
			} else if hasExpr {
				if expr == "" {
					return fmt.Errorf("empty regular expression in {%s}", name)
				}
				if strings.Contains(expr, "/") {
					return fmt.Errorf("regular expression in {%s} matches one segment and cannot contain '/'", name)
				}
				if _, err := regexp.Compile(expr); err != nil {
					return fmt.Errorf("invalid regular expression in {%s}: %w", name, err)
				}
			}
			i = end + 1
		case ch == '}':
			return fmt.Errorf("unbalanced '}' at offset %d: a parameter is written {name}", i)
		case i > 0 && pattern[i-1] == '/' && (ch == ':' || ch == '<' || ch == '*' && len(segmentAt(pattern, i)) > 1):
			// Only a segment that begins with one of them: a colon inside
			// a segment is literal ("/v1/items:batchGet").
			return foreignSegment(segmentAt(pattern, i))
		case ch == '*':
			if i != len(pattern)-1 || pattern[i-1] != '/' {
				return fmt.Errorf("'*' must be the whole last segment")
			}
			i++
		default:
			if ch < 0x21 || ch == 0x7f {
				return fmt.Errorf("control or space character at offset %d", i)
			}
			if ch == '?' || ch == '#' {
				return fmt.Errorf("%q at offset %d: a path pattern has no query or fragment", ch, i)
			}
			i++
		}
	}
	if strings.Contains(pattern, "//") {
		return fmt.Errorf("empty path segment")
	}
	return nil
}

// closingBrace finds the '}' that closes the '{' at open, allowing braces
// nested inside a regex such as {id:\d{3}}.
func closingBrace(pattern string, open int) (int, error) {
	depth := 0
	for j := open; j < len(pattern); j++ {
		switch pattern[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, fmt.Errorf("missing '}' for parameter at offset %d: a parameter is written {name}", open)
}

// segmentAt returns the path segment that begins at i.
func segmentAt(pattern string, i int) string {
	if j := strings.IndexByte(pattern[i:], '/'); j >= 0 {
		return pattern[i : i+j]
	}
	return pattern[i:]
}

// foreignSegment explains a segment written in another router's syntax:
// ":id" (gin, echo, httprouter), "*filepath" (gin, httprouter) or "<id>"
// and "<int:id>" (Flask, Rocket).
func foreignSegment(seg string) error {
	bad := func(want string) error {
		return fmt.Errorf("segment %q is another router's parameter syntax: write %s", seg, want)
	}
	switch seg[0] {
	case ':':
		if name := seg[1:]; validParamName(name) {
			return bad(quote("{" + name + "}"))
		}
	case '*':
		if name := seg[1:]; validParamName(name) {
			return bad(quote("{"+name+":.*}") + " (or " + quote("*") + ") as the last segment")
		}
	case '<':
		inner, ok := strings.CutSuffix(seg[1:], ">")
		conv, name, hasConv := strings.Cut(inner, ":")
		if !hasConv {
			name = conv
		}
		if ok && validParamName(name) {
			if conv == "path" {
				return bad(quote("{"+name+":.*}") + " as the last segment")
			}
			return bad(quote("{" + name + "}"))
		}
	}
	return fmt.Errorf("segment %q begins with %q, which is not a parameter here: a parameter is written {name}, {name:regex} or {name:.*}", seg, seg[:1])
}

// foreignBrace adds a hint to an invalid name inside braces written in
// another router's syntax: {path...} and {$} (net/http ServeMux),
// {*path} (ASP.NET), {id?} (Laravel).
func foreignBrace(name string) string {
	switch {
	case name == "$":
		return ": {$} is net/http ServeMux syntax; a pattern here already matches the exact path"
	case strings.HasSuffix(name, "...") && validParamName(strings.TrimSuffix(name, "...")):
		return ": net/http ServeMux syntax; write {" + strings.TrimSuffix(name, "...") + ":.*} as the last segment"
	case strings.HasPrefix(name, "*") && validParamName(name[1:]):
		return ": write {" + name[1:] + ":.*} as the last segment"
	case strings.HasSuffix(name, "?") && validParamName(strings.TrimSuffix(name, "?")):
		return ": parameters are not optional; register the pattern with and without the segment"
	}
	return ": a parameter is written {name}, {name:regex} or {name:.*}"
}

// typeConstraints are the type names other routers accept after the
// colon ({id:int} in ASP.NET, Rocket, gorilla-like helpers). Here the
// part after ':' is a regular expression, so {id:int} would only match
// the segment "int".
var typeConstraints = map[string]string{
	"int": "[0-9]+", "integer": "[0-9]+", "long": "[0-9]+", "uint": "[0-9]+", "number": "[0-9]+",
	"float": "", "double": "", "decimal": "", "bool": "", "boolean": "",
	"string": "", "alpha": "[a-zA-Z]+", "guid": "", "uuid": "", "slug": "",
}

// typeConstraint returns an error message when expr is a type name
// rather than a regular expression, "" otherwise.
func typeConstraint(name, expr string) string {
	re, ok := typeConstraints[expr]
	if !ok {
		return ""
	}
	want := "{" + name + "}"
	if re != "" {
		want = "{" + name + ":" + re + "}"
	}
	return fmt.Sprintf("{%s:%s} is a type constraint from another router, but after ':' comes a regular expression (this one would only match the text %q): write %s", name, expr, expr, want)
}

func isTailExpr(expr string) bool { return expr == ".*" || expr == "^.*$" }

func validParamName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '_' && c != '-' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
