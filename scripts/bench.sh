#!/bin/sh
# Build (optimised) and run every benchmark in tests/bench.  Benchmarks print
# ns/op and ratios against native and peers measured in the same run; none is
# a pass/fail test.
set -eu
cd "$(dirname "$0")/.."
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
for b in build/tests/bench/*/bench_*; do
	[ -x "$b" ] && [ -f "$b" ] || continue
	echo "== $(basename "$b")"
	"$b"
done
echo "== bench_fork"
tests/bench/sentry/bench_fork.sh build/runtime/cvisor build/tests/guest/guest_forkloop 200
echo "== bench_busybox"
cmake --build build --target rootfs-busybox >/dev/null
tests/bench/sentry/bench_busybox.sh build/runtime/cvisor build/rootfs-busybox 1000 10
echo "== bench_confine"
tests/bench/sentry/bench_confine.sh build/runtime/cvisor build/tests/guest/guest_getpidloop
echo "== bench_programs"
tests/bench/sentry/bench_programs.sh build/runtime/cvisor 5
echo "== bench_run (cvisor run vs runc run)"
tests/bench/runtime/bench_run.sh build/runtime/cvisor build/rootfs-busybox 50
echo "== bench_warm_python (a warmed python3 restored from a snapshot, over REST)"
tests/bench/restore/bench_warm_python.sh build/server/cvisord build/runtime/cvisor \
	build/tests/bench/restore/warm_client 100
