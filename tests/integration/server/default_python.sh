#!/bin/bash
# default_python.sh CVISORD
#
# The embedded default: scripts/rootfs.sh builds busybox + python3 offline,
# cvisord starts a "default" pool on it with no CVISOR_TOKEN (so it creates
# its token file, 0600), and the README's curl line prints 42 — compared
# with the host's python3.  A crash (SIGKILL) leaves sandboxes behind; the
# next start cleans them up.
set -eu
cvisord=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
tmp=$(mktemp -d /tmp/cvpy.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
sh "$here/../../../scripts/rootfs.sh" "$tmp/rootfs" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start() {
	env -u CVISOR_TOKEN "$cvisord" --rest "127.0.0.1:$port" --grpc 127.0.0.1:0 --state-dir "$tmp/state" \
		--default-rootfs "$tmp/rootfs" --min-ready 1 2>>"$tmp/log" &
	pid=$!
	for _ in $(seq 100); do
		curl -sf "127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
}
start
[ "$(stat -c %a "$tmp/state/token")" = 600 ] && echo "ok: token file 0600" || { echo "FAIL: token file mode"; fail=1; }
TOKEN=$(cat "$tmp/state/token")
code=$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$port/v1/run" -d '{"argv":["true"]}')
[ "$code" = 401 ] && echo "ok: 401 without the token" || { echo "FAIL: $code without a token"; fail=1; }
want=$(/usr/bin/python3 -c 'print(6*7)')
out=$(curl -s -H "Authorization: Bearer $TOKEN" "127.0.0.1:$port/v1/run" -d '{"argv":["python3","-c","print(6*7)"]}')
got=$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["stdout"], end=""); sys.exit(d["exit_code"])') &&
	[ "$got" = "$want" ] && echo "ok: python3 in the default pool: $got" || { echo "FAIL: $out"; fail=1; }
prog='import json, sys, hashlib; print(hashlib.sha256(json.dumps(sorted(sys.modules)[:5]).encode()).hexdigest()[:8], sum(range(10**5)))'
want=$(/usr/bin/python3 -S -c "$prog" 2>&1 | cut -d' ' -f2)
got=$(curl -s -H "Authorization: Bearer $TOKEN" "127.0.0.1:$port/v1/run" \
	-d "$(python3 -c 'import json,sys; print(json.dumps({"argv":["python3","-c",sys.argv[1]]}))' "$prog")" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["stdout"].split()[1])')
[ "$got" = "$want" ] && echo "ok: stdlib imports (json, hashlib) work" || { echo "FAIL: stdlib: $got vs $want"; fail=1; }

# Crash: SIGKILL of cvisord.  Its sandboxes die with it (PR_SET_PDEATHSIG)
# or, if any survived, the restart shuts them down; either way none is left
# and the stale sockets are removed.
for _ in $(seq 100); do
	[ "$(curl -s -H "Authorization: Bearer $TOKEN" "127.0.0.1:$port/v1/pools/default" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ready"])')" -ge 1 ] && break
	sleep 0.1
done
kill -KILL $pid
wait $pid 2>/dev/null || true
pid=
sleep 0.3
stale=$(ls "$tmp/state/default/"*.sock 2>/dev/null || true)
left=$(echo $stale | wc -w)
pids=$(cat "$tmp/state/default/"*.pid 2>/dev/null || true)
start
sleep 0.5
for s in $stale; do
	[ -e "$s" ] && { echo "FAIL: stale socket $s left"; fail=1; }
done
[ "$left" -ge 1 ] && echo "ok: $left stale socket(s) removed at restart" || { echo "FAIL: no socket to clean"; fail=1; }
for p in $pids; do
	if [ -d /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null; then
		echo "FAIL: stale sandbox $p still alive"
		fail=1
	fi
done
kill -TERM $pid
wait $pid || { echo "FAIL: exit status"; fail=1; }
pid=
[ $fail = 0 ] || cat "$tmp/log"
exit $fail
