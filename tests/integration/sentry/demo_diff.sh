#!/bin/sh
# Differential: a freestanding guest natively and under `cvisor demo` on a
# platform (with cvisor-init as pid 1, so the guest is not a protected pid
# 1); stdout and exit status must be identical.
set -eu
cvisor=$(realpath "$1") guest=$(realpath "$2") platform=$3
# The sandbox starts with fds 0-2 only; give the native run the same.
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cwd"
set +e
(cd "$tmp/cwd" && exec "$guest") >"$tmp/native.out" 2>/dev/null; nst=$?
"$cvisor" demo --init --platform="$platform" "$guest" >"$tmp/sandbox.out" 2>"$tmp/sandbox.err"; sst=$?
set -e
[ -s "$tmp/native.out" ] || { echo "the guest printed nothing natively (status $nst)"; exit 1; }
if ! diff -u "$tmp/native.out" "$tmp/sandbox.out"; then
	cat "$tmp/sandbox.err"; exit 1
fi
[ "$nst" -eq "$sst" ] || { echo "status native $nst sandbox $sst"; cat "$tmp/sandbox.err"; exit 1; }
echo "ok: $(wc -l <"$tmp/native.out") identical lines, status $sst"
