#!/bin/sh
# Build (optimised) and run every benchmark in tests/bench.
set -eu
cd "$(dirname "$0")/.."
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
for b in build/tests/bench/*/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" "$@"
done
