#!/bin/bash
# snap_quota.sh CVISORD [PLATFORM [CVISORCTL]]
#
# Snapshot quotas and retention (docs/checkpoint.md "Snapshot quotas and
# retention") with a real cvisord on loopback, real curl, cvisorctl, the
# Python REST client and the Python grpcio client (snap_quota_grpc.py):
#  - max_snapshots: the request over it is refused (507 problem+json /
#    RESOURCE_EXHAUSTED) and leaves nothing in --snapshot-dir;
#  - ttl_seconds: validation against max_snapshot_ttl_seconds, expires_at
#    shown, the reaper removes an expired snapshot (polled, generous
#    timeout), but not one a snapshot pool uses until the pool is deleted;
#  - labels and GET /v1/snapshots?label=KEY=VALUE;
#  - /metrics: cvisor_snapshots, cvisor_snapshot_bytes and the
#    created/deleted/expired/refused counters;
#  - restart: the snapshots on disk are counted again (gauges), partial and
#    damaged directories are removed with a log line, and max_snapshot_bytes
#    refuses a snapshot after its checkpoint without leaving it on disk (the
#    sandbox of a refused leave_running=false snapshot keeps running);
#  - as root: a snapshot dir on a 2 MiB tmpfs, a checkpoint failing with
#    ENOSPC midway: 507 insufficient-storage, nothing left on disk.
set -eu
cvisord=$(realpath "$1")
platform=${2:-systrap}
ctl=${3:+$(realpath "$3")}
here=$(dirname "$(realpath "$0")")
root=$here/../../..

small=
unmount_small() {
	if [ -n "$small" ]; then
		wait 2>/dev/null
		umount "$small" 2>/dev/null
	fi
}
. "$here/lib.sh"
on_cleanup=unmount_small
srv_init cvsnq
snapdir=$tmp/snaps

start() { # extra cvisord flags
	srv_start --snapshot-dir "$snapdir" --min-ready 1 "$@"
}
stop() { srv_stop; }

