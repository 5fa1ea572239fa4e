# trustc: two commands do everything. See README.md.
GO ?= go

.PHONY: generate test check-generated fmt

# Compile every environment into golden/, then refresh the README's list of
# differences from Sigstore's published files.
generate:
	$(GO) run ./cmd/trustc generate
	$(GO) test ./compiler -run '^TestPublishedDifferencesDocumented$$' -count=1 -update

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
