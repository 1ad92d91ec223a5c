#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# guest_diff.sh PROGRAM [RUNNER ARGS...]
#
# Runs PROGRAM natively in a fresh empty temp dir, capturing its stdout and
# exit status, then runs `RUNNER ARGS... PROGRAM` in another fresh temp dir
# the same way, and fails with a unified diff if the transcripts or statuses
# differ.  With no RUNNER the program runs natively twice (determinism check).
#
# The status is recorded as the shell sees it: 0-127 for exit(N), 128+N for
# death by signal N (that is also how `cvisor do` reports a signal), with the
# signal name added for the reader.  stdin is /dev/null, core dumps are off,
# stderr is kept apart and shown only on failure.
#
# Environment: GUEST_TIMEOUT (seconds per run, default 20), GUEST_KEEP=1 to
# keep the temp dirs for inspection.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 PROGRAM [RUNNER ARGS...]" >&2
	exit 2
fi
prog=$1
shift
case $prog in
/*) ;;
*) prog=$PWD/$prog ;;
esac
if [ ! -x "$prog" ]; then
	echo "guest_diff: $prog: not an executable" >&2
	exit 2
fi
timeout_s=${GUEST_TIMEOUT:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/guest_diff.XXXXXX") || exit 2
cleanup() {
	if [ "${GUEST_KEEP:-0}" = 1 ]; then
		echo "guest_diff: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# run TAG CMD... : run in $work/TAG.dir, write TAG.out TAG.err TAG.status
run() {
	local tag=$1 st
	shift
	mkdir "$work/$tag.dir" || exit 2
	# the command substitution keeps bash's "Segmentation fault" notice
	# for a signalled child off our stderr
	st=$({
		(
			cd "$work/$tag.dir" || exit 2
			ulimit -c 0
			exec timeout --foreground -k 2 "$timeout_s" "$@" \
				<"/dev/null" >"$work/$tag.out" 2>"$work/$tag.err"
		)
		echo $?
	} 2>/dev/null)
	if [ "$st" -gt 128 ] && [ "$st" -lt 192 ]; then
		echo "status $st (exit $st or signal $(kill -l $((st - 128)) 2>/dev/null))" \
			>"$work/$tag.status"
	else
		echo "status $st" >"$work/$tag.status"
	fi
	if [ "$st" = 124 ]; then
		echo "guest_diff: $tag run timed out after ${timeout_s}s" >&2
	fi
	cat "$work/$tag.out" "$work/$tag.status" >"$work/$tag.transcript"
}

run native "$prog"
if [ "$(cat "$work/native.status")" = "status 124" ]; then
	# both sides hanging would "match": a guest must finish natively
	echo "guest_diff: the native run timed out: the guest itself is broken" >&2
	exit 1
fi
if [ $# -eq 0 ]; then
	other=native2
	run native2 "$prog"
else
	other=runner
	run runner "$@" "$prog"
fi

# A guest checks its own expectations and prints "FAIL" on a miss: the
# native run is the reference, so it must be clean.
if grep -q ': FAIL' "$work/native.out"; then
	echo "guest_diff: $(basename "$prog"): the native run reports failures:"
	grep ': FAIL' "$work/native.out" | head -n 20
	cat "$work/native.status"
	exit 1
fi

if cmp -s "$work/native.transcript" "$work/$other.transcript"; then
	echo "guest_diff: $(basename "$prog"): identical ($(cat "$work/native.status"))"
	exit 0
fi
echo "guest_diff: $(basename "$prog"): native and $other differ"
diff -u --label native --label "$other" "$work/native.transcript" "$work/$other.transcript"
for t in native "$other"; do
	if [ -s "$work/$t.err" ]; then
		echo "--- stderr of $t (first 40 lines)"
		head -n 40 "$work/$t.err"
	fi
done
exit 1