metric() { # NAME-WITH-LABELS -> value (empty if absent)
	req GET /metrics
	awk -v n="$1" '$1 == n { print $2 }' "$tmp/body"
}
busy() { # ID: a process to checkpoint (a shell loop in the background)
	exec_out "$1" "sh -c 'while :; do sleep 1; done' </dev/null >/dev/null 2>&1 & echo started"
	[ "$out" = started ] || bad "no background loop in $1: $(cat "$tmp/body")"
}
ondisk() { # snapshot directories (16 hex characters) in the snapshot dir
	find "$snapdir" -mindepth 1 -maxdepth 1 -regextype posix-extended \
		-regex '.*/[0-9a-f]{16}' 2>/dev/null | wc -l
}
# poll: up to 120 s for CMD to succeed
poll() {
	for _ in $(seq 600); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

start --max-snapshots 3 --max-snapshot-ttl 600
wait_ready default 1
req POST /v1/sandboxes '{"timeout_s":900}'
expect 201 "a sandbox to snapshot"
src=$(jq_ 'd["id"]')
busy "$src"

# --- validation ---
req POST "/v1/sandboxes/$src/snapshots" '{"ttl_seconds":601}'
expect 400 "ttl_seconds over max_snapshot_ttl_seconds"
problem bad-field
req POST "/v1/sandboxes/$src/snapshots" '{"ttl_seconds":"5"}'
expect 400 "ttl_seconds a string"
req POST "/v1/sandboxes/$src/snapshots" '{"ttl_seconds":-1}'
expect 400 "ttl_seconds negative"
req POST "/v1/sandboxes/$src/snapshots" '{"labels":{"a=b":"c"}}'
expect 400 "a label key with ="
req POST "/v1/sandboxes/$src/snapshots" '{"labels":["x"]}'
expect 400 "labels not an object"
req GET '/v1/snapshots?label=novalue'
expect 400 "list with label not KEY=VALUE"
# a checkpoint the runtime refuses (no process to save) leaves nothing
req POST /v1/sandboxes '{"timeout_s":300}'
expect 201 "a sandbox without processes"
empty=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$empty/snapshots"
expect 409 "its checkpoint is refused"
req DELETE "/v1/sandboxes/$empty"
[ "$(ondisk)" = 0 ] && ok "nothing on disk after refused requests" || bad "on disk: $(ls -a "$snapdir")"
[ "$(find "$snapdir" -mindepth 1 2>/dev/null | wc -l)" = 0 ] && ok "the snapshot dir is empty" ||
	bad "left in the snapshot dir: $(find "$snapdir")"

# --- three snapshots: default ttl (= the maximum), explicit ttls, labels ---
req POST "/v1/sandboxes/$src/snapshots" '{"labels":{"team":"a","env":"dev"}}'
expect 201 "snapshot 1 (labels, no ttl)"
s1=$(jq_ 'd["id"]')
[ "$(jq_ 'd["expires_at"] - d["created_at"]')" = 600 ] &&
	ok "no ttl_seconds: max_snapshot_ttl_seconds applies (expires_at = created_at + 600)" ||
	bad "expires_at of snapshot 1: $(cat "$tmp/body")"
[ "$(jq_ 'd["labels"]["team"]')" = a ] && ok "the labels are shown" || bad "labels: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$src/snapshots" '{"ttl_seconds":500,"labels":{"team":"b"}}'
expect 201 "snapshot 2 (ttl 500 s)"
s2=$(jq_ 'd["id"]')
[ "$(jq_ 'd["expires_at"] - d["created_at"]')" = 500 ] && ok "expires_at = created_at + 500" ||
	bad "expires_at of snapshot 2: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$src/snapshots" '{"ttl_seconds":500}'
expect 201 "snapshot 3"
s3=$(jq_ 'd["id"]')
req GET "/v1/snapshots/$s1"
[ "$code" = 200 ] && [ "$(jq_ 'd["labels"]["env"]')" = dev ] && [ "$(jq_ 'd["expires_at"] > 0')" = True ] &&
	ok "GET shows labels and expires_at" || bad "GET snapshot 1: $code $(cat "$tmp/body")"
req GET '/v1/snapshots?label=team=a'
[ "$code" = 200 ] && [ "$(jq_ '[s["id"] for s in d["snapshots"]]')" = "['$s1']" ] &&
	ok "list ?label=team=a: only snapshot 1" || bad "label filter: $(cat "$tmp/body")"
req GET '/v1/snapshots?label=team=zzz'
[ "$(jq_ 'len(d["snapshots"])')" = 0 ] && ok "list ?label=team=zzz: none" || bad "label filter none: $(cat "$tmp/body")"
req GET /v1/snapshots
[ "$(jq_ 'len(d["snapshots"])')" = 3 ] && ok "three snapshots listed" || bad "list: $(cat "$tmp/body")"

# --- max_snapshots ---
req POST "/v1/sandboxes/$src/snapshots" '{"leave_running":false}'
expect 507 "a fourth snapshot over max_snapshots"
problem snapshot-quota
grep -q max_snapshots "$tmp/body" && ok "the detail names max_snapshots" || bad "detail: $(cat "$tmp/body")"
[ "$(ondisk)" = 3 ] && ok "nothing half-written: 3 snapshot directories" || bad "on disk: $(ls -a "$snapdir")"
req GET "/v1/sandboxes/$src"
[ "$code" = 200 ] && [ "$(jq_ 'd["state"]')" = running ] &&
	ok "the sandbox of a refused leave_running=false snapshot keeps running" || bad "source after refusal: $code $(cat "$tmp/body")"
[ "$(metric 'cvisor_snapshots_refused_total{reason="max_snapshots"}')" = 1 ] &&
	ok "/metrics: refused{reason=max_snapshots} 1" || bad "refused metric: $(grep refused "$tmp/body")"
[ "$(metric cvisor_snapshots)" = 3 ] && ok "/metrics: cvisor_snapshots 3" || bad "gauge: $(grep '^cvisor_snapshot' "$tmp/body")"
b3=$(metric cvisor_snapshot_bytes)
[ "${b3:-0}" -gt 1000 ] && ok "/metrics: cvisor_snapshot_bytes $b3" || bad "bytes gauge: '$b3'"

# --- delete counts ---
req DELETE "/v1/snapshots/$s3"
expect 204 "delete snapshot 3"
[ "$(metric cvisor_snapshots_deleted_total)" = 1 ] && ok "/metrics: deleted_total 1" || bad "deleted metric"
[ "$(metric cvisor_snapshots)" = 2 ] && ok "/metrics: cvisor_snapshots 2" || bad "gauge after delete"

# --- expiry: a 3 s snapshot is reaped ---
req POST "/v1/sandboxes/$src/snapshots" '{"ttl_seconds":3}'
expect 201 "a snapshot with ttl 3 s"
sx=$(jq_ 'd["id"]')
[ "$(jq_ 'd["expires_at"] - d["created_at"]')" = 3 ] && ok "expires_at = created_at + 3" ||
	bad "expires_at of the short snapshot: $(cat "$tmp/body")"
gone() { req GET "/v1/snapshots/$1"; [ "$code" = 404 ]; }
poll gone "$sx" && ok "the 3 s snapshot expired (404)" || bad "the short snapshot never expired: $(cat "$tmp/body")"
[ ! -e "$snapdir/$sx" ] && ok "its directory is removed" || bad "expired directory still there"
[ "$(metric cvisor_snapshots_expired_total)" = 1 ] && ok "/metrics: expired_total 1" || bad "expired metric"
[ "$(metric cvisor_snapshots)" = 2 ] && ok "/metrics: cvisor_snapshots 2" || bad "gauge after expiry"
[ "$(metric cvisor_snapshots_deleted_total)" = 1 ] && ok "/metrics: an expiry is not a deletion" || bad "deleted metric after expiry"
req GET "/v1/snapshots/$s1"
expect 200 "snapshot 1 (ttl 600) stays"

# --- a snapshot pool keeps its (expired) template ---
req POST "/v1/sandboxes/$src/snapshots" '{"ttl_seconds":15}'
expect 201 "snapshot 4 (ttl 15 s) for a pool"
s4=$(jq_ 'd["id"]')
exp4=$(jq_ 'd["expires_at"]')
req POST /v1/pools "{\"name\":\"tp\",\"template\":{\"snapshot\":\"$s4\"},\"min_ready\":0}"
expect 201 "a pool from snapshot 4"
past() { [ "$(date +%s)" -ge $((exp4 + 4)) ]; }
poll past
req GET "/v1/snapshots/$s4"
expect 200 "snapshot 4 is past its expiry but a pool uses it: kept"
req DELETE /v1/pools/tp
expect 204 "delete the pool"
poll gone "$s4" && ok "once the pool is gone, the expired snapshot is reaped" || bad "snapshot 4 kept: $(cat "$tmp/body")"

# --- cvisorctl ---
if [ -n "$ctl" ]; then
	export CVISOR_URL=$base CVISOR_TOKEN=$TOKEN
	if "$ctl" snapshots create "$src" --ttl 300 --label owner=ctl >"$tmp/ctl" 2>&1 &&
		grep -q '"owner": *"ctl"' "$tmp/ctl" && grep -q '"expires_at"' "$tmp/ctl"; then
		ok "cvisorctl snapshots create --ttl --label"
	else
		bad "cvisorctl snapshots create: $(cat "$tmp/ctl")"
	fi
	"$ctl" snapshots list --label owner=ctl >"$tmp/ctl" 2>&1 && grep -q '"owner": *"ctl"' "$tmp/ctl" &&
		! grep -q '"team"' "$tmp/ctl" && ok "cvisorctl snapshots list --label" ||
		bad "cvisorctl snapshots list --label: $(cat "$tmp/ctl")"
	ctlsid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["snapshots"][0]["id"])' "$tmp/ctl" 2>/dev/null) || ctlsid=
	"$ctl" snapshots delete "$ctlsid" >/dev/null 2>&1 && ok "cvisorctl snapshots delete" || bad "cvisorctl snapshots delete '$ctlsid'"
	"$ctl" snapshots create "$src" --ttl 601 >"$tmp/ctl" 2>&1 &&
		bad "cvisorctl: ttl over the maximum accepted" || ok "cvisorctl: ttl over the maximum refused"
