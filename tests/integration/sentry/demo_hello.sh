#!/bin/sh
# Differential: the hello guest natively and under `cvisor demo` (the Sentry
# kernel on each platform).  The only allowed difference is the pid, which is
# 1 in the sandbox.
set -eu
cvisor=$1 guest=$2 platform=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set +e
"$guest" >"$tmp/native.out"; nst=$?
"$cvisor" demo --platform="$platform" "$guest" >"$tmp/sandbox.out" 2>"$tmp/sandbox.err"; sst=$?
set -e
sed -i 's/^pid [0-9]*$/pid N/' "$tmp/native.out"
grep -qx 'pid 1' "$tmp/sandbox.out" || { echo "sandbox pid is not 1"; cat "$tmp/sandbox.out"; exit 1; }
sed -i 's/^pid 1$/pid N/' "$tmp/sandbox.out"
if ! diff -u "$tmp/native.out" "$tmp/sandbox.out"; then
	cat "$tmp/sandbox.err"; exit 1
fi
[ "$nst" -eq "$sst" ] || { echo "status native $nst sandbox $sst"; exit 1; }
echo "ok: identical output, status $sst"
