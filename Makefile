# support_exporter. `make test` is what CI runs (see .ci/run).
GO        ?= go
BIN       := support_exporter
PKG       := github.com/prometheus/common/version
VERSION   ?= $(shell cat VERSION 2>/dev/null || echo 0.0.0)
REVISION  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Revision=$(REVISION) -X $(PKG).Branch=$(BRANCH) \
             -X $(PKG).BuildUser=$(shell whoami)@$(shell hostname) -X $(PKG).BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)

.PHONY: all build demo test test-prometheus3 lint unit e2e bench fuzz clean

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/support_exporter

demo:
	$(GO) run ./cmd/support_exporter --demo

# The full test suite: formatting, vet, staticcheck, unit tests, the
# end-to-end tests that drive the built binary (they need promtool: Debian
# package `prometheus`), then the tests that use Prometheus again with
# Prometheus 3. `make unit` is the quick run: -short skips ./e2e.
test: lint
	$(GO) test -count=1 -timeout 20m ./...
	$(MAKE) --no-print-directory test-prometheus3

# The tests that run Prometheus or promtool (e2e/prometheus3_test.go checks
# that this list is whole). test-prometheus3 runs them with Prometheus 3,
# built once by scripts/prometheus3.sh at the version pinned in
# internal/tools/prometheus3/go.mod; `make test` ran them with PATH's
# (Debian's 2.42).
PROMETHEUS_TESTS := ^(TestBackfillJoinsLiveScrapes|TestContractMonth|TestDashboardsAndAlertsAgainstPrometheus|TestDemo|TestDocsFreshness|TestDrillAnsweredAt0340|TestFeatureRequestShippedAfter40Days|TestPromtoolChecksCommittedRules|TestPromtoolChecksOtherConfigs|TestPromtoolUnitTests|TestReportMatchesPromQL)$$

test-prometheus3:
	@dir=$$(bash scripts/prometheus3.sh) && "$$dir/prometheus" --version | head -1 && \
	  SUPPORT_EXPORTER_PROMETHEUS="$$dir/prometheus" SUPPORT_EXPORTER_PROMTOOL="$$dir/promtool" \
	  $(GO) test -count=1 -timeout 20m -run '$(PROMETHEUS_TESTS)' ./alerts ./e2e

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

unit:
	$(GO) test -count=1 -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Short coverage-guided fuzzing of every decoder (FUZZTIME per target).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./collectors/...); do \
	  for t in $$($(GO) test -list 'Fuzz.*' $$pkg | grep ^Fuzz); do \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -f $(BIN)
