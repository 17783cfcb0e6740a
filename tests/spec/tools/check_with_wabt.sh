#!/bin/sh
# Cross-checks the spec scripts with wabt's reference tools (Debian wabt
# 1.0.32; all WebAssembly 2.0 features are on by default there, no --enable-*
# flags needed). Usage: tests/spec/tools/check_with_wabt.sh [FILE.wast ...]
# Exits non-zero if any script fails to convert or has a failing assertion.
set -u
dir=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$dir"/*.wast
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for f in "$@"; do
  b=$(basename "$f" .wast)
  if ! wast2json "$f" -o "$out/$b.json" > "$out/$b.w2j" 2>&1; then
    echo "$b: wast2json failed"; cat "$out/$b.w2j"; status=1; continue
  fi
  if spectest-interp "$out/$b.json" > "$out/$b.log" 2>&1; then
    echo "$b: $(tail -n 1 "$out/$b.log")"
  else
    echo "$b: FAILED: $(tail -n 1 "$out/$b.log")"
    grep -v 'passed' "$out/$b.log" | grep -v '^  ' | grep -v '^called host' | head -n 20
    status=1
  fi
done
exit $status
