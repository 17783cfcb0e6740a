#!/usr/bin/env bash
# Runs one Node test script from tests/node with the pinned Node
# (tests/node/node_modules/.bin/node, installed by ./scripts/setup.sh):
#
#   node_test.sh NODE_DIR SCRIPT.mjs [ARGS...]
#
# The script's exit status is the test's.
set -euo pipefail
node_dir=$1 script=$2
shift 2
node="$node_dir/node_modules/.bin/node"
if [[ ! -x $node || ! -d $node_dir/node_modules/@modelcontextprotocol/sdk ]]; then
  echo "node_test.sh: $node_dir/node_modules is missing; run ./scripts/setup.sh" >&2
  exit 1
fi
exec "$node" "$node_dir/$script" "$@"