fi

# --- the Python REST client ---
PYTHONPATH=$root/clients/python python3 - "$base" "$TOKEN" "$src" <<'PY' && ok "python REST client: snapshot(ttl_seconds, labels), snapshots(label)" || bad "python REST client"
import sys, urllib.error
import cvisor_client
c = cvisor_client.Client(sys.argv[1], token=sys.argv[2])
sb = cvisor_client.Sandbox(c, {"id": sys.argv[3]})
body = sb.snapshot(ttl_seconds=100, labels={"py": "1"})
assert body["labels"] == {"py": "1"} and body["expires_at"] - body["created_at"] == 100, body
assert [s["id"] for s in c.snapshots(label="py=1")] == [body["id"]]
c.delete_snapshot(body["id"])
PY

# --- gRPC ---
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
	CVISOR_TOKEN=$TOKEN /usr/bin/python3 "$here/snap_quota_grpc.py" "127.0.0.1:$gport" "$src" \
		"$tmp/pb2" || bad "gRPC part (above)"
else
	echo "skip: gRPC part (python3-grpcio missing)"
fi

# --- restart: the snapshots on disk are counted, damaged ones removed ---
req GET /v1/snapshots
n_before=$(jq_ 'len(d["snapshots"])')
bytes_before=$(metric cvisor_snapshot_bytes)
[ "$n_before" -ge 1 ] || bad "no snapshot left before the restart"
stop
# a checkpoint interrupted by a crash (no meta.json), damaged metadata, an
# interrupted deletion, and something that is not ours
mkdir -p "$snapdir/0123456789abcdef/img" "$snapdir/fedcba9876543210/img" \
	"$snapdir/.deleted-aaaaaaaaaaaaaaaa-01020304/img" "$snapdir/not-a-snapshot"
