#!/bin/sh
# bench_run.sh CVISOR ROOTFS [N]: `cvisor run` of a busybox bundle whose
# process is `true`, end to end (create + start + wait + delete, the CLI's
# wall time), against `runc run` of the same bundle in the same run.  Prints
# the median and p90 of N runs of each (alternating) and the ratio of the
# medians (issue 6 target: <= 1.5x runc).  Never pass/fail on numbers; it
# fails only when a run fails.  runc missing or unusable: cvisor alone.
set -u
cvisor=$1 rootfs=$2 n=${3:-50}
T=$(mktemp -d "${TMPDIR:-/tmp}/cvisor-bench-run.XXXXXX")
trap 'rm -rf "$T"' EXIT
b=$T/bundle
mkdir -p "$b"
"$cvisor" spec --bundle "$b" || exit 1
python3 - "$b/config.json" "$rootfs" <<'PY' || exit 1
import json, os, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
c["root"]["path"] = os.path.realpath(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"))
PY
runc=$(command -v runc || true)
if [ -n "$runc" ] && ! (cd "$b" && "$runc" --root "$T/rr" run probe </dev/null >/dev/null 2>&1); then
	echo "runc cannot run here: cvisor only"
	runc=
fi
ns() { date +%s%N; }
: >"$T/cvisor.ns"; : >"$T/runc.ns"
for i in $(seq "$n"); do
	t0=$(ns)
	"$cvisor" --root "$T/cr" run --bundle "$b" "c$i" </dev/null || { echo "cvisor run failed" >&2; exit 1; }
	t1=$(ns)
	echo $((t1 - t0)) >>"$T/cvisor.ns"
	if [ -n "$runc" ]; then
		t0=$(ns)
		(cd "$b" && "$runc" --root "$T/rr" run "r$i" </dev/null) || { echo "runc run failed" >&2; exit 1; }
		t1=$(ns)
		echo $((t1 - t0)) >>"$T/runc.ns"
	fi
done
python3 - "$T/cvisor.ns" "$T/runc.ns" "$n" <<'PY'
import statistics, sys
def load(p):
    return sorted(int(x) for x in open(p).read().split())
c, r, n = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
def p90(v):
    return v[min(len(v) - 1, int(len(v) * 0.9))]
print(f"run of `true` (busybox bundle), {n} runs each, wall time of the CLI:")
print(f"  cvisor run   median {statistics.median(c)/1e6:8.2f} ms   p90 {p90(c)/1e6:8.2f} ms")
if r:
    print(f"  runc run     median {statistics.median(r)/1e6:8.2f} ms   p90 {p90(r)/1e6:8.2f} ms")
    print(f"  ratio cvisor/runc (medians): {statistics.median(c)/statistics.median(r):.2f}x  (target <= 1.5x)")
PY
