# trustc: two commands do everything. See README.md.
GO ?= go

.PHONY: generate test test-race test-norace check-generated fmt bench rehearse

# trustc, rebuilt only when a Go file, go.mod, go.sum or a file the binary
# embeds changes. 'go run' re-hashes every package on each run, about
# 0.4 s of CPU: ten times what generate itself takes (docs/performance.md).
TRUSTC := bin/trustc
TRUSTC_SRC := $(shell find . -name '*.go' -not -name '*_test.go' -not -path './.git/*') go.mod go.sum $(wildcard schema/*.cue) .github/workflows/trustc.yml
$(TRUSTC): $(TRUSTC_SRC)
	$(GO) build -o $@ ./cmd/trustc

# Compile every environment into golden/. Nothing else: the list of
# differences from Sigstore's published files is a page of its own, kept
# current by a test (docs/published-differences.md).
generate: $(TRUSTC)
	$(TRUSTC) generate

# The race detector makes a test binary four to eight times slower and
# finds races only where goroutines run, so go test -race runs on the
# packages whose Go files (tests included) start goroutines or guard state
# with sync (RACE_PATTERN); every other package is tested without it.
# (Tests marked t.Parallel alone do not count: cmd/trustc's scripts run
# trustc as separate processes.) Code that only runs on those goroutines
# (derive, check, emit, load for each environment) is raced through the
# tests of the packages that start them: compiler's, and internal/cli's,
# which run trustc's commands in-process and two at a time. RACE_SKIP
# names tests in raced packages that start no goroutines of their own and
# take tens of seconds under the detector (the policy corpus, every
# release of Sigstore's history); they run in the same make test without
# -race, wherever they are. The two sets run at once, each one's output
# printed whole when it ends: one after the other, each ended on one long
# package (internal/cli with -race, cmd/trustc without) while the other
# core idled. docs/performance.md has the figures.
RACE_PATTERN := (^|[^A-Za-z0-9_])go (func|[A-Za-z_][A-Za-z0-9_.]*\()|\.Go\(|parallel\.Map|sync\.(Mutex|RWMutex|Map)
RACE_SKIP := TestPolicyCorpus|TestHistoryVerdicts
RACE_SKIP_PATTERN := func ($(RACE_SKIP))\(
grep_dirs = $(sort $(dir $(shell grep -rlE --include='*.go' --exclude-dir=.git --exclude-dir=testdata --exclude-dir=rehearsal '$(1)' .)))

test:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool cue fmt --check --files ./schema ./environments ./cue.mod
	$(GO) mod tidy -diff
	$(MAKE) --no-print-directory -j2 --output-sync=target test-race test-norace
	$(MAKE) check-generated

test-race:
	$(GO) test -race -count=1 -skip '^($(RACE_SKIP))$$' $(call grep_dirs,$(RACE_PATTERN))

test-norace:
	race=$$($(GO) list $(call grep_dirs,$(RACE_PATTERN))); \
		$(GO) test -count=1 $$($(GO) list ./... | grep -vxF "$$race")
	$(GO) test -count=1 -run '^($(RACE_SKIP))$$' $(call grep_dirs,$(RACE_SKIP_PATTERN))

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

# Rehearse a rollout end to end with the real Sigstore servers and clients
# (rehearsal/, a Go module of its own; docs/rehearsal.md). The first run
# builds the pinned servers into the user cache directory (or
# TRUSTC_REHEARSAL_CACHE); later runs reuse them. Needs port 443 on
# 127.0.0.1 (root). The report, every server's log and every bundle end up
# in rehearsal/out/.
rehearse:
	@if command -v npm >/dev/null 2>&1 && [ ! -d rehearsal/js/node_modules/@sigstore/verify ]; then \
		(cd rehearsal/js && npm ci --ignore-scripts --no-audit --no-fund); fi
	cd rehearsal && TRUSTC_REHEARSAL_OUT=$(CURDIR)/rehearsal/out $(GO) test -count=1 -timeout 80m -run '^TestRehearsal$$' -v .
	@tail -1 rehearsal/out/report.md
