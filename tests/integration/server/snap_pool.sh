#!/bin/bash
# snap_pool.sh CVISORD [PLATFORM [CVISORCTL]]
#
# Pools whose template is a snapshot (docs/checkpoint.md "Pools from
# snapshots"), with a real cvisord on loopback, real curl, cvisorctl and the
# Python grpcio client (snap_pool_grpc.py):
#  - a sandbox gets a file in its overlay root and in /tmp and a busybox
#    sh loop counting in memory (writing the count to /tmp/counter), and is
#    snapshotted;
#  - a pool made from the snapshot keeps min_ready restored clones warm;
#    leases and runs from it see the file and the loop still counting from
#    where it was (not restarted), each lease an independent clone, each
#    handed out once and destroyed after use;
#  - errors: unknown snapshot (404 / NOT_FOUND), two templates, bad
#    template objects, another platform (400); deleting a snapshot a pool
#    uses (409 / FAILED_PRECONDITION), allowed again once the pool is gone;
#  - a snapshot whose image is damaged: every refill's restore fails, is
#    counted (failures.restore, /metrics) and backs off instead of spinning.
set -eu
cvisord=$(realpath "$1")
platform=${2:-systrap}
ctl=${3:+$(realpath "$3")}
here=$(dirname "$(realpath "$0")")
root=$here/../../..

. "$here/lib.sh"
srv_init cvsnp
srv_start --min-ready 1

# --- the source sandbox: a file in the overlay root and in /tmp, a counting loop ---
wait_ready default 1
req POST /v1/sandboxes '{"timeout_s":600}'
expect 201 "a sandbox to snapshot"
src=$(jq_ 'd["id"]')
secret=secret-$RANDOM$RANDOM
exec_out "$src" "echo $secret > /data.txt && mkdir -p /srv/app && echo note > /tmp/note && cat /data.txt"
[ "$out" = "$secret" ] && ok "files written in the source" || bad "write files: $(cat "$tmp/body")"
# The loop's count lives in the shell's memory; it writes it to /tmp/counter.
loop='i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.1; done'
exec_out "$src" "sh -c '$loop' </dev/null >/dev/null 2>&1 & p=\$!; j=0; until [ -s /tmp/counter ] && [ \$(cat /tmp/counter) -ge 10 ]; do j=\$((j+1)); [ \$j -gt 600 ] && break; sleep 0.1; done; echo \$p"
spid=$out
case $spid in '' | *[!0-9]*) bad "no background loop: $(cat "$tmp/body")"; exit 1 ;; esac
exec_out "$src" "cat /tmp/counter"
before=$out
[ "${before:-0}" -ge 10 ] && ok "the loop counts in the source ($before)" || bad "counter in the source: '$before'"
req POST "/v1/sandboxes/$src/snapshots"
expect 201 "snapshot the source"
sid=$(jq_ 'd["id"]')

# --- a pool from the snapshot ---
req POST /v1/pools "{\"name\":\"snp\",\"template\":{\"snapshot\":\"$sid\"},\"min_ready\":2,\"max_total\":6}"
expect 201 "create a pool whose template is the snapshot"
[ "$(jq_ 'd.get("snapshot")')" = "$sid" ] && [ "$(jq_ 'd["rootfs"]')" = "$tmp/rootfs" ] &&
	[ "$(jq_ 'd["platform"]')" = "$platform" ] &&
	ok "the pool names its snapshot, its rootfs and platform" || bad "pool body: $(cat "$tmp/body")"
wait_ready snp 2
req GET /v1/pools/snp
[ "$(jq_ 'd["failures"]["restore"]')" = 0 ] && ok "no restore failed" || bad "restore failures: $(cat "$tmp/body")"

