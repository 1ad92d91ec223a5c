#!/bin/bash
# limits.sh CVISORD PLATFORM MEMHOG FORKBOMB [CVISORCTL]
#
# Resource limits per sandbox (docs/control.md "Resource limits"), with a
# real cvisord on loopback and real curl:
#  - a pool with resources {memory_bytes, cpus, pids}: each sandbox's host
#    processes (Sentry, stubs, Gofer) sit in their own cgroup
#    .../cvisord/<instance>/<pool>/<n> with those limits;
#  - a guest allocating past the memory limit is killed: the exec result
#    says exit 137, signal 9, reason "oom" (blocking and streamed), the
#    sandbox is gone, /metrics counts failures by reason "oom"; the same
#    guest under the limit passes (differential);
#  - a fork loop stops at the pids limit (fork fails in the guest) while
#    the server stays healthy, and runs to its end in a pool without limits;
#  - an ad-hoc sandbox with resources gets its own cgroup too;
#  - bad resources are 400; cgroups removed after the sandboxes and pool
#    are deleted, and stale ones of a killed server removed at its restart.
# Skipped (77) only when the server reports that this host has no writable
# cgroups (cgroups-unavailable).
set -u
cvisord=$(realpath "$1")
platform=${2:-systrap}
memhog=$(realpath "$3")
forkbomb=$(realpath "$4")
ctl=${5:+$(realpath "$5")}
config=
here=$(dirname "$(realpath "$0")")
root=$here/../../..

. "$here/lib.sh"
srv_init cvlim
cp "$memhog" "$tmp/rootfs/bin/memhog"
cp "$forkbomb" "$tmp/rootfs/bin/forkbomb"
start_server() {
	srv_start ${config:+--config "$config"} --min-ready 0
}
exec_json() { python3 -c 'import json,sys; print(json.dumps({"argv":sys.argv[1:], "timeout_ms":120000}))' "$@"; }
# The memory cgroup directory of host process PID (v2: the unified one).
memcg_of() {
	local line
	line=$(grep -E '^[0-9]+:(memory|[^:]*,memory|[^:]*memory,[^:]*):' /proc/$1/cgroup 2>/dev/null | head -1)
	if [ -n "$line" ]; then echo "/sys/fs/cgroup/memory${line#*:*:}"; return; fi
	line=$(grep '^0::' /proc/$1/cgroup 2>/dev/null)
	[ -n "$line" ] && echo "/sys/fs/cgroup${line#0::}"
}
memlimit_of() { # DIR
	if [ -f "$1/memory.max" ]; then cat "$1/memory.max"; else cat "$1/memory.limit_in_bytes"; fi
}
metric() { # POOL REASON
	curl -s -H "Authorization: Bearer $TOKEN" "$base/metrics" |
		awk -v k="cvisor_pool_failures_total{pool=\"$1\",reason=\"$2\"}" '$1 == k { print $2 }'
}

start_server
lim=$((256 << 20))
req POST /v1/pools "{\"name\":\"lim\",\"rootfs\":\"$tmp/rootfs\",\"min_ready\":1,\"resources\":{\"memory_bytes\":$lim,\"cpus\":1.5,\"pids\":64}}"
if [ "$code" = 400 ] && grep -q cgroups-unavailable "$tmp/body"; then
	echo "SKIP: this host has no writable cgroups: $(jq_ 'd["detail"]')"
	exit 77
fi
expect 201 "a pool with resources"
[ "$(jq_ 'd["resources"]["memory_bytes"]')" = "$lim" ] && [ "$(jq_ 'd["resources"]["cpus"]')" = 1.5 ] &&
	[ "$(jq_ 'd["resources"]["pids"]')" = 64 ] && ok "the pool reports its resources" ||
	bad "pool resources: $(cat "$tmp/body")"

# --- validation ---
for body in '{"memory_bytes":1000}' '{"memory_bytes":"1G"}' '{"cpus":0}' '{"cpus":"2"}' \
	'{"pids":3}' '{"pids":-1}' '{"disk":1}' '[]' '"x"'; do
	req POST /v1/pools "{\"name\":\"badres\",\"rootfs\":\"$tmp/rootfs\",\"resources\":$body}"
	expect 400 "resources $body refused"
