#!/bin/sh
# bench_busybox: the issue-4 targets, each natively and under `cvisor do` on
# each platform, measured in one run and printed as ratios to native.
#   cold    `busybox true`, a whole sandbox (Sentry + Gofer) per run;
#   spawn   a shell loop of N `fork+exec+wait` of /bin/true (per iteration,
#           the loop's start-up excluded by also timing a 0-iteration run);
#   pipe    `head -c 100M /dev/zero | cat | wc -c` (MB/s).
# Not a pass/fail test: the machine is shared and noisy; read the ratios.
# Usage: bench_busybox.sh CVISOR ROOTFS [N] [REPEATS] [PIPE_MIB]
set -eu
cvisor=$1 rootfs=$(cd "$2" && pwd) n=${3:-1000} reps=${4:-10} mb=${5:-100}

now() { date +%s%N; }

# median of REPEATS wall times (ns) of a command
median() {
	i=0
	while [ "$i" -lt "$reps" ]; do
		t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "bench_busybox: failed: $*" >&2; : >"$scratch/failed"; }
		t1=$(now); echo $((t1 - t0)); i=$((i + 1))
	done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
	[ ! -e "$scratch/failed" ] || exit 1
}

loop='i=0; while [ $i -lt $0 ]; do /bin/true; i=$((i+1)); done'
bytes=$((mb * 1048576))
pipe="head -c $bytes /dev/zero | cat | wc -c"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Native runs use the rootfs's own busybox applets through PATH, in a
# scratch directory, so both sides run the same binary.
native() { cmd=$1; shift; (cd "$scratch" && PATH=$rootfs/bin && export PATH && exec "$rootfs/bin/$cmd" "$@"); }
sandbox() { p=$1 cmd=$2; shift 2; "$cvisor" do --rootfs "$rootfs" --platform "$p" -- "/bin/$cmd" "$@"; }

# spawn cost per iteration: (t(N) - t(0)) / N
spawn_cost() { # runner...
	t0=$(median "$@" sh -c "$loop" 0)
	tn=$(median "$@" sh -c "$loop" "$n")
	echo $(( (tn - t0) / n ))
}

printf "busybox targets (median of %s runs; spawn loop %s iterations; pipe %s MiB)\n" "$reps" "$n" "$mb"
printf "%-8s %14s %14s %12s\n" path "cold true us" "spawn us/iter" "pipe MB/s"
row() { # label runner...
	label=$1; shift
	cold=$(median "$@" true)
	spawn=$(spawn_cost "$@")
	got=$("$@" sh -c "$pipe")
	[ "$got" -eq "$bytes" ] || { echo "bench_busybox: $label pipe moved $got bytes" >&2; exit 1; }
	pt=$(median "$@" sh -c "$pipe")
	echo "$label $cold $spawn $pt"
}
native_row=$(row native native)
set -- $native_row
n_cold=$2 n_spawn=$3 n_pipe=$4
fmt() { # label cold spawn pipe_ns
	awk -v l="$1" -v c="$2" -v s="$3" -v p="$4" -v nc="$n_cold" -v ns="$n_spawn" \
	    -v np="$n_pipe" -v mb="$mb" 'BEGIN {
		printf "%-8s %8.0f %5.1fx %8.0f %5.1fx %6.0f %5.2fx\n", l,
		       c / 1000, c / nc, s / 1000, s / ns, mb * 1048.576 / (p / 1000000),
		       np / p }'
}
fmt native "$n_cold" "$n_spawn" "$n_pipe"
for p in systrap ptrace; do
	set -- $(row "$p" sandbox "$p")
	fmt "$p" "$2" "$3" "$4"
done
