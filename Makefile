# llm-simulator — a fresh machine needs `make install` (the command on
# PATH), `make run` and `make test`; everything else is a convenience.

GO      ?= go
BIN     := bin/llm-simulator
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
ARGS    ?=
FUZZTIME ?= 3s

.PHONY: build install run test fuzz bench bench-scale bench-soak lint fmt

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/llm-simulator

# Installs llm-simulator as `make build` builds it, into $(go env GOBIN),
# by default the first $(go env GOPATH)'s bin, and says so — and how to put
# that folder on PATH when it is not.
install:
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/llm-simulator
	@dir="$$($(GO) env GOBIN)"; gopath="$$($(GO) env GOPATH)"; dir="$${dir:-$${gopath%%:*}/bin}"; \
	echo "installed $$dir/llm-simulator"; \
	case ":$$PATH:" in *":$$dir:"*) ;; *) echo "$$dir is not on PATH; add it: export PATH=\"$$dir:\$$PATH\"";; esac

# Serves the embedded default config on 127.0.0.1:8080 (admin on :9090).
# Pass flags with ARGS, e.g. make run ARGS='--config my.yaml'.
run:
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/llm-simulator $(ARGS)

# The whole suite, with the race detector (goleak checks each package for
# goroutines left behind), then every fuzz target for a few seconds.
# CI runs exactly this.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# Each native fuzz target for FUZZTIME (3s) in turn, about 2 minutes in
# all; make fuzz FUZZTIME=1m to dig deeper.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# Go benchmarks beside the code, then the load benchmarks — against a
# bare server, and forwarding and interception against other proxies
# (installs wrk and hey if missing, toxiproxy-server into a temporary
# directory if it is not on PATH) — ending with one summary table of
# every mode against its baseline and target (bench/table.sh).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bench/table.sh

# Streams at scale (about 7 minutes; 18,000 open streams per server):
# memory per open stream and timing accuracy against bare (BENCHMARKS.md).
bench-scale:
	bench/scale.sh

# Ten minutes of mixed traffic with faults, reloads and admin changes;
# fails if resident memory or goroutines grow (DURATION=2m for less).
bench-soak:
	bench/soak.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')