head -c 4096 /dev/urandom >"$snapdir/0123456789abcdef/img/pages.img"
echo '{"id": "fedcba98' >"$snapdir/fedcba9876543210/meta.json"
: >"$tmp/log"
# the byte limit (from the config file): just above what is there, below
# any new snapshot
echo "{\"limits\": {\"max_snapshots\": 10, \"max_snapshot_bytes\": $((bytes_before + 1000))}}" >"$tmp/conf.json"
start --config "$tmp/conf.json"
grep -q "removing damaged snapshot directory .*0123456789abcdef" "$tmp/log" &&
	grep -q "removing damaged snapshot directory .*fedcba9876543210" "$tmp/log" &&
	ok "the start-up scan logs the damaged directories" || bad "log: $(cat "$tmp/log")"
[ ! -e "$snapdir/0123456789abcdef" ] && [ ! -e "$snapdir/fedcba9876543210" ] &&
	[ ! -e "$snapdir/.deleted-aaaaaaaaaaaaaaaa-01020304" ] &&
	ok "partial, damaged and half-deleted directories are removed" || bad "left: $(ls -a "$snapdir")"
[ -d "$snapdir/not-a-snapshot" ] && ok "a directory that is not a snapshot is left alone" || bad "not-a-snapshot removed"
[ "$(metric cvisor_snapshots)" = "$n_before" ] && ok "after the restart: cvisor_snapshots $n_before" ||
	bad "gauge after restart: $(grep '^cvisor_snapshot' "$tmp/body")"
