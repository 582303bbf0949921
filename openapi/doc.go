// Package openapi turns Go functions with typed input and output into
// documented, validated operations of a hyperlane.Server, and serves the
// OpenAPI document with Swagger UI and RapiDoc from the same router.
//
//	api := openapi.New(s, openapi.Config{Title: "Petstore", Version: "1.0.0"})
//	openapi.Get(api, "/pets/{id}", getPet, openapi.Summary("Find a pet"), openapi.Tags("pets"))
//
//	type GetPet struct {
//		ID int64 `path:"id" minimum:"1"`
//	}
//
//	func getPet(c *hyperlane.Context, in *GetPet) (*Pet, error)
//
// One struct is the single source of truth: the document is reflected
// from it (with github.com/swaggest/openapi-go), and each request is bound
// from it and validated against the JSON Schema the document contains,
// so what the document says and what the server enforces cannot drift.
//
// # Input
//
// Each exported field of the input struct says where it comes from:
//
//	path:"id"      a {id} of the pattern (always required)
//	query:"limit"  a query parameter; a slice takes repeated ones (?tag=a&tag=b)
//	header:"X-Key" a request header
//	cookie:"sid"   a cookie
//	json:"name"    a property of the JSON body
//	form:"name"    a field of a urlencoded or multipart form; a
//	               *multipart.FileHeader (or a slice of them) is a file upload
//	Body           a field named Body without tags is the whole JSON body,
//	               of any type (a pointer makes the body optional)
//	json:"-"       ignored
//
// Constraints come from the tags swaggest/jsonschema-go reads: required,
// default, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
// multipleOf, minLength, maxLength, pattern, enum, format, minItems,
// maxItems, uniqueItems, description, example.
//
// Required or optional: a path parameter is always required; query,
// header, cookie and form fields are optional unless tagged
// required:"true". A JSON property is required unless encoding/json may
// leave it out (omitempty or omitzero), it is a pointer, or it has a
// default; required:"true" or required:"false" overrides the rule.
//
// Null: parameters and form fields never accept null; a pointer there
// only means "optional". In JSON, null appears exactly where encoding/json
// writes it: pointers, slices and maps without omitempty or omitzero are
// nullable, everything else is not; nullable:"true" or nullable:"false"
// overrides. An output that is itself a nil slice or map is written as
// [] or {}, as its schema says.
//
// A body that is not valid JSON (or form data) is a 400; values that fail
// to convert or validate are a 422 listing every failing field with its
// location (path.id, query.limit, header.X-Key, body.name) and a message.
// Both are RFC 9457 application/problem+json, documented on every
// operation with the Problem schema, with 500 and any declared Errors.
//
// # Output
//
// *O is written as JSON with the success status (200, or 204 when O has
// no body; see Status). Fields tagged header:"X-Name" json:"-" are
// written as response headers. A field tagged contentType:"image/png"
// json:"-" of type []byte, string or io.Reader is the raw body.
//
// # Documents and pages
//
// New serves /openapi.json and /openapi.yaml (OpenAPI 3.1),
// /openapi-3.0.json and /openapi-3.0.yaml (3.0.3), /swagger (Swagger UI,
// embedded) and /rapidoc (RapiDoc, its script served by the app from
// Config.RapiDocDir, else from a pinned CDN file); Config moves or
// disables each. The pages send a Content-Security-Policy. Under a mount prefix (see
// hyperlane.WithMountPrefix) the documents list the prefix as their
// server, so the pages and generated clients call the mounted paths.
// New also adds the "openapi" command, which prints a document without
// serving: `app openapi --format yaml --version 3.1 > api.yaml`.
package openapi
