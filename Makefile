# Hyperlane for Go. `make run` starts the showcase app; `make test` is the
# gate every change passes; `make e2e` adds real outside tools.
SHELL := /bin/bash
GO    ?= go
HYPERLANE_ADDR ?= 127.0.0.1:60000
export HYPERLANE_ADDR

.PHONY: run test e2e bench bench-micro lint fuzz api.yaml check-api

run: ## start examples/quickstart on $(HYPERLANE_ADDR)
	$(GO) run ./examples/quickstart

test: ## go vet + race tests over the library and examples
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

e2e: ## end-to-end tests with outside tools (installs what it needs)
	bash e2e/run.sh

bench: ## side-by-side benchmark against peers (see bench/)
	bash bench/run.sh

bench-micro: ## router micro-benchmarks, -count 10, benchstat against peers
	bash bench/micro.sh

lint: ## formatting and vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz: ## run every fuzz target for FUZZTIME (default 30s)
	bash scripts/fuzz.sh $${FUZZTIME:-30s}

api.yaml: ## regenerate the petstore spec from examples/quickstart
	$(GO) run ./examples/quickstart openapi --format yaml --version 3.1 > api.yaml.tmp && mv api.yaml.tmp api.yaml
