# support_exporter. `make test` is what CI runs (see .ci/run).
GO        ?= go
BIN       := support_exporter
PKG       := github.com/prometheus/common/version
VERSION   ?= $(shell cat VERSION 2>/dev/null || echo 0.0.0)
REVISION  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Revision=$(REVISION) -X $(PKG).Branch=$(BRANCH) \
             -X $(PKG).BuildUser=$(shell whoami)@$(shell hostname) -X $(PKG).BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)

.PHONY: all build demo test test-prometheus3 lint unit e2e bench fuzz clean release docker chart

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
PROMETHEUS_TESTS := ^(TestBackfillJoinsLiveScrapes|TestContractMonth|TestCreditsToClaimReadsOneReplica|TestDashboardsAndAlertsAgainstPrometheus|TestDemo|TestDocsFreshness|TestDrillAnsweredAt0340|TestFeatureRequestShippedAfter40Days|TestInstancesAgree|TestInstancesGaugeFromFreshestReplica|TestMixinKubernetesSelector|TestNativeHistograms|TestPromtoolChecksCommittedRules|TestPromtoolChecksOtherConfigs|TestPromtoolRecordsPerCluster|TestPromtoolUnitTests|TestRemoteWriteToVictoriaMetrics|TestReportMatchesPromQL)$$

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

# Release tarballs, node_exporter's layout: dist/support_exporter-VERSION.OS-ARCH.tar.gz
# holding support_exporter-VERSION.OS-ARCH/ with the binary (.exe on Windows),
# LICENSE, NOTICE, README.md, CHANGELOG.md and an example config, and
# dist/sha256sums.txt. Plain go build (-trimpath, static) with the LDFLAGS above;
# GNU tar with sorted names, root ownership and the last commit's time, gzip -n.
# PLATFORMS=linux/amd64 builds one (deploy/release_test.go checks them).
DIST      ?= dist
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
RELEASE_FILES := LICENSE NOTICE README.md CHANGELOG.md examples/support_exporter.yml
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

release:
	rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
	  dir=$(BIN)-$(VERSION).$$os-$$arch; \
	  echo "$(DIST)/$$dir.tar.gz"; \
	  mkdir -p $(DIST)/$$dir; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(DIST)/$$dir/$(BIN)$$ext ./cmd/support_exporter; \
	  cp $(RELEASE_FILES) $(DIST)/$$dir/; \
	  tar -C $(DIST) --sort=name --owner=0 --group=0 --numeric-owner --mode=go-w --mtime=@$(SOURCE_DATE_EPOCH) -cf - $$dir | gzip -9n > $(DIST)/$$dir.tar.gz; \
	  rm -rf $(DIST)/$$dir; \
	done
	cd $(DIST) && sha256sum *.tar.gz > sha256sums.txt

# The multi-arch image (needs Docker with buildx). The build context has no
# .git (.dockerignore), so the revision comes in as a build argument.
# DOCKER_FLAGS=--push publishes it (a multi-platform image cannot be loaded
# into a Docker engine without the containerd image store).
IMAGE     ?= ghcr.io/support-exporter/support_exporter
DOCKER_PLATFORMS ?= linux/amd64,linux/arm64
DOCKER_FLAGS ?=
docker:
	docker buildx build --platform $(DOCKER_PLATFORMS) \
	  --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) --build-arg BRANCH=$(BRANCH) \
	  -t $(IMAGE):$(VERSION) $(DOCKER_FLAGS) .

# Helm, pinned in its own module (internal/tools/helm: never in go.mod),
# built once into the tools cache beside the Go build cache; the deploy
# tests use the same binary. `make chart` lints and renders the chart.
TOOLS        ?= $(shell $(GO) env GOCACHE)/../support_exporter-tools
HELM_VERSION := $(shell awk '$$1 == "require" && $$2 == "helm.sh/helm/v4" {print $$3} $$1 == "helm.sh/helm/v4" {print $$2}' internal/tools/helm/go.mod)
HELM         ?= $(TOOLS)/helm-$(HELM_VERSION)
$(HELM): internal/tools/helm/go.mod internal/tools/helm/go.sum
	$(GO) build -C internal/tools/helm -o $(HELM) helm.sh/helm/v4/cmd/helm

chart: $(HELM)
	$(HELM) lint --strict deploy/helm/support-exporter
	$(HELM) template support-exporter deploy/helm/support-exporter --values deploy/testdata/values-full.yaml >/dev/null
	$(GO) test -count=1 -run 'TestChart' ./deploy

clean:
	rm -f $(BIN)
	rm -rf $(DIST)
