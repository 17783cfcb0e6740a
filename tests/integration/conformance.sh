#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios, active suite)
# against `wasmgate serve --conformance-fixture`.
#
#   conformance.sh WASMGATE NODE_DIR http|stdio
#
# http:  wasmgate listens on 127.0.0.1:0; the port is read from its
#        "listening on URL" line.
# stdio: tests/node/stdio_bridge.mjs fronts `wasmgate serve --stdio` (one
#        child per session). The HTTP-transport scenarios (SSE streams,
#        DNS rebinding) then exercise the bridge, not wasmgate.
# Readiness is a bounded poll (log line, then a TCP connect); the exit code
# is the suite's (non-zero when any scenario fails).
set -euo pipefail
wasmgate=$1 node_dir=$2 transport=$3
node="$node_dir/node_modules/.bin/node"
suite="$node_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [[ ! -x $node || ! -f $suite ]]; then
  echo "conformance.sh: $node_dir/node_modules is missing; run ./scripts/setup.sh" >&2
  exit 1
fi
work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [[ $transport == http ]]; then
  "$wasmgate" serve --http 127.0.0.1:0 --conformance-fixture --state "$work/state" 2>"$work/server.log" &
  pid=$!
  pattern='wasmgate: listening on \K\S+'
else
  "$node" "$node_dir/stdio_bridge.mjs" -- "$wasmgate" serve --stdio --conformance-fixture --state "$work/state" \
    2>"$work/server.log" &
  pid=$!
  pattern='stdio_bridge: listening on \K\S+'
fi

url=
for _ in $(seq 1 200); do
  url=$(grep -oP "$pattern" "$work/server.log" || true)
  [[ -n $url ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done
[[ -n $url ]] || { echo "conformance.sh: server did not report its URL" >&2; cat "$work/server.log" >&2; exit 1; }
port=${url##*:}; port=${port%%/*}
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

# One suite process for every scenario ("all" = active + pending); it exits
# non-zero when any check fails.
status=0
"$node" "$suite" server --url "$url" --suite all >"$work/out.txt" 2>&1 || status=$?
grep -E '^(✓|✗) |^Total:' "$work/out.txt" || true
if [[ $status != 0 ]]; then cat "$work/out.txt" >&2; fi
echo "conformance ($transport): $(grep -c '^✓ ' "$work/out.txt") scenarios passed, $(grep -c '^✗ ' "$work/out.txt") failed"
if [[ $status != 0 ]]; then echo "--- server log" >&2; cat "$work/server.log" >&2; fi
exit $status
