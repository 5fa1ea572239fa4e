# trustc: two commands do everything. See README.md.
GO ?= go

.PHONY: generate test check-generated fmt bench

# Compile every environment into golden/. Nothing else: the list of
# differences from Sigstore's published files is a page of its own, kept
# current by a test (docs/published-differences.md).
generate:
	$(GO) run ./cmd/trustc generate

test:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool cue fmt --check --files ./schema ./environments ./cue.mod
	$(GO) mod tidy -diff
	$(GO) test -race -count=1 ./...
	$(MAKE) check-generated

# Regenerating must change nothing that is committed, as cue's trybot checks.
check-generated: generate
	@if [ -n "$$(git status --porcelain)" ]; then echo "make generate changed the tree; commit its output:"; git status --porcelain; git diff | head -50; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')
	$(GO) tool cue fmt --files ./schema ./environments ./cue.mod

# Benchmarks, in benchstat's input format: 'make bench' twice around a
# change, then 'benchstat old.txt new.txt'. BENCH picks benchmarks by regexp,
# BENCHCOUNT sets -count. Output also goes to bench/out/bench.txt (ignored by
# git). 'make test' only compiles them. bench/compare.sh times trustc against
# cue export as whole processes.
BENCH ?= .
BENCHCOUNT ?= 6
bench:
	@mkdir -p bench/out
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCHCOUNT) -timeout 60m ./... >bench/out/bench.txt; \
		status=$$?; cat bench/out/bench.txt; exit $$status
