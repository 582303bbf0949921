package hyperlane

import (
	"fmt"
	"regexp"
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

// CheckPattern returns nil when pattern is a valid route pattern, or the
// error registering it would panic with. Every way of registering a
// route (methods, Route, Mount, Static, WebSocket, package openapi,
// adapter.Mount) goes through this one check, so a pattern written in
// another router's syntax (":id", "*filepath", "<id>", "{path...}")
// fails at registration naming the form to write instead of becoming a
// literal route that never matches.
func CheckPattern(pattern string) error {
	_, err := compilePattern(pattern)
	return err
}

// compilePattern checks a pattern and translates it to chi's syntax:
// "{name}" passes through, "{name:regex}" becomes "{name:^(?:regex)$}"
// so that the expression must match the whole segment (chi only adds a
// missing ^ or $, which leaves "a|b" matching "apple"), and a last segment
// "{name:.*}" or "{name:^.*$}" becomes chi's tail catch-all "*", read back
// as Param(name). It returns an error naming the problem; the caller adds
// the pattern.
func compilePattern(pattern string) (compiledPattern, error) {
	var cp compiledPattern
	if pattern == "" || pattern[0] != '/' {
		return cp, fmt.Errorf("must begin with '/'")
	}
	var out, shape strings.Builder
	seen := map[string]bool{}
	for i := 0; i < len(pattern); {
		ch := pattern[i]
		switch {
		case ch == '{':
			end, err := closingBrace(pattern, i)
			if err != nil {
				return cp, err
			}
			name, expr, hasExpr := strings.Cut(pattern[i+1:end], ":")
			if !validParamName(name) {
				return cp, fmt.Errorf("invalid parameter name %q%s", name, foreignBrace(name))
			}
			if hint := typeConstraint(name, expr); hint != "" {
				return cp, fmt.Errorf("%s", hint)
			}
			if seen[name] {
				return cp, fmt.Errorf("duplicate parameter %q", name)
			}
			seen[name] = true
			if i > 0 && pattern[i-1] != '/' || end+1 < len(pattern) && pattern[end+1] != '/' {
				// chi allows "{a}-{b}" within a segment, but a regex or
				// tail that does not own its segment is ambiguous; keep
				// parameters whole segments so matching stays predictable.
				return cp, fmt.Errorf("parameter {%s} must be a whole path segment", name)
			}
			if hasExpr && isTailExpr(expr) {
				if end != len(pattern)-1 {
					return cp, fmt.Errorf("catch-all {%s} must be the last segment", name)
				}
				cp.tailName = name
				out.WriteByte('*')
				shape.WriteByte('*')
				i = end + 1
				continue
			}
			if hasExpr {
				if expr == "" {
					return cp, fmt.Errorf("empty regular expression in {%s}", name)
				}
				if strings.Contains(expr, "/") {
					return cp, fmt.Errorf("regular expression in {%s} matches one segment and cannot contain '/'", name)
				}
				if _, err := regexp.Compile(expr); err != nil {
					return cp, fmt.Errorf("invalid regular expression in {%s}: %w", name, err)
				}
				out.WriteString("{" + name + ":^(?:" + expr + ")$}")
			} else {
				out.WriteString("{" + name + "}")
			}
			shape.WriteString("{:" + expr + "}")
			i = end + 1
		case ch == '}':
			return cp, fmt.Errorf("unbalanced '}' at offset %d: a parameter is written {name}", i)
		case i > 0 && pattern[i-1] == '/' && (ch == ':' || ch == '<' || ch == '*' && len(segmentAt(pattern, i)) > 1):
			// Only a segment that begins with one of them: a colon inside
			// a segment is literal ("/v1/items:batchGet").
			return cp, foreignSegment(segmentAt(pattern, i))
		case ch == '*':
			if i != len(pattern)-1 || pattern[i-1] != '/' {
				return cp, fmt.Errorf("'*' must be the whole last segment")
			}
			cp.tailName = "*"
			out.WriteByte('*')
			shape.WriteByte('*')
			i++
		default:
			if ch < 0x21 || ch == 0x7f {
				return cp, fmt.Errorf("control or space character at offset %d", i)
			}
			if ch == '?' || ch == '#' {
				return cp, fmt.Errorf("%q at offset %d: a path pattern has no query or fragment", ch, i)
			}
			out.WriteByte(ch)
			shape.WriteByte(ch)
			i++
		}
	}
	if strings.Contains(pattern, "//") {
		return cp, fmt.Errorf("empty path segment")
	}
	cp.chi, cp.shape = out.String(), shape.String()
	cp.static = len(seen) == 0 && cp.tailName == ""
	return cp, nil
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
