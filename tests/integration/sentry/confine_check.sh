#!/bin/sh
# The Sentry is confined (sentry/kernel/confine.h): while a sandboxed
# program sleeps, inspect the Sentry process from outside.  It must be
# under a seccomp filter with no_new_privs, hold no capability, live in
# user/mnt/pid/ipc/uts/net namespaces other than ours, and have an empty
# directory as its root.
set -u
cvisor=$1 guest=$2 platform=$3
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$cvisor" demo --platform="$platform" "$guest" >/tmp/confine_check.$$.out 2>&1 &
launcher=$!
trap 'kill -9 $launcher 2>/dev/null; rm -f /tmp/confine_check.$$.out' EXIT

# launcher -> namespace keeper -> Sentry (comm cvisor-sentry)
sentry=
for _ in $(seq 1 200); do
	for keeper in $(pgrep -P "$launcher"); do
		for p in $(pgrep -P "$keeper"); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = cvisor-sentry ] && sentry=$p
		done
	done
	[ -n "$sentry" ] && break
	sleep 0.02
done
[ -n "$sentry" ] || { echo "FAIL: no Sentry process below $launcher"; exit 1; }
# let the setup finish: the guest sleeps 4 s from its first instruction
sleep 0.5
[ -e /proc/$sentry/status ] || { echo "FAIL: the Sentry exited early"; exit 1; }
st=/proc/$sentry/status
field() { sed -n "s/^$1:[[:space:]]*//p" "$st"; }

[ "$(field Seccomp)" = 2 ] || bad "Seccomp: $(field Seccomp), want 2"
[ "$(field NoNewPrivs)" = 1 ] || bad "NoNewPrivs: $(field NoNewPrivs), want 1"
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	[ "$(field $c)" = 0000000000000000 ] || bad "$c: $(field $c), want 0"
done
# every thread, not only the main one (TSYNC)
for t in /proc/$sentry/task/*; do
	[ "$(sed -n 's/^Seccomp:[[:space:]]*//p' "$t/status")" = 2 ] || bad "thread ${t##*/} not filtered"
done
for ns in user mnt pid ipc uts net; do
	mine=$(readlink /proc/$$/ns/$ns)
	its=$(readlink /proc/$sentry/ns/$ns)
	[ -n "$its" ] && [ "$mine" != "$its" ] || bad "ns/$ns: $its is ours ($mine)"
done
[ -d /proc/$sentry/root/ ] || bad "root is not a directory"
[ -z "$(ls -A /proc/$sentry/root/ 2>&1)" ] || bad "root is not empty: $(ls -A /proc/$sentry/root/ 2>&1 | head -5)"
# the Sentry does not see our /proc either
[ ! -e /proc/$sentry/root/proc/self ] || bad "/proc visible in the Sentry's root"

wait $launcher; st=$?
[ "$st" -eq 0 ] || bad "sandbox exit status $st"
grep -qx slept /tmp/confine_check.$$.out || bad "guest output: $(cat /tmp/confine_check.$$.out)"
[ $fail -eq 0 ] && echo "ok: Sentry $sentry confined ($platform)"
exit $fail
