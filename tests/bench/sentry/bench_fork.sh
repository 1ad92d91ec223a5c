#!/bin/sh
# bench_fork: fork + _exit + wait4, N times, natively and in the sandbox on
# each platform, in one run.  Per-iteration cost = (time(N) - time(0)) / N,
# so process start-up is not counted.  Not a pass/fail test.
# Usage: bench_fork.sh CVISOR GUEST [N]
set -eu
cvisor=$1 guest=$2 n=${3:-200}
now() { date +%s%N; }
run() { # label, command...
	label=$1; shift
	t0=$(now); "$@" 0 >/dev/null; t1=$(now)
	"$@" "$n" >/dev/null; t2=$(now)
	per=$(( ( (t2 - t1) - (t1 - t0) ) / n ))
	[ "$per" -lt 1 ] && per=1
	echo "$label $per"
}
native=$(run native "$guest" | awk '{print $2}')
printf "fork+exit+wait, %s iterations, ns per iteration (start-up excluded)\n" "$n"
printf "%-10s %10s %8s\n" path ns "x native"
printf "%-10s %10d %8.2f\n" native "$native" 1
for p in systrap ptrace; do
	v=$(run "$p" "$cvisor" demo --platform="$p" "$guest" | awk '{print $2}')
	printf "%-10s %10d %8.2f\n" "$p" "$v" "$(echo "$v $native" | awk '{print $1/$2}')"
done
