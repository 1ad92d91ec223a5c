#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A shell pipeline mid-flight, restored twice: busybox sh (static, on the
# host's root file system under the memory overlay) runs
#   seq 1 20000 | while read ...; do ...; done | awk '{ sum }' > /tmp/res &
# whose middle stage stops at line 1000 until /tmp/go exists (made by the
# shell's SIGUSR2 trap).  At the checkpoint seq is blocked in write on a full
# pipe, the loop is in a sleep child, awk is blocked in read on an empty
# pipe, and the shell is in `wait`; every copy (the original and two
# restores) must then finish the pipeline with all 20,000 lines and print
# PASS.  Skipped (77) without /bin/busybox.
#   pipeline.sh CKPT_RUN CVISOR PLATFORM
[ -x /bin/busybox ] || exit 77
CKPT_ROOTFS=/ CKPT_APPLET=sh CKPT_CODE='
PATH=/bin:/usr/bin
trap "touch /tmp/go" USR2
exec 4>&1
rm -f /tmp/go /tmp/res
seq 1 20000 | while read l; do
  if [ "$l" = 1000 ]; then
    echo READY >&4
    while [ ! -e /tmp/go ]; do sleep 1; done
  fi
  echo "$l"
done | awk "{ s += \$1 } END { print NR, s }" > /tmp/res &
pid=$!
while :; do wait $pid; [ $? -lt 128 ] && break; done # a trap ends a wait early
read n s < /tmp/res
if [ "$n $s" = "20000 200010000" ]; then echo PASS; else echo "FAIL: $n lines, sum $s"; exit 1; fi
' exec "$1" "$2" "$3" /bin/busybox
