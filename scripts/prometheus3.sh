#!/usr/bin/env bash
# Builds prometheus and promtool of Prometheus 3 once, at the version pinned
# in internal/tools/prometheus3/go.mod (from the Go module proxy), and prints
# the directory that holds them. make test runs the rule tests and the
# end-to-end tests that use Prometheus with them, besides Debian's 2.x.
#
# The build leaves out the web UI's assets (the HTTP API is all the tests
# use) and every service discovery but file and HTTP (-tags remove_all_sd),
# which halves the build. The binaries are cached in
# $SUPPORT_EXPORTER_TOOLS (default: beside Go's build cache), one directory
# per version: a second run only prints the path.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=internal/tools/prometheus3
modver=$(go list -C "$mod" -m -f '{{.Version}}' github.com/prometheus/prometheus)
# Prometheus tags its Go module v0.3MM.P for release 3.MM.P.
if [[ ! $modver =~ ^v0\.3([0-9][0-9])\.([0-9]+)$ ]]; then
  echo "prometheus3.sh: $modver is not a Prometheus 3 module version (v0.3MM.P)" >&2
  exit 1
fi
version="3.$((10#${BASH_REMATCH[1]})).${BASH_REMATCH[2]}"
tools=${SUPPORT_EXPORTER_TOOLS:-$(go env GOCACHE)/../support_exporter-tools}
dir="$tools/prometheus-$version"
if [[ ! -x $dir/prometheus || ! -x $dir/promtool ]]; then
  mkdir -p "$tools"
  tools=$(cd "$tools" && pwd)
  dir="$tools/prometheus-$version"
  tmp=$(mktemp -d "$tools/.prometheus-$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "prometheus3.sh: building Prometheus $version ($modver) into $dir" >&2
  start=$SECONDS
  v=github.com/prometheus/common/version
  CGO_ENABLED=0 go build -C "$mod" -trimpath -tags remove_all_sd \
    -ldflags "-s -w -X $v.Version=$version -X $v.Revision=$modver -X $v.Branch=module-proxy" \
    -o "$tmp/" github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
  for bin in prometheus promtool; do
    if ! "$tmp/$bin" --version 2>&1 | grep -q "version $version "; then
      echo "prometheus3.sh: $tmp/$bin --version does not say $version" >&2
      exit 1
    fi
  done
  rm -rf "$dir"
  mv "$tmp" "$dir"
  echo "prometheus3.sh: built in $((SECONDS - start))s" >&2
fi
cd "$dir" && pwd
