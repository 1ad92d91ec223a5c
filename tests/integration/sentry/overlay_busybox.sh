#!/bin/sh
# overlay_busybox.sh CVISOR PLATFORM
#
# The file-heavy busybox compat scripts (tests/compat/busybox) with their
# working directory on the overlay root instead of the sandbox's /tmp
# tmpfs: run.sh is used unchanged except for that one path, so every file
# they create, rename or remove lives in the overlay's upper layer over a
# merged lower directory (/var).  The transcripts must match the native
# runs, and the host rootfs must not change.
set -eu
cvisor=$(realpath "$1") platform=$2
here=$(dirname "$(realpath "$0")")
compat=$here/../../compat/busybox
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/../../../scripts/make-busybox-rootfs.sh" "$tmp/rootfs" >/dev/null
sed 's|mktemp -d /tmp/compat\.XXXXXX|mktemp -d /var/compat.XXXXXX|' "$compat/run.sh" >"$tmp/run.sh"
grep -q 'mktemp -d /var/compat' "$tmp/run.sh" || { echo "run.sh changed shape"; exit 1; }
before=$(cd "$tmp/rootfs" && find . -printf '%p %y %m %s %T@\n' | LC_ALL=C sort | sha256sum)
fail=0
for s in 27_find 28_xargs 29_tar 30_gzip 32_ls 33_stat 34_du 39_fileops 46_fifo \
	48_symlink_paths 50_umask; do
	if ! sh "$tmp/run.sh" "$tmp/rootfs" "$compat/$s.sh" "$cvisor" do \
		--platform="$platform" --rootfs "$tmp/rootfs" -- >"$tmp/$s.log" 2>&1; then
		echo "$s differs on the overlay:"
		cat "$tmp/$s.log"
		fail=1
	fi
done
after=$(cd "$tmp/rootfs" && find . -printf '%p %y %m %s %T@\n' | LC_ALL=C sort | sha256sum)
[ "$before" = "$after" ] || { echo "the host rootfs changed"; fail=1; }
[ $fail -eq 0 ] && echo "ok: 11 busybox scripts match natively on the overlay"
exit $fail
