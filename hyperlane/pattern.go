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
				return cp, fmt.Errorf("invalid parameter name %q", name)
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
			return cp, fmt.Errorf("unbalanced '}' at offset %d", i)
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
	return 0, fmt.Errorf("missing '}' for parameter at offset %d", open)
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
