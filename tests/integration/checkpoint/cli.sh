#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The checkpoint CLI as a user drives it: run a zdtm program detached,
# `cvisor checkpoint --leave-running` (and `--compress`, whose image r1 is
# restored from), `cvisor image inspect`, `cvisor
# restore`, then a checkpoint that stops the container and a restore of
# that; every copy must PASS.  A damaged image is refused by restore and
# by image inspect.
#   cli.sh CVISOR PROGRAM
CVISOR=$1
PROG=$2
ROOTFS=$(mktemp -d "${TMPDIR:-/tmp}/cvisor-ckcli-rootfs.XXXXXX")
mkdir -p "$ROOTFS/dev" "$ROOTFS/proc" "$ROOTFS/tmp" "$ROOTFS/work"
cp "$PROG" "$ROOTFS/prog"
for i in $(seq 1000); do printf 0123456789; done > "$ROOTFS/data.txt"
. "$(dirname "$0")/../runtime/oci_lib.sh"
trap 'cleanup; rm -rf "$ROOTFS"' EXIT

B=$(bundle b '["/prog"]')

# wait_for FILE TEXT: up to 30 s
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 300 ] && return 1
		sleep 0.1
	done
}

(cd "$B" && C run --detach a1 > "$T/out1" 2>&1 < /dev/null)
wait_for "$T/out1" READY || fail "a1 not READY: $(cat "$T/out1")"
C checkpoint --image-path "$T/img" --leave-running a1 || fail "checkpoint --leave-running"
expect "a1 still running" running "$(status_of a1)"
insp=$(C image inspect "$T/img")
contains "inspect shows pid 1" "process 1 (prog)" "$insp"
contains "inspect shows the manifest" "arch x86_64" "$insp"
C checkpoint --image-path "$T/imgz" --leave-running --compress a1 || fail "checkpoint --compress"
contains "inspect shows a compressed pages.img" "pages.img" "$(C image inspect "$T/imgz" | grep zstd)"
C kill a1 USR2
wait_for "$T/out1" PASS || fail "a1 after checkpoint: $(cat "$T/out1")"

C restore --image-path "$T/imgz" --bundle "$B" --detach r1 > "$T/out2" 2>&1 < /dev/null ||
	fail "restore r1 (compressed image): $(cat "$T/out2")"
expect "r1 running" running "$(status_of r1)"
# a checkpoint without --leave-running stops the container
C checkpoint --image-path "$T/img2" r1 || fail "checkpoint r1"
i=0
while [ "$(status_of r1)" != stopped ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect "r1 stopped by its checkpoint" stopped "$(status_of r1)"
C restore --image-path "$T/img2" --bundle "$B" --detach r2 > "$T/out3" 2>&1 < /dev/null ||
	fail "restore r2: $(cat "$T/out3")"
C kill r2 USR2
wait_for "$T/out3" PASS || fail "r2: $(cat "$T/out3")"

# damaged: refused before a container exists
cp -a "$T/img" "$T/bad"
printf 'X' | dd of="$T/bad/state.pb" bs=1 seek=3 conv=notrunc 2>/dev/null
if C restore --image-path "$T/bad" --bundle "$B" --detach r3 > "$T/out4" 2>&1; then
	fail "a damaged image was restored"
fi
contains "restore says why" "checksum mismatch" "$(cat "$T/out4")"
expect "no container from a damaged image" none "$(status_of r3)"
C image inspect "$T/bad" > /dev/null 2>&1 && fail "image inspect accepted a damaged image"

[ $fails -eq 0 ] && echo PASS
exit $fails
