#!/usr/bin/env bash
# Measures our /metrics side by side with conradoqg/statuspage-exporter, the
# peer issue 16 names, on the same status page of 500 components:
#
#   scripts/bench-peer.sh PEER_SOURCE_DIR [BENCHTIME]
#
# The Go module proxy refuses the peer's module (403), so it is built from a
# checkout of its repository (github.com/conradoqg/statuspage-exporter; go
# build fetches its own dependencies). A Statuspage fake (python3's
# http.server over a generated api/v2/summary.json, the component names of
# world=status-500) feeds it; once it serves the 500 components, the same
# client loop (BenchmarkHTTP, BenchmarkHTTPPeer in exporter/exposition)
# scrapes ours in process and the peer's over loopback, one after the other
# on this machine. The peer fetches the page once at start (interval 24h),
# so no fetch runs while it is measured. Nothing here runs in CI: it needs
# the peer's source.
set -euo pipefail
peer_src=$(cd "${1:?usage: bench-peer.sh PEER_SOURCE_DIR [BENCHTIME]}" && pwd)
benchtime=${2:-3000x}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() {
  for p in ${pids[@]+"${pids[@]}"}; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

go build -C "$peer_src" -o "$work/peer" ./cmd/statuspage-exporter

mkdir -p "$work/page/api/v2"
python3 - "$work/page/api/v2/summary.json" <<'PY'
import json, random, sys
random.seed(56)
statuses = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]
components = [{"id": "c%03d" % i, "name": "Region %02d / Service %03d" % (i // 25, i),
               "status": random.choice(statuses), "group": False, "group_id": None} for i in range(500)]
page = {"page": {"id": "bench", "name": "bigcloud", "url": "http://127.0.0.1"},
        "components": components, "incidents": [], "scheduled_maintenances": [],
        "status": {"indicator": "none", "description": "All Systems Operational"}}
json.dump(page, open(sys.argv[1], "w"))
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
page_port=$(free_port)
python3 -m http.server "$page_port" --bind 127.0.0.1 --directory "$work/page" >/dev/null 2>&1 &
pids+=($!)
page_up=
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$page_port/api/v2/summary.json" 2>/dev/null && page_up=1 && break
  sleep 0.1
done
if [[ -z $page_up ]]; then
  echo "bench-peer.sh: the Statuspage fake on port $page_port does not answer" >&2
  exit 1
fi
peer_port=$(free_port)
cat > "$work/peer.yml" <<YML
server:
  listen: "127.0.0.1:$peer_port"
common:
  interval: 24h
  timeout: 10s
  log_level: error
pages:
  - name: bigcloud
    type: statuspage
    url: http://127.0.0.1:$page_port
YML
(cd "$work" && exec ./peer -config "$work/peer.yml" -listen "127.0.0.1:$peer_port") >"$work/peer.log" 2>&1 &
pids+=($!)

for _ in $(seq 100); do
  n=$(curl -fsS "http://127.0.0.1:$peer_port/metrics" 2>/dev/null | grep -c '^statuspage_component_up{' || true)
  [[ $n -ge 500 ]] && break
  sleep 0.1
done
if [[ ${n:-0} -lt 500 ]]; then
  echo "bench-peer.sh: the peer serves ${n:-0} components, not 500" >&2
  cat "$work/peer.log" >&2; curl -sS "http://127.0.0.1:$peer_port/metrics" | head -20 >&2
  exit 1
fi
SUPPORT_EXPORTER_PEER_URL="http://127.0.0.1:$peer_port" \
  go test ./exporter/exposition -run '^$' -bench 'HTTP(Peer)?/world=status-500' -benchtime "$benchtime"