[ "$(metric cvisor_snapshot_bytes)" = "$bytes_before" ] && ok "after the restart: cvisor_snapshot_bytes $bytes_before" ||
	bad "bytes after restart: $(grep '^cvisor_snapshot' "$tmp/body") want $bytes_before"
wait_ready default 1
req POST /v1/sandboxes '{"timeout_s":600}'
expect 201 "a sandbox after the restart"
src2=$(jq_ 'd["id"]')
busy "$src2"
req POST "/v1/sandboxes/$src2/snapshots" '{"leave_running":false}'
expect 507 "a snapshot over max_snapshot_bytes"
problem snapshot-quota
grep -q max_snapshot_bytes "$tmp/body" && ok "the detail names max_snapshot_bytes" || bad "detail: $(cat "$tmp/body")"
[ "$(ondisk)" = "$n_before" ] && ok "the refused snapshot left nothing on disk" || bad "on disk: $(ls -a "$snapdir")"
req GET "/v1/sandboxes/$src2"
[ "$code" = 200 ] && [ "$(jq_ 'd["state"]')" = running ] && ok "its sandbox keeps running" ||
	bad "sandbox after refusal: $code $(cat "$tmp/body")"
[ "$(metric 'cvisor_snapshots_refused_total{reason="max_snapshot_bytes"}')" = 1 ] &&
	ok "/metrics: refused{reason=max_snapshot_bytes} 1" || bad "refused metric: $(grep refused "$tmp/body")"
req GET /v1/snapshots
sid=$(jq_ 'd["snapshots"][0]["id"]')
req DELETE "/v1/snapshots/$sid"
expect 204 "a snapshot from before the restart can be deleted"
[ "$(metric cvisor_snapshots)" = $((n_before - 1)) ] && ok "and is uncounted" || bad "gauge after delete"
stop

# --- a disk that fills up mid-checkpoint (a 2 MiB tmpfs; root only) ---
mkdir -p "$tmp/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=2m tmpfs "$tmp/small" 2>/dev/null; then
	small=$tmp/small
	snapdir=$small/snaps
	: >"$tmp/log"
	start
	wait_ready default 1
	req POST /v1/sandboxes '{"timeout_s":600}'
	expect 201 "a sandbox (snapshot dir on a 2 MiB tmpfs)"
	src3=$(jq_ 'd["id"]')
	busy "$src3"
	exec_out "$src3" "dd if=/dev/urandom of=/tmp/big bs=1024 count=3072 2>/dev/null; echo done"
	req POST "/v1/sandboxes/$src3/snapshots" '{"leave_running":false}'
	expect 507 "a snapshot that does not fit on the disk"
	problem insufficient-storage
	[ "$(find "$snapdir" -mindepth 1 2>/dev/null | wc -l)" = 0 ] &&
		ok "the disk-full checkpoint left nothing on disk" || bad "left: $(find "$snapdir" -ls)"
	req GET "/v1/sandboxes/$src3"
	[ "$code" = 200 ] && [ "$(jq_ 'd["state"]')" = running ] && ok "its sandbox keeps running" ||
		bad "sandbox after ENOSPC: $code $(cat "$tmp/body")"
	[ "$(metric 'cvisor_snapshots_refused_total{reason="no_space"}')" = 1 ] &&
		ok "/metrics: refused{reason=no_space} 1" || bad "no_space metric: $(grep refused "$tmp/body")"
	[ "$(metric cvisor_snapshots)" = 0 ] && ok "/metrics: cvisor_snapshots 0" || bad "gauge after ENOSPC"
	stop
	umount "$small" && small=
else
	echo "skip: disk-full part (needs root to mount a small tmpfs)"
fi

# a bad limit in the config file is refused
echo '{"limits": {"max_snapshots": -1}}' >"$tmp/bad.json"
if timeout 60 "$cvisord" --config "$tmp/bad.json" --state-dir "$tmp/state2" 2>/dev/null; then
	bad "cvisord started with max_snapshots -1"
else
	ok "a negative max_snapshots in the config is refused"
fi
exit $fail
