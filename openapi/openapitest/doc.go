// Package openapitest checks an app against its own OpenAPI document
// in tests, in memory, as a contract.
//
// New fetches the OpenAPI 3.1 document the app serves (/openapi.json)
// and returns a Client that calls the app without a socket, like
// net/http/httptest. Every response is checked against the operation its
// request matches in the document, by path template and server prefix:
//
//   - the status is documented (its code, its range such as "4XX", or
//     "default");
//   - every header the response documents as required is present, and
//     every documented header present has a value its schema allows
//     (headers the document does not name are not checked);
//   - the Content-Type is one of the response's content types, and a
//     body is sent only where the document describes one;
//   - a JSON body matches the schema of its media type, and so does the
//     data of each event of a text/event-stream body (the shape package
//     openapi documents streams in).
//
// A response that breaks any of these fails the test with t.Errorf,
// naming the request, the status, the operation ("GET /pets/{id}
// (getPet)") and each mismatch, with the JSON pointer of the value in
// the body. The test then goes on: the response is returned to assert
// on as usual.
//
//	c := openapitest.New(t, app, openapitest.WithHeader("X-API-Key", key))
//	var pet Pet
//	c.Post("/pets", NewPet{Name: "Bo"}).JSON(&pet)
//	c.Get("/pets/99") // a 404: fails the test unless the document lists it
//
// CheckFile fails a test when a checked-in copy of the document, such as
// an api.yaml that client generators read, is not what the app serves,
// showing a unified diff and the command that regenerates it.
//
// The package needs nothing from Hyperlane: any http.Handler that serves
// an OpenAPI 3.1 document can be checked.
package openapitest
