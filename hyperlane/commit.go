package hyperlane

// commitHow says which write deadline a commit sets.
type commitHow uint8

const (
	// commitStream: more writes follow (Send, Flush, the raw writer, a
	// file): the write-idle deadline is renewed now.
	commitStream commitHow = iota
	// commitFinal: the buffered response at the end of the request; the
	// deadline is renewed only when needed (see renewFinalWriteDeadline).
	commitFinal
	// commitHijack: the connection was taken over. Its unread body and
	// its deadlines are the new owner's: net/http cleared the deadlines
	// when it handed the connection over, and setting one now would set
	// it on the owner's connection.
	commitHijack
)

// commit marks the response committed: from now on Hyperlane writes
// nothing of the buffered status and body, and the terminal helpers
// return ErrCommitted. It is the only place that sets the flag, so that
// whatever commits also bounds the unread request body (which must run
// before the headers go out, as it may add Connection: close) and sets
// the write deadline.
func (c *Context) commit(how commitHow) {
	c.committed = true
	if how == commitHijack {
		return
	}
	c.reqBody.boundDrain()
	switch how {
	case commitStream:
		c.extendWriteDeadline()
	case commitFinal:
		c.renewFinalWriteDeadline()
	}
}

// mayRespond is what the terminal helpers, Send and SSE check first:
// ErrCommitted once the response was committed, as what they would write
// can no longer be.
func (c *Context) mayRespond() error {
	if c.committed {
		return ErrCommitted
	}
	return nil
}