done
req POST /v1/sandboxes "{\"pool\":\"lim\",\"resources\":{\"pids\":32}}"
expect 400 "resources with a pool (not rootfs) refused"

# --- each sandbox in its own cgroup with the limits ---
wait_ready lim 1
req POST /v1/sandboxes '{"pool":"lim","timeout_s":600}'
expect 201 "lease a limited sandbox"
sb=$(jq_ 'd["id"]')
hp=$(jq_ 'd.get("host_pid", 0)')
cg=$(memcg_of "$hp")
case $cg in
*/cvisord/*/lim/*) ok "the Sentry is in its own cgroup ($cg)" ;;
*) bad "the Sentry (pid $hp) is in '$cg'" ;;
esac
[ -d "$cg" ] && [ "$(memlimit_of "$cg")" = "$lim" ] && ok "memory limit set" ||
	bad "memory limit in $cg: $(memlimit_of "$cg" 2>&1)"
# cpu quota: v1's cpu hierarchy (cfs_quota_us) or v2's cpu.max
q=
for f in "/sys/fs/cgroup/cpu$(grep -E '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:' /proc/$hp/cgroup | head -1 | cut -d: -f3)/cpu.cfs_quota_us" "$cg/cpu.max"; do
	[ -f "$f" ] && q=$(cat "$f") && break
done
case $q in 150000 | "150000 100000") ok "cpu quota 1.5 CPUs ($q)" ;; *) bad "cpu quota: '$q'" ;; esac
gof=0
while read -r p; do grep -q gofer "/proc/$p/cmdline" 2>/dev/null && gof=1; done <"$cg/cgroup.procs"
[ $gof = 1 ] && ok "the Gofer is in the sandbox's cgroup" || bad "no Gofer in $cg"
# every host process of the sandbox (launcher's children: Sentry, stubs, Gofer) is in it
n_in=$(grep -c . "$cg/cgroup.procs" 2>/dev/null || echo 0)
[ "$n_in" -ge 2 ] && ok "$n_in host processes in the sandbox's cgroup" || bad "cgroup.procs: $n_in"

# under the limit: passes
req POST "/v1/sandboxes/$sb/exec" "$(exec_json memhog 32)"
expect 200 "memhog 32 MiB under a 256 MiB limit"
[ "$(jq_ 'd["exit_code"]')" = 0 ] && [ "$(jq_ 'd["stdout"]')" = "allocated 32 MiB" ] &&
	[ "$(jq_ 'd.get("reason")')" = None ] && ok "under the limit: exit 0, no reason" ||
	bad "memhog 32: $(cat "$tmp/body")"

# past the limit: killed, reported, sandbox removed
req POST "/v1/sandboxes/$sb/exec" "$(exec_json memhog 1024)"
expect 200 "memhog 1024 MiB past a 256 MiB limit"
[ "$(jq_ 'd["exit_code"]')" = 137 ] && [ "$(jq_ 'd.get("signal")')" = 9 ] &&
	[ "$(jq_ 'd.get("reason")')" = oom ] && ok "past the limit: exit 137, signal 9, reason oom" ||
	bad "memhog 1024: $(cat "$tmp/body")"
req GET "/v1/sandboxes/$sb"
[ "$code" = 404 ] || [ "$(jq_ 'd.get("state")' 2>/dev/null)" = ended ] &&
	ok "the OOM-killed sandbox is removed ($code)" || bad "sandbox after OOM: $code $(cat "$tmp/body")"
for _ in $(seq 100); do [ -d "$cg" ] || break; sleep 0.1; done
[ ! -d "$cg" ] && ok "its cgroup is removed" || bad "cgroup $cg still there"
[ "$(metric lim oom)" = 1 ] && ok "/metrics counts failures{reason=oom}" || bad "oom metric: '$(metric lim oom)'"

# streamed: the end event says oom
wait_ready lim 1
req POST /v1/sandboxes '{"pool":"lim","timeout_s":600}'
sb2=$(jq_ 'd["id"]')
code=$(curl -s -o "$tmp/stream" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	-H 'Accept: application/x-ndjson' --data-binary "$(exec_json memhog 1024)" \
	"$base/v1/sandboxes/$sb2/exec?stream=1")
last=$(tail -1 "$tmp/stream")
python3 -c 'import json,sys; e=json.loads(sys.argv[1]); sys.exit(0 if e["type"]=="exit" and e["exit_code"]==137 and e["reason"]=="oom" else 1)' "$last" &&
	ok "streamed exec ends with exit 137 reason oom" || bad "stream end: $code $last"
[ "$(metric lim oom)" = 2 ] && ok "two oom failures counted" || bad "oom metric: '$(metric lim oom)'"

# a background hog with no exec in progress: the reaper finds the OOM kill
wait_ready lim 1
req POST /v1/sandboxes '{"pool":"lim","timeout_s":600}'
sbb=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$sbb/exec" "$(exec_json sh -c 'memhog 1024 >/dev/null 2>&1 &')"
expect 200 "start a memory hog in the background"
for _ in $(seq 300); do
	req GET "/v1/sandboxes/$sbb"
	[ "$code" = 404 ] && break
	sleep 0.1
done
[ "$code" = 404 ] && ok "the sandbox of a background hog is removed" || bad "background hog: $code $(cat "$tmp/body")"
[ "$(metric lim oom)" = 3 ] && ok "three oom failures counted" || bad "oom metric: '$(metric lim oom)'"
# /v1/run (lease, exec, destroy) reports it the same way
wait_ready lim 1
req POST /v1/run '{"pool":"lim","argv":["memhog","1024"],"timeout_ms":120000}'
[ "$code" = 200 ] && [ "$(jq_ 'd["exit_code"]')" = 137 ] && [ "$(jq_ 'd.get("reason")')" = oom ] &&
	ok "run past the limit: 137, reason oom" || bad "run memhog: $code $(cat "$tmp/body")"
req POST /v1/run '{"pool":"lim","argv":["memhog","16"],"timeout_ms":120000}'
[ "$code" = 200 ] && [ "$(jq_ 'd["exit_code"]')" = 0 ] && ok "run under the limit: 0" ||
	bad "run memhog 16: $code $(cat "$tmp/body")"
[ "$(metric lim oom)" = 4 ] && ok "four oom failures counted" || bad "oom metric: '$(metric lim oom)'"

# --- pids: a fork loop stops at the limit; the server stays healthy ---
wait_ready lim 1
req POST /v1/sandboxes '{"pool":"lim","timeout_s":600}'
sb3=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$sb3/exec" "$(exec_json forkbomb 400)"
expect 200 "a fork loop under pids=64"
out=$(jq_ 'd["stdout"]')
k=$(echo "$out" | sed -n 's/^forked \([0-9]*\) of 400.*/\1/p')
[ -n "$k" ] && [ "$k" -lt 400 ] && ok "the fork loop was stopped by the pids limit ($out)" ||
	bad "fork loop: $(cat "$tmp/body")"
