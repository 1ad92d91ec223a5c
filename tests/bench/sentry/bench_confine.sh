#!/bin/sh
# bench_confine: the cost of the Sentry's confinement on the syscall round
# trip.  A guest makes N getpid calls under `cvisor demo`, confined (the
# default) and with --no-confine, on each platform; per-call cost =
# (time(N) - time(0)) / N, so start-up is not counted.  Not a pass/fail test.
# Usage: bench_confine.sh CVISOR GUEST_GETPIDLOOP [N] [REPEATS]
set -eu
cvisor=$1 guest=$2 n=${3:-200000} reps=${4:-5}
now() { date +%s%N; }
one() { # prints ns per call for: demo options...
	t0=$(now); "$cvisor" demo "$@" "$guest" 0 >/dev/null; t1=$(now)
	"$cvisor" demo "$@" "$guest" "$n" >/dev/null; t2=$(now)
	echo $(( ( (t2 - t1) - (t1 - t0) ) / n ))
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf "getpid round trip under cvisor demo, %s calls, median of %s runs (ns/call)\n" "$n" "$reps"
printf "%-10s %12s %12s %8s\n" platform unconfined confined ratio
for p in systrap ptrace; do
	# interleaved, so that load changes hit both alike
	: >"$tmp/u"; : >"$tmp/c"
	for _ in $(seq "$reps"); do
		one --platform="$p" --no-confine >>"$tmp/u"
		one --platform="$p" >>"$tmp/c"
	done
	u=$(median <"$tmp/u") c=$(median <"$tmp/c")
	printf "%-10s %12d %12d %8.3f\n" "$p" "$u" "$c" "$(echo "$c $u" | awk '{print $1/($2>0?$2:1)}')"
done
