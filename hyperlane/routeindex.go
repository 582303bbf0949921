package hyperlane

import "strings"

// The router answers most requests without walking chi's tree: two
// indexes in front of it hold the commonest route shapes, and each
// answers exactly as the tree would, or not at all.
//
//   - staticIndex: parameter-free paths, one map probe on the path. chi
//     ranks a static segment above any parameter, so a static route
//     always wins where it matches.
//   - paramIndex: a static prefix and one final {name} segment, such as
//     /users/{id}: one map probe on the prefix. In chi's tree every other
//     route that could match such a path ranks below it (see paramIndex).
//
// The tree stays the source of truth: 405 and OPTIONS answers, and every
// other shape, come from it.

// staticRoutes holds the routes of one parameter-free path, by method.
type staticRoutes [numMethods]*route

// staticIndex finds static routes by their path.
type staticIndex struct {
	paths   map[string]*staticRoutes
	lengths lengthSet // of the keys of paths
}

func (ix *staticIndex) add(mi int, path string, r *route) {
	if ix.paths == nil {
		ix.paths = map[string]*staticRoutes{}
	}
	sr := ix.paths[path]
	if sr == nil {
		sr = new(staticRoutes)
		ix.paths[path] = sr
		ix.lengths.add(len(path))
	}
	sr[mi] = r
}

// find returns the routes of the static path, or nil. Most paths of
// parameterized routes have a length no static path has, so the set of
// lengths answers them without hashing the path.
func (ix *staticIndex) find(path string) *staticRoutes {
	if !ix.lengths.has(len(path)) {
		return nil
	}
	return ix.paths[path]
}

// paramIndex finds the routes whose pattern is a static prefix ending in
// '/' and one final plain {name} segment. For a path of that shape, chi
// tries static children before regular expressions, those before plain
// parameters, and those before catch-alls, level by level, so: an exact
// static path (asked first, in staticIndex) beats the parameter; a
// {name:regex} in the same place beats it too, so a prefix that has one
// is left to the tree; and any route that leaves the prefix earlier, with
// a parameter or catch-all where the prefix is static, or that ends in a
// catch-all, ranks below it. Parameters are whole segments (see
// ParsePattern), so nothing else can match.
type paramIndex struct {
	routes  [numMethods]map[string]paramRoute // by prefix
	lengths lengthSet                         // of the prefixes
	regex   map[string]bool                   // prefixes with a regex final segment
}

// paramRoute is an indexed route and the name of its final parameter.
type paramRoute struct {
	route *route
	name  string
}

// add indexes r, registered for method index mi with the parsed pattern,
// when the pattern has the indexed shape, and withdraws a prefix from the
// index once a regex route shares it.
func (ix *paramIndex) add(mi int, pattern Pattern, r *route) {
	prefix, name, regex, ok := pattern.finalParam()
	if !ok {
		return
	}
	if regex {
		if ix.regex == nil {
			ix.regex = map[string]bool{}
		}
		ix.regex[prefix] = true
		for i := range ix.routes {
			delete(ix.routes[i], prefix)
		}
		return
	}
	if ix.regex[prefix] {
		return
	}
	if ix.routes[mi] == nil {
		ix.routes[mi] = map[string]paramRoute{}
	}
	ix.routes[mi][prefix] = paramRoute{route: r, name: name}
	ix.lengths.add(len(prefix))
}

// find returns the route for method index mi and path, with the value of
// its parameter: the path's final segment, still escaped when path is.
func (ix *paramIndex) find(mi int, path string) (paramRoute, string) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || i == len(path)-1 || !ix.lengths.has(i+1) {
		return paramRoute{}, ""
	}
	return ix.routes[mi][path[:i+1]], path[i+1:]
}

// finalParam splits a pattern of the form /static/prefix/{name} or
// /static/prefix/{name:regex} into its prefix, up to and including the
// last '/', and its parameter. ok is false for any other shape,
// catch-alls included.
func (p Pattern) finalParam() (prefix, name string, regex, ok bool) {
	last := len(p.segs) - 1
	if last < 0 {
		return "", "", false, false
	}
	for _, s := range p.segs[:last] {
		if s.Kind != StaticSegment {
			return "", "", false, false
		}
	}
	s := p.segs[last]
	if s.Kind != ParamSegment && s.Kind != RegexSegment {
		return "", "", false, false
	}
	return p.text[:len(p.text)-len(s.Text)], s.Name, s.Kind == RegexSegment, true
}

// lengthSet is a set of path lengths; lengths from 255 up share the last
// member.
type lengthSet [4]uint64

func (ls *lengthSet) add(n int) {
	n = min(n, 255)
	ls[n/64] |= 1 << (n % 64)
}

func (ls *lengthSet) has(n int) bool {
	n = min(n, 255)
	return ls[n/64]&(1<<(n%64)) != 0
}
