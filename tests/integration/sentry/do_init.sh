#!/bin/sh
# do_init.sh CVISOR ROOTFS PLATFORM: `cvisor do` with and without --init on
# the busybox rootfs.  Without it the command is pid 1 and protected (its
# own default-action signals are dropped); with it cvisor-init is pid 1 and
# the command, pid 2, gets the usual default actions, signals sent to pid 1
# are forwarded to it, orphans are reaped, statuses pass through.
set -u
cvisor=$1 rootfs=$2 platform=$3
fails=0
D() { "$cvisor" do --rootfs "$rootfs" --platform "$platform" "$@" </dev/null 2>/dev/null; }
# check NAME WANT-OUTPUT WANT-STATUS CMD...
check() {
	name=$1 want=$2 wst=$3
	shift 3
	out=$(D "$@"); st=$?
	if [ "$out" = "$want" ] && [ "$st" = "$wst" ]; then
		echo "ok: $name"
	else
		echo "FAIL: $name: want [$want] status $wst, got [$out] status $st"
		fails=$((fails + 1))
	fi
}
check "pid 1 survives its own SIGTERM" survived 0 -- sh -c 'kill -TERM $$; echo survived'
check "pid 1 survives its own SIGKILL" survived 0 -- sh -c 'kill -KILL $$; echo survived'
check "--init: own SIGTERM kills (143)" "" 143 --init -- sh -c 'kill -TERM $$; echo not-reached'
check "--init: pid 2, parent 1" "2 1" 0 --init -- sh -c 'echo $$ $PPID'
check "--init: exit status" "" 3 --init -- sh -c 'exit 3'
check "--init: not found (127)" "" 127 --init -- no-such-command
check "--init: TERM to pid 1 is forwarded" "" 143 --init -- sh -c 'kill -TERM 1; sleep 5; echo not-reached'
check "--init: a handler gets the forwarded signal" got-USR1 0 --init -- \
	sh -c 'trap "echo got-USR1; exit 0" USR1; kill -USR1 1; sleep 5 & wait $!; echo not-reached'
# an orphan is reparented to cvisor-init and reaped: no zombie left
check "--init: orphans reaped" "no zombie" 0 --init -- \
	sh -c 'sh -c "sleep 0.1 &"; sleep 0.6; cat /proc/[0-9]*/stat | cut -d" " -f3 | grep -q Z && echo zombie || echo no zombie'
echo "$fails failure(s)"
[ $fails -eq 0 ]
