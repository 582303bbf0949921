package hyperlane_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Work that goes on after the handler answered takes Detach's copy of
// the request, never the Context: the Context is released when the
// handler returns, the copy stays valid, and its context keeps the
// request's values without being cancelled when the request ends.
func ExampleContext_Detach() {
	s := hyperlane.New()
	requestOver, reported := make(chan struct{}), make(chan string)
	s.Post("/reports/{id}", func(c *hyperlane.Context) error {
		d := c.Detach()
		go func() {
			<-requestOver // only to make the example's output certain
			// Not cancelled when the request ends: bound the work yourself.
			ctx, cancel := context.WithTimeout(d.Context(), time.Minute)
			defer cancel()
			reported <- fmt.Sprintf("report %s for %s built (context: %v)", d.Param("id"), d.Header.Get("X-User"), ctx.Err())
		}()
		return c.NoContent(http.StatusAccepted)
	})

	ctx, endRequest := context.WithCancel(context.Background())
	r := httptest.NewRequestWithContext(ctx, "POST", "/reports/42", nil)
	r.Header.Set("X-User", "ada")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	endRequest() // as net/http does once the response is sent
	close(requestOver)
	fmt.Println(w.Code)
	fmt.Println(<-reported)
	// Output:
	// 202
	// report 42 for ada built (context: <nil>)
}