req GET /healthz
expect 200 "the server is healthy after the fork loop"
req POST "/v1/sandboxes/$sb3/exec" "$(exec_json echo still-alive)"
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = still-alive ] && ok "the sandbox still runs commands" ||
	bad "after the fork loop: $code $(cat "$tmp/body")"
req DELETE "/v1/sandboxes/$sb3"

# the same fork loop without limits runs to its end (differential)
req POST /v1/sandboxes "{\"rootfs\":\"$tmp/rootfs\",\"timeout_s\":600}"
expect 201 "an ad-hoc sandbox without limits"
sb4=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$sb4/exec" "$(exec_json forkbomb 100)"
[ "$(jq_ 'd["stdout"]')" = "forked 100 of 100" ] && ok "without limits the loop forks 100" ||
	bad "unlimited fork loop: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$sb4/exec" "$(exec_json memhog 300)"
[ "$(jq_ 'd["exit_code"]')" = 0 ] && ok "without limits 300 MiB pass" || bad "unlimited memhog: $(cat "$tmp/body")"
req DELETE "/v1/sandboxes/$sb4"

# --- an ad-hoc sandbox with resources ---
req POST /v1/sandboxes "{\"rootfs\":\"$tmp/rootfs\",\"timeout_s\":600,\"resources\":{\"memory_bytes\":$((128 << 20)),\"pids\":48}}"
expect 201 "an ad-hoc sandbox with resources"
[ "$(jq_ 'd["resources"]["pids"]')" = 48 ] && ok "the sandbox reports its resources" || bad "adhoc body: $(cat "$tmp/body")"
sb5=$(jq_ 'd["id"]')
cg5=$(memcg_of "$(jq_ 'd.get("host_pid", 0)')")
case $cg5 in */cvisord/*/_adhoc/*) ok "ad-hoc cgroup $cg5" ;; *) bad "ad-hoc cgroup '$cg5'" ;; esac
[ "$(memlimit_of "$cg5")" = $((128 << 20)) ] && ok "ad-hoc memory limit set" || bad "ad-hoc limit"
req POST "/v1/sandboxes/$sb5/exec" "$(exec_json memhog 512)"
[ "$(jq_ 'd["exit_code"]')" = 137 ] && [ "$(jq_ 'd.get("reason")')" = oom ] &&
	ok "ad-hoc: past its limit reason oom" || bad "ad-hoc memhog: $(cat "$tmp/body")"
for _ in $(seq 100); do [ -d "$cg5" ] || break; sleep 0.1; done
[ ! -d "$cg5" ] && ok "ad-hoc cgroup removed" || bad "ad-hoc cgroup $cg5 still there"

# --- gRPC ---
if [ -n "$gport" ] && /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
	CVISOR_TOKEN=$TOKEN /usr/bin/python3 "$here/limits_grpc.py" "127.0.0.1:$gport" "$tmp/rootfs" \
		"$tmp/pb2" || bad "gRPC part (above)"
else
	echo "skip: gRPC part (python3-grpcio missing)"
fi

# --- cvisorctl ---
if [ -n "$ctl" ]; then
	cout=$(CVISOR_URL=$base CVISOR_TOKEN=$TOKEN "$ctl" pools create --memory=$((64 << 20)) --cpus=0.25 \
		--pids=40 ctlp "$tmp/rootfs" 0 2>&1)
	req GET /v1/pools/ctlp
	[ "$code" = 200 ] && [ "$(jq_ 'd["resources"]["memory_bytes"]')" = $((64 << 20)) ] &&
		[ "$(jq_ 'd["resources"]["cpus"]')" = 0.25 ] && [ "$(jq_ 'd["resources"]["pids"]')" = 40 ] &&
		ok "cvisorctl pools create --memory --cpus --pids" || bad "cvisorctl: $cout / $(cat "$tmp/body")"
	CVISOR_URL=$base CVISOR_TOKEN=$TOKEN "$ctl" pools create --pids=2 ctlq "$tmp/rootfs" >/dev/null 2>&1 &&
		bad "cvisorctl with pids=2 succeeded" || ok "cvisorctl: pids=2 refused"
	req DELETE /v1/pools/ctlp
fi

# --- cgroups removed after delete; stale ones after a crash ---
wait_ready lim 1
req GET /v1/sandboxes
req POST /v1/sandboxes '{"pool":"lim","timeout_s":600}'
sb6=$(jq_ 'd["id"]')
cg6=$(memcg_of "$(jq_ 'd.get("host_pid", 0)')")
pooldir=${cg6%/*}
req DELETE "/v1/sandboxes/$sb6"
for _ in $(seq 100); do [ -d "$cg6" ] || break; sleep 0.1; done
[ ! -d "$cg6" ] && ok "a deleted sandbox's cgroup is removed" || bad "cgroup $cg6 after delete"
wait_ready lim 1
# crash: SIGKILL the server with a warm sandbox; the restart removes its cgroups
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
ls -d "$pooldir"/* >/dev/null 2>&1 && ok "a warm sandbox's cgroup survives the crash" ||
	echo "note: the warm sandbox died with the server"
# the restart reads a JSON config with a limited pool
config=$tmp/config.json
cat >"$config" <<CFG
{"pools": [{"name": "cfgp", "rootfs": "$tmp/rootfs", "min_ready": 0,
            "resources": {"memory_bytes": $((96 << 20)), "cpus": 2, "pids": 100}}]}
CFG
start_server
req GET /v1/pools/cfgp
[ "$code" = 200 ] && [ "$(jq_ 'd["resources"]["memory_bytes"]')" = $((96 << 20)) ] &&
	[ "$(jq_ 'd["resources"]["pids"]')" = 100 ] && ok "a pool with resources from the JSON config" ||
	bad "config pool: $code $(cat "$tmp/body")"
for _ in $(seq 100); do [ -d "$pooldir" ] || break; sleep 0.1; done
[ ! -d "$pooldir" ] && ok "stale cgroups removed at restart" || bad "stale $pooldir: $(ls "$pooldir")"
inst=${pooldir%/*}
req POST /v1/pools "{\"name\":\"lim\",\"rootfs\":\"$tmp/rootfs\",\"min_ready\":1,\"resources\":{\"pids\":64}}"
expect 201 "the pool again after the restart"
wait_ready lim 1
req DELETE /v1/pools/lim
expect 204 "delete the pool"
for _ in $(seq 100); do [ -d "$inst/lim" ] || break; sleep 0.1; done
[ ! -d "$inst/lim" ] && ok "no cgroup left after the pool's deletion" ||
	bad "left: $(find "$inst/lim" -mindepth 1 -type d)"

kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=

# --- a host without cgroups: limits refused with a clear error, not ignored ---
# (a mount namespace where /sys/fs/cgroup is an empty read-only tmpfs)
port=$(freeport)
base=http://127.0.0.1:$port
gport=$(freeport)
CVISOR_TOKEN=$TOKEN unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs -o ro none /sys/fs/cgroup && exec "$@"' sh \
	"$cvisord" --rest "127.0.0.1:$port" --grpc "127.0.0.1:$gport" --state-dir "$tmp/state2" \
	--default-rootfs "$tmp/rootfs" --min-ready 0 --platform "$platform" 2>>"$tmp/log" &
pid=$!
for _ in $(seq 200); do curl -sf "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
req POST /v1/pools "{\"name\":\"nocg\",\"rootfs\":\"$tmp/rootfs\",\"resources\":{\"pids\":64}}"
expect 400 "a pool with limits without cgroups"
grep -q cgroups-unavailable "$tmp/body" && grep -q "writable cgroups" "$tmp/body" &&
	ok "the problem says cgroups are unavailable" || bad "problem: $(cat "$tmp/body")"
req POST /v1/sandboxes "{\"rootfs\":\"$tmp/rootfs\",\"resources\":{\"memory_bytes\":$((64 << 20))}}"
expect 400 "an ad-hoc sandbox with limits without cgroups"
req POST /v1/pools "{\"name\":\"nocg\",\"rootfs\":\"$tmp/rootfs\"}"
expect 201 "a pool without limits still works there"
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
	CVISOR_TOKEN=$TOKEN /usr/bin/python3 - "127.0.0.1:$gport" "$tmp/rootfs" "$tmp/pb2" "$root" <<'PY' &&
import os, sys
target, rootfs, pb2, root = sys.argv[1:5]
sys.path.insert(0, os.path.join(root, "clients", "python"))
os.environ["CVISOR_PROTO"] = os.path.join(root, "api", "cvisor.proto")
os.environ["CVISOR_PB2_DIR"] = pb2
import grpc, cvisor_grpc
c = cvisor_grpc.Client(target)
try:
    c.create_pool("nocg2", rootfs, resources={"pids": 64})
except grpc.RpcError as e:
    print(e.code().name, e.details())
    sys.exit(0 if e.code() == grpc.StatusCode.FAILED_PRECONDITION else 1)
sys.exit(1)
PY
		ok "gRPC CreatePool with limits without cgroups -> FAILED_PRECONDITION" ||
		bad "gRPC without cgroups"
fi
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
[ $fail = 0 ] && echo "all limits tests passed"
exit $fail