req POST /v1/sandboxes '{"pool":"snp","timeout_s":300}'
expect 201 "lease A from the snapshot pool"
a=$(jq_ 'd["id"]')
req POST /v1/sandboxes '{"pool":"snp","timeout_s":300}'
expect 201 "lease B from the snapshot pool"
b=$(jq_ 'd["id"]')
[ -n "$a" ] && [ "$a" != "$b" ] && ok "two leases, two ids" || bad "lease ids $a $b"
exec_out "$a" "cat /data.txt /tmp/note"
[ "$out" = "$secret
note" ] && ok "lease A has the snapshot's files" || bad "files in A: $(cat "$tmp/body")"
# the loop was restored, not restarted: it goes on from at least the
# count it had reached, and keeps counting
exec_out "$a" "kill -0 $spid && echo alive; cat /tmp/counter"
c1=$(echo "$out" | sed -n 2p)
[ "$(echo "$out" | head -1)" = alive ] && [ "${c1:-0}" -ge "$before" ] &&
	ok "lease A runs the restored loop (pid $spid, count $c1 >= $before)" ||
	bad "loop in A: $(cat "$tmp/body")"
sleep 1
exec_out "$a" "cat /tmp/counter"
c2=$(echo "$out" | head -1)
[ "${c2:-0}" -gt "${c1:-0}" ] && ok "it keeps counting in A ($c1 -> $c2)" || bad "counter in A did not move: $c1 -> '$out'"
# independence: writes in A are not in B
exec_out "$a" "echo from-a > /data.txt; echo x > /tmp/only-a; kill $spid; cat /data.txt"
[ "$out" = from-a ] && ok "A writes its own copy" || bad "write in A: $(cat "$tmp/body")"
exec_out "$b" "cat /data.txt; [ -e /tmp/only-a ] && echo leaked; kill -0 $spid && echo alive"
[ "$out" = "$secret
alive" ] && ok "B does not see A's writes and its loop lives on (A's was killed)" ||
	bad "B after A's writes: $(cat "$tmp/body")"
exec_out "$src" "cat /data.txt; kill -0 $spid && echo alive"
[ "$out" = "$secret
alive" ] && ok "the source is untouched" || bad "source: $(cat "$tmp/body")"

# run: lease, exec, destroy, from the snapshot pool
req POST /v1/run "{\"pool\":\"snp\",\"argv\":[\"sh\",\"-c\",\"cat /data.txt; kill -0 $spid && echo alive\"]}"
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "$secret
alive" ] && ok "run from the snapshot pool" || bad "run: $code $(cat "$tmp/body")"

# single use: deleted leases are gone and their sandboxes destroyed
req DELETE "/v1/sandboxes/$a"
expect 204 "end lease A"
req GET "/v1/sandboxes/$a"
expect 404 "A is gone"
req POST "/v1/sandboxes/$a/exec" '{"argv":["true"]}'
expect 404 "no exec in an ended lease"
req DELETE "/v1/sandboxes/$b"
for _ in $(seq 100); do
	req GET /v1/pools/snp
	[ "$(jq_ 'd["destroyed"] >= 3 and d["leased"] == 0 and d["leases_total"] == 3')" = True ] && break
	sleep 0.1
done
[ "$(jq_ 'd["destroyed"] >= 3 and d["leased"] == 0 and d["leases_total"] == 3')" = True ] &&
	ok "three leases (A, B, run), each destroyed after use" || bad "pool counters: $(cat "$tmp/body")"
wait_ready snp 2

# nesting: a snapshot of a clone (its pool is a snapshot pool) restores
# into a fresh sandbox, never into one of that pool's restored clones
req POST /v1/sandboxes '{"pool":"snp","timeout_s":300}'
expect 201 "lease C from the snapshot pool"
cc=$(jq_ 'd["id"]')
exec_out "$cc" "echo nested > /tmp/nested; cat /tmp/nested"
req POST "/v1/sandboxes/$cc/snapshots"
expect 201 "snapshot a clone"
[ "$(jq_ 'd["pool"]')" = snp ] && ok "it names the snapshot pool" || bad "nested snapshot: $(cat "$tmp/body")"
nsid=$(jq_ 'd["id"]')
req POST /v1/sandboxes "{\"snapshot\":\"$nsid\",\"timeout_s\":300}"
expect 201 "restore the clone's snapshot per request"
nsb=$(jq_ 'd["id"]')
exec_out "$nsb" "cat /data.txt /tmp/nested; kill -0 $spid && echo alive"
[ "$out" = "$secret
nested
alive" ] && ok "the nested restore has both layers of state" || bad "nested restore: $(cat "$tmp/body")"
req DELETE "/v1/sandboxes/$nsb"
req DELETE "/v1/sandboxes/$cc"
req DELETE "/v1/snapshots/$nsid"
expect 204 "delete the nested snapshot (no pool uses it)"
wait_ready snp 2

# --- validation ---
req POST /v1/pools '{"name":"x1","template":{"snapshot":"0000000000000000"}}'
expect 404 "a pool from an unknown snapshot"
problem
grep -q 0000000000000000 "$tmp/body" && ok "the 404 names the snapshot" || bad "404 body: $(cat "$tmp/body")"
req POST /v1/pools '{"name":"x1","snapshot":"../../etc"}'
expect 404 "a path as snapshot id"
req POST /v1/pools "{\"name\":\"x1\",\"rootfs\":\"$tmp/rootfs\",\"snapshot\":\"$sid\"}"
expect 400 "rootfs and snapshot together"
problem
req POST /v1/pools "{\"name\":\"x1\",\"template\":{\"snapshot\":\"$sid\",\"rootfs\":\"/\"}}"
expect 400 "a template object with both"
req POST /v1/pools '{"name":"x1","template":{"image":"/x"}}'
expect 400 "an unknown template field"
req POST /v1/pools '{"name":"x1","template":{}}'
expect 400 "an empty template"
req POST /v1/pools '{"name":"x1","template":{"snapshot":7}}'
expect 400 "snapshot not a string"
req POST /v1/pools '{"name":"x1"}'
expect 400 "no template"
other=ptrace
[ "$platform" = ptrace ] && other=systrap
req POST /v1/pools "{\"name\":\"x1\",\"snapshot\":\"$sid\",\"platform\":\"$other\"}"
expect 400 "another platform than the snapshot's"
req POST /v1/pools "{\"name\":\"snp\",\"snapshot\":\"$sid\"}"
expect 409 "the pool exists"
req GET /v1/pools/x1
expect 404 "no pool was made by the refused requests"
req PATCH /v1/pools/snp '{"snapshot":"0000000000000000"}'
expect 400 "PATCH cannot change the template"

# --- the snapshot is pinned while a pool uses it ---
req DELETE "/v1/snapshots/$sid"
expect 409 "delete a snapshot a pool uses"
problem
grep -q snp "$tmp/body" && ok "the 409 names the pool" || bad "409 body: $(cat "$tmp/body")"
req GET "/v1/snapshots/$sid"
expect 200 "the snapshot is still there"
req POST /v1/run '{"pool":"snp","argv":["cat","/data.txt"]}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "$secret" ] && ok "the pool still works" || bad "run after 409: $(cat "$tmp/body")"

# --- cvisorctl ---
if [ -n "$ctl" ]; then
	export CVISOR_URL=$base CVISOR_TOKEN=$TOKEN
	if "$ctl" pools create --snapshot snp2 "$sid" 1 >"$tmp/ctl" 2>&1 &&
		grep -q "\"snapshot\": *\"$sid\"" "$tmp/ctl"; then
		ok "cvisorctl pools create --snapshot"
	else
		bad "cvisorctl pools create --snapshot: $(cat "$tmp/ctl")"
	fi
	o=$("$ctl" run --pool snp2 -- cat /data.txt 2>&1) || true
	[ "$o" = "$secret" ] && ok "cvisorctl run --pool (snapshot pool)" || bad "cvisorctl run: $o"
	"$ctl" pools create --snapshot x2 0000000000000000 >"$tmp/ctl" 2>&1 &&
		bad "cvisorctl: unknown snapshot accepted" || ok "cvisorctl: unknown snapshot refused"
	"$ctl" snapshots delete "$sid" >"$tmp/ctl" 2>&1 &&
		bad "cvisorctl snapshots delete of a pinned snapshot succeeded" ||
		ok "cvisorctl snapshots delete of a pinned snapshot fails"
	"$ctl" pools delete snp2 >/dev/null 2>&1 || bad "cvisorctl pools delete snp2"
fi

# --- the Python REST client ---
PYTHONPATH=$root/clients/python python3 - "$base" "$TOKEN" "$sid" "$secret" <<'PY' && ok "cvisor_client.create_pool_from_snapshot + run" || bad "python REST client"
import sys
from cvisor_client import Client
base, token, sid, secret = sys.argv[1:5]
c = Client(base, token)
p = c.create_pool_from_snapshot("py", sid, min_ready=1)
assert p["snapshot"] == sid, p
r = c.run(["cat", "/data.txt"], pool="py")
assert r["stdout"] == secret + "\n", r
c.delete_pool("py")
PY

# --- a snapshot whose restore fails: counted, backed off ---
req POST "/v1/sandboxes/$src/snapshots"
expect 201 "a second snapshot"
sid2=$(jq_ 'd["id"]')
img2=$tmp/state/snapshots/$sid2/img
python3 - "$img2/state.pb" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xff
open(p, "wb").write(bytes(b))
PY
req POST /v1/pools "{\"name\":\"broken\",\"snapshot\":\"$sid2\",\"min_ready\":1}"
expect 201 "a pool from a damaged snapshot (the image is read by the refill)"
# the first failure (a boot and a restore: slow on a loaded machine), then
# 5 s more: the backoff (0.2 s doubling) allows a handful, not a spin
nf0=0
for _ in $(seq 600); do
	req GET /v1/pools/broken
	nf0=$(jq_ 'd["failures"]["restore"]')
	[ "$nf0" -ge 1 ] && break
	sleep 0.1
done
sleep 5
req GET /v1/pools/broken
nf=$(jq_ 'd["failures"]["restore"]')
[ "$nf0" -ge 1 ] && [ $((nf - nf0)) -le 15 ] && [ "$(jq_ 'd["ready"]')" = 0 ] &&
	[ "$(jq_ 'd["failures"]["boot"]')" = 0 ] &&
	ok "restores fail, counted as restore failures, backed off ($((nf - nf0)) more in 5 s)" ||
	bad "broken pool ($nf0 then $nf): $(cat "$tmp/body")"
[ -n "$(jq_ 'd.get("last_boot_error","")')" ] && ok "last_boot_error: $(jq_ 'd["last_boot_error"]')" ||
	bad "no last_boot_error: $(cat "$tmp/body")"
req GET /metrics
grep -Eq "^cvisor_pool_failures_total\{pool=\"broken\",reason=\"restore\"\} [1-9]" "$tmp/body" &&
	ok "/metrics counts the restore failures" || bad "metrics: $(grep broken "$tmp/body")"
req POST /v1/sandboxes '{"pool":"broken","acquire_timeout_ms":1500}'
expect 503 "no sandbox from a pool whose restores fail"

# --- gRPC ---
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
	CVISOR_TOKEN=$TOKEN /usr/bin/python3 "$here/snap_pool_grpc.py" "127.0.0.1:$gport" "$sid" \
		broken "$secret" "$tmp/pb2" || bad "gRPC part (above)"
else
	echo "skip: gRPC part (python3-grpcio missing)"
fi

# --- pools gone: the snapshot can be deleted ---
req DELETE /v1/pools/broken
expect 204 "delete the broken pool"
req DELETE "/v1/snapshots/$sid2"
expect 204 "delete its snapshot"
req DELETE /v1/pools/snp
expect 204 "delete the snapshot pool"
req DELETE "/v1/snapshots/$sid"
expect 204 "the snapshot can be deleted once no pool uses it"
req GET "/v1/snapshots/$sid"
expect 404 "it is gone"
req POST /v1/pools "{\"name\":\"late\",\"snapshot\":\"$sid\"}"
expect 404 "no pool from a deleted snapshot"

# a snapshot kept for the config file below (snapshots outlive the server)
req POST "/v1/sandboxes/$src/snapshots" '{"leave_running":false}'
expect 201 "a snapshot for the config file"
sid3=$(jq_ 'd["id"]')

kill -TERM "$pid"
wait "$pid" && ok "cvisord exits 0 on SIGTERM" || bad "cvisord exit status"
pid=
left=$(ls "$tmp/state"/snp/*.sock "$tmp/state"/broken/*.sock 2>/dev/null | wc -l)
[ "$left" = 0 ] && ok "no sandbox socket left" || bad "$left sockets left"

# --- the JSON config file: a pool from a snapshot at start-up ---
port=$(freeport)
base=http://127.0.0.1:$port
cat >"$tmp/conf.json" <<EOF2
{"rest": "127.0.0.1:$port", "grpc": "off", "state_dir": "$tmp/state", "platform": "$platform",
 "tokens": ["$TOKEN"],
 "pools": [{"name": "fromconf", "template": {"snapshot": "$sid3"}, "min_ready": 1}]}
EOF2
"$cvisord" --config "$tmp/conf.json" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
	curl -sf "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
req POST /v1/run '{"pool":"fromconf","argv":["sh","-c","cat /data.txt; test -s /tmp/counter && echo counter"]}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "$secret
counter" ] && ok "a config file's snapshot pool serves runs" || bad "config pool: $code $(cat "$tmp/body")"
req GET /v1/pools/fromconf
[ "$(jq_ 'd.get("snapshot")')" = "$sid3" ] && ok "it names its snapshot" || bad "config pool: $(cat "$tmp/body")"
kill -TERM "$pid"
wait "$pid" || bad "cvisord (config) exit status"
pid=
sed -i "s/$sid3/0000000000000000/" "$tmp/conf.json"
if timeout 60 "$cvisord" --config "$tmp/conf.json" 2>"$tmp/log"; then
	bad "cvisord started with a pool from an unknown snapshot"
else
	grep -q "0000000000000000: not found" "$tmp/log" && ok "a config pool from an unknown snapshot stops the start, named" ||
		bad "config error: $(cat "$tmp/log")"
fi
[ $fail = 0 ] && echo PASS || { tail -30 "$tmp/log"; echo FAILED; }
exit $fail
