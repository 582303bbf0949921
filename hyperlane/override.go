package hyperlane

// This file holds the check that makes a silent override loud: a
// terminal helper (Text, JSON, Redirect, ...) called after another one
// already set the response. The later call still wins, as it always did;
// the first time it happens on a route, a warning names both calls.

// terminal names the terminal helper that last set the buffered response.
// It lives in the pooled Context state as one byte, so the check costs no
// allocation on the hot path.
type terminal uint8

const (
	termNone terminal = iota
	termText
	termHTML
	termJSON
	termBlob
	termNoContent
	termRedirect
	termFile
	termProblem
)

var terminalNames = [...]string{
	termNone:      "",
	termText:      "Text",
	termHTML:      "HTML",
	termJSON:      "JSON",
	termBlob:      "Blob",
	termNoContent: "NoContent",
	termRedirect:  "Redirect",
	termFile:      "File",
	termProblem:   "WriteProblem",
}

func (t terminal) String() string { return terminalNames[t] }

// setBy records that the terminal helper t has just set the response. It
// counts only calls made by request middleware and the route handler (and
// what they call, such as a typed operation writing its output): calls
// made while an error becomes a response (the error handler) or by
// response middleware are deliberate replacements and stay quiet. When an
// earlier counted call had already set the response, the first such
// override on the route logs a warning naming both.
//
// Callers have checked c.live().
func (c *Context) setBy(t terminal) {
	if c.responding || c.handlingError {
		return
	}
	prev := c.terminal
	c.terminal = t
	if prev == termNone || c.route == nil {
		return
	}
	if c.route.overrideWarned.CompareAndSwap(false, true) {
		c.server.log.Warn("hyperlane: "+c.route.info.Method+" "+c.route.info.Pattern+": "+
			t.String()+" called after "+prev.String()+" already set the response; the later call wins",
			"method", c.route.info.Method, "route", c.route.info.Pattern,
			"first", prev.String(), "second", t.String())
	}
}
