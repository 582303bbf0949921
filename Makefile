# Hyperlane for Go. `make run` starts the showcase app; `make test` is the
# gate every change passes; `make e2e` adds real outside tools.
SHELL := /bin/bash
GO    ?= go
HYPERLANE_ADDR ?= 127.0.0.1:60000
export HYPERLANE_ADDR
# staticcheck is pinned; make lint installs it once into bin/.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(CURDIR)/bin/staticcheck-$(STATICCHECK_VERSION)
# The modules lint covers: the library, the examples, the e2e and bench
# tools, the backplane modules and telemetry (each its own go.mod).
MODULES := . examples e2e bench backplane/redis backplane/nats telemetry
# The modules make test covers: the library, the examples (their own
# module, so what they show never grows the library's go.mod), the
# backplane modules (tests needing redis-server skip under -short without
# it) and telemetry.
TEST_MODULES := . examples backplane/redis backplane/nats telemetry

.PHONY: run ui-assets test e2e bench bench-micro lint fuzz api.yaml asyncapi.yaml check-api

run: ## build and start examples/quickstart on $(HYPERLANE_ADDR)
	@$(GO) run ./scripts/uiassets -out ui-assets || echo "make run: could not fetch RapiDoc (see above); /rapidoc will load it from the CDN"
	@echo "building examples/quickstart into bin/ (the first build, on a cold cache, takes a minute or two) ..."
	@cd examples && $(GO) build -o ../bin/quickstart ./quickstart
	@echo "starting bin/quickstart on $(HYPERLANE_ADDR) (Ctrl-C drains and stops it)"
	@./bin/quickstart

# RapiDoc is not a Go module: fetched from the npm registry, pinned by
# version and sha512 (scripts/uiassets/pins.json), into the ignored
# ui-assets/, which the quickstart serves /rapidoc from. Needs only Go.
ui-assets: ## fetch the pinned, checksum-verified doc UIs into ui-assets/
	$(GO) run ./scripts/uiassets -out ui-assets

# The modules run at once; scripts/test.sh prints each one's output whole.
test: ## go vet + race tests over the library and examples
	@GO=$(GO) bash scripts/test.sh $(TEST_MODULES)

e2e: ## end-to-end tests with outside tools (installs what it needs)
	bash e2e/run.sh

bench: ## side-by-side benchmark against peers (see bench/)
	bash bench/run.sh

bench-micro: ## router micro-benchmarks, -count 10, benchstat against peers
	bash bench/micro.sh

lint: $(STATICCHECK) ## gofmt, go vet and staticcheck over every module; zero findings
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@for m in $(MODULES); do echo "go vet + staticcheck $(STATICCHECK_VERSION): $$m"; \
	  (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./...) || exit 1; done

$(STATICCHECK):
	@echo "installing staticcheck $(STATICCHECK_VERSION) into bin/ ..."
	GOBIN=$(CURDIR)/bin/.staticcheck $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(CURDIR)/bin/.staticcheck/staticcheck $@ && rmdir $(CURDIR)/bin/.staticcheck

fuzz: ## run every fuzz target for FUZZTIME (default 30s)
	bash scripts/fuzz.sh $${FUZZTIME:-30s}

api.yaml: ## regenerate the petstore spec from examples/quickstart
	cd examples && $(GO) run ./quickstart openapi --format yaml --version 3.1 > ../api.yaml.tmp && mv ../api.yaml.tmp ../api.yaml

asyncapi.yaml: ## regenerate the quickstart's AsyncAPI document (WebSocket and SSE)
	cd examples && $(GO) run ./quickstart asyncapi --format yaml > ../asyncapi.yaml.tmp && mv ../asyncapi.yaml.tmp ../asyncapi.yaml
