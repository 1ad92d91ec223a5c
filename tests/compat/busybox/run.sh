#!/bin/sh
# run.sh ROOTFS SCRIPT [RUNNER ARGS...]
#
# Differential test of one busybox shell script.
#   no RUNNER: run SCRIPT natively twice and compare (determinism check);
#   RUNNER:    run SCRIPT natively once and once under RUNNER, e.g.
#                run.sh ROOTFS 01_x.sh cvisor do --rootfs ROOTFS --
#              and compare.
# "Compare" means stdout, stderr and exit status, shown as a unified diff of
# the two transcripts on failure.
#
# Both runs execute the same bootstrap, so that the script sees the same
# relative paths:  BASE/script.sh holds the script, BASE/work/ is an empty
# current directory, and the script runs as `sh ../script.sh` with
# env -i PATH=<rootfs bin> HOME=/, umask 022 and stdin from /dev/null.
# Natively BASE is a fresh host temp dir and busybox is ROOTFS/bin/busybox;
# under RUNNER, BASE is made by mktemp under the sandbox's /tmp (and removed
# afterwards) and busybox is /bin/busybox of the sandbox rootfs.  Scripts
# therefore must never print absolute paths.  The script text travels as an
# argument, so the runner needs no access to the host file system.
#
# ROOTFS "/" selects the host-root flavour (tests/compat/host): the shell is
# the host's /bin/sh and PATH=/usr/bin:/bin on both sides, and the sandbox
# serves the host's own root read-only through the Gofer.  A ROOTFS built by
# scripts/mkrootfs-host.sh (it holds .cvisor-host-rootfs) is the same
# flavour: the native run uses the host's programs, which it copies.
#
# Environment: COMPAT_TIMEOUT (seconds per run, default 60),
#              COMPAT_KEEP=1 keeps the temp dir for inspection.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 ROOTFS SCRIPT [RUNNER ARGS...]" >&2
	exit 2
fi
rootfs=$1
script=$2
shift 2
case $rootfs in /*) ;; *) rootfs=$(pwd)/$rootfs ;; esac

host=0
if [ "$rootfs" = / ] || [ -f "$rootfs/.cvisor-host-rootfs" ]; then
	host=1
fi
if [ "$host" = 0 ] && [ ! -x "$rootfs/bin/busybox" ]; then
	echo "$0: $rootfs/bin/busybox missing; run scripts/make-busybox-rootfs.sh $rootfs" >&2
	exit 2
fi
if [ ! -r "$script" ]; then
	echo "$0: cannot read $script" >&2
	exit 2
fi

timeout_s=${COMPAT_TIMEOUT:-60}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cvisor-compat.XXXXXX") || exit 2
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ "${COMPAT_KEEP:-0}" = 1 ]; then
		echo "kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# $1 = BASE (empty: make one with mktemp under /tmp), $2 = script text,
# $3 = "rm" to remove BASE afterwards.  The script runs in a child shell,
# not exec'd: under the runner the bootstrap is the sandbox's first process
# (pid 1, which Linux shields from default-action signals) and the script
# must behave as an ordinary process, as it does natively.
# shellcheck disable=SC2016 # expanded by the inner shell
bootstrap='umask 022
base=$1
if [ -z "$base" ]; then base=$(mktemp -d /tmp/compat.XXXXXX) || exit 125; fi
mkdir -p "$base/work" || exit 125
printf "%s\n" "$2" >"$base/script.sh" || exit 125
cd "$base/work" || exit 125
sh ../script.sh
status=$?
if [ "$3" = rm ]; then cd / && rm -rf "$base"; fi
exit $status'
text=$(cat "$script")

# run_one NAME BASE [RUNNER ARGS...]: leaves NAME.out NAME.err NAME.status
# and NAME.txt (the transcript) in $tmp.
run_one() {
	name=$1
	base=$2
	shift 2
	if [ $# -eq 0 ]; then
		mkdir -p "$base"
		envcmd="env"
		rmflag="keep"
		bb="$rootfs/bin/busybox sh"
		path=$rootfs/bin
	else
		envcmd=/bin/env
		rmflag="rm"
		bb="/bin/busybox sh"
		path=/bin
	fi
	if [ "$host" = 1 ]; then
		envcmd=/usr/bin/env
		bb=/bin/sh
		path=/usr/bin:/bin
	fi
	# Only the runner's own arguments are passed through; everything after
	# them is what runs inside (natively: directly).
	# shellcheck disable=SC2086 # $bb is the shell and its first word
	timeout -k 5 "$timeout_s" "$@" "$envcmd" -i PATH="$path" HOME=/ \
		$bb -c "$bootstrap" sh "$base" "$text" "$rmflag" \
		</dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.status"
	{
		echo "=== stdout"
		cat "$tmp/$name.out"
		echo "=== stderr"
		cat "$tmp/$name.err"
		echo "=== exit status $(cat "$tmp/$name.status")"
	} >"$tmp/$name.txt"
}

tname=$(basename "$script" .sh)
run_one native "$tmp/native"
if [ $# -eq 0 ]; then
	run_one native2 "$tmp/native2"
	other=native2
	what="second native run"
else
	run_one runner "" "$@"
	other=runner
	what="runner ($*)"
fi

status=$(cat "$tmp/native.status")
if [ "$status" -ge 124 ] && [ "$status" -le 128 ] || [ "$status" = 137 ]; then
	# 124: timeout fired; 125: bootstrap failed; 126/127: could not exec.
	echo "FAIL $tname: native run did not complete (status $status)" >&2
	cat "$tmp/native.txt" >&2
	exit 1
fi
if ! cmp -s "$tmp/native.txt" "$tmp/$other.txt"; then
	echo "FAIL $tname: native run and $what differ" >&2
	(cd "$tmp" && diff -u native.txt "$other.txt") >&2
	exit 1
fi
echo "PASS $tname (exit status $status, $(wc -l <"$tmp/native.out") lines of stdout)"
exit 0
