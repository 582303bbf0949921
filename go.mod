module github.com/hyperlane-go/hyperlane

go 1.26

require (
	github.com/coder/websocket v1.8.15
	github.com/go-chi/chi/v5 v5.5.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/swaggest/jsonschema-go v0.3.74
	github.com/swaggest/openapi-go v0.2.60
	github.com/swaggest/swgui v1.8.5
	golang.org/x/text v0.14.0
)

require (
	github.com/swaggest/refl v1.3.1 // indirect
	github.com/vearutop/statigz v1.4.0 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)
