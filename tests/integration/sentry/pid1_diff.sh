#!/bin/sh
# pid1_diff.sh CVISOR GUEST PLATFORM: GUEST as the init of a pid namespace,
# natively (`unshare --pid --fork`, needs root) and as the sandbox's pid 1
# (`cvisor demo` without --init): stdout and exit status must be identical.
# Exit 77 (skip) when a pid namespace cannot be made here.
set -eu
cvisor=$(realpath "$1") guest=$(realpath "$2") platform=$3
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! unshare --pid --fork true 2>/dev/null; then
	echo "SKIP: unshare --pid --fork does not work here (needs root)"; exit 77
fi
set +e
(cd "$tmp" && ulimit -c 0 && exec unshare --pid --fork --kill-child "$guest") \
	>"$tmp/native.out" 2>/dev/null; nst=$?
(ulimit -c 0 && exec "$cvisor" demo --platform="$platform" "$guest") \
	>"$tmp/sandbox.out" 2>"$tmp/sandbox.err"; sst=$?
set -e
[ -s "$tmp/native.out" ] || { echo "the guest printed nothing natively (status $nst)"; exit 1; }
if grep -q ': FAIL' "$tmp/native.out"; then
	echo "the native run reports failures:"; cat "$tmp/native.out"; exit 1
fi
if ! diff -u "$tmp/native.out" "$tmp/sandbox.out"; then
	cat "$tmp/sandbox.err"; exit 1
fi
[ "$nst" -eq "$sst" ] || { echo "status native $nst sandbox $sst"; cat "$tmp/sandbox.err"; exit 1; }
echo "ok: $(wc -l <"$tmp/native.out") identical lines, status $sst"
