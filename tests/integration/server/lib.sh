# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034,SC2154
# What the cvisord tests driven by curl share (rest.sh, snap_pool.sh,
# snap_quota.sh).  Sourced after `set -eu` with $cvisord and $platform set:
#   srv_init PREFIX   $tmp (removed at exit, with the server), ok/bad and
#                     $fail, a busybox rootfs in $tmp/rootfs, free loopback
#                     ports $port (REST) and $gport (gRPC), $TOKEN, $base;
#                     $on_cleanup: a command run at exit, once the
#                     server is killed
#   srv_start FLAGS   cvisord with the token, both ports, $tmp/state, the
#                     rootfs, the platform and FLAGS; waits for /healthz
#   srv_stop          SIGTERM: cvisord must exit 0
#   req METHOD PATH [BODY]   $code, body in $tmp/body, headers in $tmp/hdr
#   expect CODE WHAT, jq_ PYEXPR (d: the body), problem [SLUG],
#   wait_ready POOL N, exec_out ID SHELL-COMMAND (stdout in $out)

pid=
on_cleanup=
fail=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}
srv_cleanup() { # (set -e holds in traps: nothing here may fail)
	if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
	if [ -n "$on_cleanup" ]; then $on_cleanup || true; fi
	rm -rf "$tmp"
}
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

srv_init() {
	tmp=$(mktemp -d "/tmp/$1.XXXXXX")
	trap srv_cleanup EXIT
	sh "$root/scripts/make-busybox-rootfs.sh" "$tmp/rootfs" >/dev/null
	port=$(freeport)
	gport=$(freeport)
	TOKEN=tok-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	base=http://127.0.0.1:$port
}

srv_start() {
	CVISOR_TOKEN=$TOKEN "$cvisord" --rest "127.0.0.1:$port" --grpc "127.0.0.1:$gport" \
		--state-dir "$tmp/state" --default-rootfs "$tmp/rootfs" --platform "$platform" \
		"$@" 2>>"$tmp/log" &
	pid=$!
	# generous: a loaded machine (parallel tests) can be slow to start it
	for _ in $(seq 600); do
		curl -sf "$base/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	bad "cvisord did not start: $(tail -20 "$tmp/log")"
	exit 1
}

srv_stop() {
	kill -TERM "$pid"
	if wait "$pid"; then ok "cvisord exits 0 on SIGTERM"; else bad "cvisord exit status"; fi
	pid=
}

req() {
	local m=$1 p=$2 d=${3-}
	if [ -n "$d" ]; then
		code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' -X "$m" \
			-H "Authorization: Bearer $TOKEN" --data-binary "$d" "$base$p") || true
	else
		code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' -X "$m" \
			-H "Authorization: Bearer $TOKEN" "$base$p") || true
	fi
	grep -q '^State:[[:space:]]*[^Z]' "/proc/$pid/status" 2>/dev/null ||
		{ bad "cvisord died"; tail -80 "$tmp/log"; exit 1; }
}
expect() {
	if [ "$code" = "$1" ]; then ok "$2 -> $1"; else
		bad "$2: got $code, want $1: $(head -c 300 "$tmp/body")"
	fi
}
jq_() { python3 -c "import json,sys; d=json.load(open('$tmp/body')); print(($1))"; }
# the body is problem+json with the right status (and type urn:cvisor:problem:SLUG)
problem() {
	grep -qi '^content-type: application/problem+json' "$tmp/hdr" &&
		[ "$(jq_ 'd["status"]')" = "$code" ] && [ -n "$(jq_ 'd["detail"]')" ] &&
		{ [ -z "${1-}" ] || [ "$(jq_ 'd["type"]')" = "urn:cvisor:problem:$1" ]; } ||
		bad "not a ${1:-} problem+json: $(cat "$tmp/body")"
}
wait_ready() {
	for _ in $(seq 900); do
		req GET "/v1/pools/$1"
		[ "$code" = 200 ] && [ "$(jq_ 'd["ready"]')" -ge "$2" ] && return 0
		sleep 0.1
	done
	bad "pool $1 never reached ready=$2: $(cat "$tmp/body")"
}
exec_out() {
	req POST "/v1/sandboxes/$1/exec" "$(python3 -c 'import json,sys; print(json.dumps({"argv":["sh","-c",sys.argv[1]]}))' "$2")"
	out=$(jq_ 'd.get("stdout","")' 2>/dev/null) || out=
}
