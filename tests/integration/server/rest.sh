#!/bin/bash
# rest.sh CVISORD [PLATFORM [CVISORCTL]]
#
# A real cvisord on a random loopback port with a busybox pool, driven by
# real curl: every route, auth failures, malformed/oversized bodies, unknown
# pool/sandbox, wrong states, 429/503, 10 MB outputs (blocking and streamed,
# stdout/stderr separate, compared with the native bytes), a bounded load
# test with leak counts, a Sentry killed mid-request, SIGTERM cleanup.
set -eu
cvisord=$(realpath "$1")
platform=${2:-systrap}
ctl=${3:+$(realpath "$3")}
here=$(dirname "$(realpath "$0")")
root=$here/../../..
LOAD_N=${LOAD_N:-300}
LOAD_P=${LOAD_P:-16}

. "$here/lib.sh"
srv_init cvsrv
srv_start --rest-unix "$tmp/api.sock" --min-ready 2

# --- health and auth ---
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$base/healthz")
expect 200 "healthz without a token"
code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' "$base/v1/pools")
expect 401 "no token"
problem
code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' -H "Authorization: Bearer x$TOKEN" "$base/v1/pools")
expect 401 "wrong token"
problem
code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' -H "Authorization: Basic $TOKEN" "$base/metrics")
expect 401 "wrong scheme"
code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' -X POST "$base/v1/run" -d '{"argv":["true"]}')
expect 401 "run without a token"
# the unix-socket listener: same API, same token, mode 0600
[ "$(stat -c %a "$tmp/api.sock")" = 600 ] && ok "unix socket 0600" || bad "unix socket mode"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --unix-socket "$tmp/api.sock" http://x/v1/pools)
expect 401 "unix socket without a token"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --unix-socket "$tmp/api.sock" -H "Authorization: Bearer $TOKEN" http://x/v1/pools)
expect 200 "unix socket with the token"
req GET /readyz
wait_ready default 1
req GET /readyz
expect 200 readyz

# --- pools ---
req POST /v1/pools "{\"name\":\"bb\",\"rootfs\":\"$tmp/rootfs\",\"min_ready\":2}"
expect 201 "create pool bb"
req POST /v1/pools "{\"name\":\"bb\",\"rootfs\":\"$tmp/rootfs\",\"min_ready\":2}"
expect 409 "create pool bb twice"
problem
req POST /v1/pools '{"name":"Bad Name","rootfs":"/"}'
expect 400 "bad pool name"
req POST /v1/pools '{"name":"x","rootfs":"relative"}'
expect 400 "relative rootfs"
req POST /v1/pools "{\"name\":\"x\",\"rootfs\":\"$tmp/nope\"}"
expect 400 "missing rootfs"
req POST /v1/pools "{\"name\":\"x\",\"rootfs\":\"$tmp/rootfs\",\"min_ready\":-1}"
expect 400 "negative min_ready"
req POST /v1/pools "{\"name\":\"x\",\"rootfs\":\"$tmp/rootfs\",\"bogus\":1}"
expect 400 "unknown field"
req GET /v1/pools/bb
expect 200 "get pool bb"
jq_ '"ready" in d and "leased" in d and "starting" in d' | grep -q True || bad "pool fields"
req GET /v1/pools/nope
expect 404 "unknown pool"
problem
req GET /v1/pools
expect 200 "list pools"
[ "$(jq_ 'sorted(p["name"] for p in d["pools"])')" = "['bb', 'default']" ] || bad "pool list"
req PATCH /v1/pools/bb '{"min_ready":1,"idle_ttl":600}'
expect 200 "patch pool"
[ "$(jq_ 'd["min_ready"], d["idle_ttl"]')" = "(1, 600)" ] || bad "patch not applied"
req PATCH /v1/pools/bb '{"rootfs":"/"}'
expect 400 "patch an immutable field"
req PATCH /v1/pools/bb '{"min_ready":5,"max_total":2}'
expect 400 "patch min_ready > max_total"
wait_ready bb 1

# --- run ---
req POST /v1/run '{"pool":"bb","argv":["echo","hi"]}'
expect 200 "run echo hi"
[ "$(jq_ 'd["exit_code"], d["stdout"], d["stderr"], type(d["duration_ms"]).__name__')" = "(0, 'hi\\n', '', 'int')" ] ||
	bad "run echo hi body: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["sh","-c","echo out; echo err >&2; exit 7"]}'
expect 200 "run in the default pool"
[ "$(jq_ 'd["exit_code"], d["stdout"], d["stderr"]')" = "(7, 'out\\n', 'err\\n')" ] || bad "exit 7: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["cat"],"stdin":"from stdin\n"}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "from stdin" ] && ok "stdin" || bad "stdin: $(cat "$tmp/body")"
# --- tty: a host pty as stdio, the Sentry's terminal ---
ttyreq='{"argv":["sh","-c","tty; test -t 0 && echo isatty; stty size; echo err >&2"],"tty":true,"rows":24,"cols":80}'
req POST /v1/run "$ttyreq"
[ "$code" = 200 ] && jq_ '"/dev/pts/" in d["stdout"] and "\r\nisatty\r\n24 80\r\nerr\r\n" in d["stdout"] and d["stderr"] == "" and d["exit_code"] == 0' | grep -q True &&
	ok "tty: /dev/pts/N, isatty, stty size, stderr merged, ONLCR" || bad "tty: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["sh","-c","tty; test -t 0 && echo isatty; stty size"]}'
[ "$code" = 200 ] && jq_ '"not a tty" in d["stdout"] and "isatty" not in d["stdout"]' | grep -q True &&
	ok "no tty: not a tty" || bad "no tty: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["stty","size"],"tty":true,"rows":50,"cols":132}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "$(printf '50 132\r')" ] && ok "tty window size 50x132" || bad "tty size: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["stty","size"],"tty":true}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "$(printf '24 80\r')" ] && ok "tty default size 24x80" || bad "tty default size: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["sh","-c","cat; echo done"],"tty":true,"stdin":"typed","timeout_ms":10000}'
[ "$code" = 200 ] && jq_ '"typed" in d["stdout"] and d["stdout"].endswith("done\r\n"), d["timed_out"]' | grep -q '(True, False)' &&
	ok "tty stdin then VEOF: cat ends" || bad "tty stdin: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["true"],"rows":24}'
expect 400 "rows without tty"
req POST /v1/run '{"argv":["true"],"tty":"yes"}'
expect 400 "tty not a boolean"
req POST /v1/run '{"argv":["true"],"tty":true,"cols":0}'
expect 400 "cols 0"
req POST '/v1/run?stream=1' "$ttyreq"
[ "$code" = 200 ] && python3 - "$tmp/body" <<'PY' && ok "tty streamed" || bad "tty streamed: $(head -c 600 "$tmp/body")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert not [e for e in ev if e["type"] == "stderr"], "stderr event"
out = "".join(e["data"] for e in ev if e["type"] == "stdout")
assert "/dev/pts/" in out and "\r\nisatty\r\n24 80\r\nerr\r\n" in out, out
assert ev[-1]["type"] == "exit" and ev[-1]["exit_code"] == 0, ev[-1]
PY
req POST /v1/run '{"argv":["sh","-c","echo $FOO; pwd"],"env":["FOO=bar","PATH=/bin"],"cwd":"/tmp"}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "$(printf 'bar\n/tmp')" ] && ok "env and cwd" || bad "env/cwd: $(cat "$tmp/body")"
req POST /v1/run '{"argv":["sleep","10"],"timeout_ms":300}'
[ "$code" = 200 ] && [ "$(jq_ 'd["timed_out"]')" = True ] && ok "exec timeout" || bad "timeout: $(cat "$tmp/body")"
t0=$(date +%s%N)
req POST /v1/run '{"argv":["sh","-c","sleep 30 & echo bg"],"timeout_ms":20000}'
t1=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"], d["exit_code"], d["timed_out"]')" = "('bg\n', 0, False)" ] && [ $t1 -lt 5000 ] &&
	ok "a background child holding stdout does not hold the reply (${t1} ms)" || bad "background child: $t1 ms $(cat "$tmp/body")"
req POST /v1/run '{"pool":"nope","argv":["true"]}'
expect 404 "run in an unknown pool"
problem
req POST /v1/run '{"argv":'
expect 400 "malformed JSON"
problem
req POST /v1/run '[1,2]'
expect 400 "JSON that is not an object"
req POST /v1/run '{"argv":[]}'
expect 400 "empty argv"
req POST /v1/run '{"argv":[1]}'
expect 400 "argv of numbers"
req POST /v1/run '{"argv":["true"],"env":["NOEQUALS"]}'
expect 400 "bad env"
req POST /v1/run '{"argv":["true"],"timeout_ms":"x"}'
expect 400 "bad timeout"
head -c 2000000 /dev/zero | tr '\0' a >"$tmp/big"
req POST /v1/run "@$tmp/big"
expect 413 "2 MB body"
problem
python3 -c "import json; print(json.dumps({'argv':['true']+['x'*1000]*300}))" >"$tmp/bigargv"
req POST /v1/run "@$tmp/bigargv"
expect 413 "argv over the limit"
req POST /v1/run '{"argv":["/no/such/program"]}'
[ "$code" = 400 ] || [ "$(jq_ 'd.get("exit_code")' 2>/dev/null)" = 127 ] && ok "missing program -> $code" ||
	bad "missing program: $code $(cat "$tmp/body")"
req GET /v1/run
expect 405 "GET /v1/run"
req GET /v1/nothing
expect 404 "unknown route"

# --- 10 MB, blocking and streamed ---
gen='i=0; while [ $i -lt 40 ]; do head -c 262144 /dev/zero | tr "\0" "$((i % 10))"; echo "e$i" >&2; i=$((i+1)); done'
sh -c "$gen" >"$tmp/native.out" 2>"$tmp/native.err"
python3 -c "import json,sys; print(json.dumps({'argv':['sh','-c',sys.argv[1]],'timeout_ms':120000}))" "$gen" >"$tmp/genreq"
req POST /v1/run "@$tmp/genreq"
expect 200 "10 MB blocking"
python3 - "$tmp/body" "$tmp/native.out" "$tmp/native.err" <<'EOF' && ok "10 MB blocking: bytes match, streams separate" || bad "10 MB blocking differs"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stdout"].encode() == open(sys.argv[2], "rb").read(), "stdout"
assert d["stderr"].encode() == open(sys.argv[3], "rb").read(), "stderr"
assert d["exit_code"] == 0 and not d["truncated"]
EOF
req POST '/v1/run?stream=1' "@$tmp/genreq"
expect 200 "10 MB streamed"
python3 - "$tmp/body" "$tmp/native.out" "$tmp/native.err" <<'EOF' && ok "10 MB streamed: in order, whole, separate" || bad "10 MB streamed differs"
import json, sys
out, err, ev = [], [], []
for line in open(sys.argv[1]):
    e = json.loads(line)
    ev.append(e["type"])
    (out if e["type"] == "stdout" else err if e["type"] == "stderr" else []).append(e.get("data", ""))
assert ev[-1] == "exit" and ev.count("exit") == 1, ev[-3:]
assert "".join(out).encode() == open(sys.argv[2], "rb").read(), "stdout"
assert "".join(err).encode() == open(sys.argv[3], "rb").read(), "stderr"
assert len(ev) > 10
EOF

# --- sandboxes ---
req POST /v1/sandboxes '{"pool":"bb","labels":{"job":"ci-1"},"timeout_s":600}'
expect 201 "create sandbox"
sid=$(jq_ 'd["id"]')
req GET "/v1/sandboxes/$sid"
expect 200 "get sandbox"
[ "$(jq_ 'd["state"], d["labels"]["job"], d["pool"]')" = "('running', 'ci-1', 'bb')" ] || bad "sandbox fields"
req GET '/v1/sandboxes?label=job=ci-1'
[ "$(jq_ '[s["id"] for s in d["sandboxes"]]')" = "['$sid']" ] && ok "list by label" || bad "list by label: $(cat "$tmp/body")"
req GET '/v1/sandboxes?label=job=other'
[ "$(jq_ 'len(d["sandboxes"])')" = 0 ] && ok "label filter excludes" || bad "label filter"
req GET '/v1/sandboxes?state=bogus'
expect 400 "bad state filter"
req POST "/v1/sandboxes/$sid/exec" '{"argv":["sh","-c","echo hello > /tmp/f; cat /tmp/f"]}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = hello ] && ok "exec" || bad "exec: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$sid/exec?stream=1" '{"argv":["sh","-c","cat /tmp/f; echo e >&2"]}'
[ "$code" = 200 ] && [ "$(head -1 "$tmp/body")" = '{"type":"stdout","data":"hello\n"}' ] && ok "exec streamed" ||
	bad "exec stream: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$sid/exec/stream" '{"argv":["cat","/tmp/f"]}'
[ "$code" = 200 ] && [ "$(tail -1 "$tmp/body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" = exit ] &&
	ok "exec/stream alias" || bad "exec/stream: $code $(cat "$tmp/body")"
req POST "/v1/sandboxes/$sid/exec" '{"argv":"sh"}'
expect 400 "exec with bad argv"
printf 'payload\0bin\n' >"$tmp/payload"
req PUT "/v1/sandboxes/$sid/files?path=/tmp/up.bin" "@$tmp/payload"
expect 204 "files put"
req GET "/v1/sandboxes/$sid/files?path=/tmp/up.bin"
expect 200 "files get"
cmp -s "$tmp/body" "$tmp/payload" && ok "files roundtrip" || bad "files content"
req POST "/v1/sandboxes/$sid/exec" '{"argv":["sh","-c","od -c /tmp/up.bin | head -1"]}'
grep -q 'p   a   y' "$tmp/body" && ok "the app sees the uploaded file" || bad "app view: $(cat "$tmp/body")"
req GET "/v1/sandboxes/$sid/files?path=/tmp&list=1"
[ "$code" = 200 ] && jq_ '[e["name"] for e in d["entries"]]' | grep -q "up.bin" && ok "files list" || bad "list: $(cat "$tmp/body")"
req DELETE "/v1/sandboxes/$sid/files?path=/tmp/up.bin"
expect 204 "files delete"
req GET "/v1/sandboxes/$sid/files?path=/tmp/up.bin"
expect 404 "deleted file"
req GET "/v1/sandboxes/$sid/files?path=relative"
expect 400 "relative file path"
req POST "/v1/sandboxes/$sid/timeout" '{"timeout_s":30}'
expect 200 "set timeout"
req POST "/v1/sandboxes/$sid/timeout" '{"timeout_s":"soon"}'
expect 400 "bad timeout value"
req DELETE "/v1/sandboxes/$sid"
expect 204 "delete sandbox"
req DELETE "/v1/sandboxes/$sid"
expect 204 "delete sandbox again (idempotent)"
req GET "/v1/sandboxes/$sid"
expect 404 "deleted sandbox"
req POST "/v1/sandboxes/$sid/exec" '{"argv":["true"]}'
expect 404 "exec in a deleted sandbox"

# --- a sandbox booted from a rootfs path (no pool) ---
req POST /v1/sandboxes "{\"rootfs\":\"$tmp/rootfs\",\"timeout_s\":60}"
expect 201 "sandbox from a rootfs path"
aid=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$aid/exec" '{"argv":["sh","-c","echo adhoc"]}'
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = adhoc ] && ok "exec in it" || bad "adhoc exec: $(cat "$tmp/body")"
req DELETE "/v1/sandboxes/$aid"
expect 204 "delete it"
req POST /v1/sandboxes "{\"rootfs\":\"$tmp/nope\"}"
expect 400 "rootfs path that does not exist"
req POST /v1/sandboxes "{\"rootfs\":\"$tmp/rootfs\",\"pool\":\"bb\"}"
expect 400 "rootfs and pool together"

# --- snapshots (no file is written before a snapshot: files in the
# overlay may make the runtime refuse) ---
req POST /v1/sandboxes '{"timeout_s":300}'
expect 201 "a sandbox to snapshot"
src=$(jq_ 'd["id"]')
# (the exec returns once sh exits: wait until the child runs sleep)
req POST "/v1/sandboxes/$src/exec" '{"argv":["sh","-c","sleep 100000 </dev/null >/dev/null 2>&1 & p=$!; i=0; until grep -q ^sleep /proc/$p/cmdline 2>/dev/null; do i=$((i+1)); [ $i -gt 300 ] && break; sleep 0.1; done; echo $p"]}'
spid=$(jq_ 'd["stdout"].strip()')
case $spid in '' | *[!0-9]*) bad "no background pid: $(cat "$tmp/body")" ;; esac
req POST "/v1/sandboxes/$src/snapshots"
expect 201 "snapshot a sandbox (no body: leave_running)"
snap=$(jq_ 'd["id"]')
[ "$(jq_ 'd["sandbox"]')" = "$src" ] && [ "$(jq_ 'd["size_bytes"] > 0 and d["created_at"] > 0')" = True ] &&
	[ -d "$tmp/state/snapshots/$snap/img" ] && ok "snapshot fields, image in the state dir" ||
	bad "snapshot: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$src/exec" "{\"argv\":[\"sh\",\"-c\",\"kill -0 $spid && echo alive\"]}"
[ "$(jq_ 'd["stdout"]')" = alive ] && ok "the source goes on" || bad "source after snapshot: $(cat "$tmp/body")"
req GET "/v1/snapshots/$snap"
expect 200 "get the snapshot"
req GET /v1/snapshots
[ "$code" = 200 ] && [ "$(jq_ '[x["id"] for x in d["snapshots"]]')" = "['$snap']" ] &&
	ok "list snapshots" || bad "list snapshots: $code $(cat "$tmp/body")"
req POST /v1/sandboxes "{\"snapshot\":\"$snap\",\"timeout_s\":300}"
expect 201 "restore the snapshot into a new sandbox"
rsb=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$rsb/exec" "{\"argv\":[\"sh\",\"-c\",\"kill -0 $spid && echo alive; echo ok\"]}"
[ "$code" = 200 ] && [ "$(jq_ 'd["stdout"]')" = "alive
ok" ] && ok "the restored sandbox runs the process and execs" ||
	bad "exec in the restored sandbox: $code $(cat "$tmp/body")"
req POST "/v1/sandboxes" "{\"snapshot\":\"$snap\",\"timeout_s\":300}"
expect 201 "restore it a second time"
rsb2=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$rsb2/exec" "{\"argv\":[\"sh\",\"-c\",\"kill -0 $spid && echo alive\"]}"
[ "$(jq_ 'd["stdout"]')" = alive ] && ok "the second copy too" || bad "second restore: $(cat "$tmp/body")"
req DELETE "/v1/sandboxes/$rsb2"
req POST "/v1/sandboxes/$src/snapshots" '{"compress":true}'
expect 201 "a compressed snapshot"
snapz=$(jq_ 'd["id"]')
grep -q '^part pages.img .* zstd [0-9]*$' "$tmp/state/snapshots/$snapz/img/manifest" &&
	ok "its image is compressed" || bad "compressed snapshot: $(cat "$tmp/state/snapshots/$snapz/img/manifest")"
req POST /v1/sandboxes "{\"snapshot\":\"$snapz\",\"timeout_s\":300}"
expect 201 "restore the compressed snapshot"
rsbz=$(jq_ 'd["id"]')
req POST "/v1/sandboxes/$rsbz/exec" "{\"argv\":[\"sh\",\"-c\",\"kill -0 $spid && echo alive\"]}"
[ "$(jq_ 'd["stdout"]')" = alive ] && ok "the compressed snapshot's copy runs" ||
	bad "restore of a compressed snapshot: $(cat "$tmp/body")"
req DELETE "/v1/sandboxes/$rsbz"
req DELETE "/v1/snapshots/$snapz"
expect 204 "delete the compressed snapshot"
req POST "/v1/sandboxes/$src/snapshots" '{"compress":"yes"}'
expect 400 "compress not a boolean"
problem
req POST "/v1/sandboxes/ffffffffffffffff/snapshots"
expect 404 "snapshot of an unknown sandbox"
problem
req GET /v1/snapshots/0000000000000000
expect 404 "unknown snapshot"
problem
req GET /v1/snapshots/..
expect 404 "a path as snapshot id"
req POST /v1/sandboxes '{"snapshot":"0000000000000000"}'
expect 404 "restore an unknown snapshot"
problem
req POST /v1/sandboxes "{\"snapshot\":\"$snap\",\"pool\":\"bb\"}"
expect 400 "snapshot and pool together"
req POST /v1/sandboxes '{"snapshot":7}'
expect 400 "snapshot not a string"
req POST "/v1/sandboxes/$src/snapshots" '{"leave_running":"no"}'
expect 400 "leave_running not a boolean"
problem
req POST "/v1/sandboxes/$src/snapshots" '{"leave_running":'
expect 400 "malformed snapshot body"
req PUT /v1/snapshots
expect 405 "PUT /v1/snapshots"
# something checkpoint cannot save (an open file whose name was removed):
# the runtime refuses with its message, the sandbox goes on (wait until the
# holder runs: the exec returns before it does)
held='sh -c "exec 3>/tmp/gone; rm /tmp/gone; exec sleep 100000" </dev/null >/dev/null 2>&1 & p=$!; i=0; until [ -e /proc/$p/fd/3 ] && [ ! -e /tmp/gone ] && grep -q ^sleep /proc/$p/cmdline 2>/dev/null; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.1; done; echo held'
exec_out "$rsb" "$held"
[ "$out" = held ] && ok "a process holding an unlinked file" || bad "holder: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$rsb/snapshots"
expect 409 "snapshot of a sandbox with an unlinked open file"
problem
grep -q unlinked "$tmp/body" && ok "the 409 carries the runtime's message" || bad "409 body: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$rsb/exec" '{"argv":["echo","still"]}'
[ "$(jq_ 'd["stdout"]')" = still ] && ok "the refused sandbox goes on" || bad "after 409: $(cat "$tmp/body")"
req POST "/v1/sandboxes/$src/snapshots" '{"leave_running":false}'
expect 201 "snapshot with leave_running false"
snap2=$(jq_ 'd["id"]')
req GET "/v1/sandboxes/$src"
expect 404 "leave_running false ended the sandbox"
req DELETE "/v1/snapshots/$snap"
expect 204 "delete a snapshot"
req DELETE "/v1/snapshots/$snap"
expect 204 "delete it again (idempotent)"
req GET "/v1/snapshots/$snap"
expect 404 "deleted snapshot"
req POST /v1/sandboxes "{\"snapshot\":\"$snap\"}"
expect 404 "restore a deleted snapshot"
req DELETE "/v1/snapshots/$snap2"
req GET /v1/snapshots
[ "$(jq_ 'len(d["snapshots"])')" = 0 ] && [ -z "$(ls "$tmp/state/snapshots")" ] &&
	ok "no snapshot left, directory empty" || bad "snapshots left: $(cat "$tmp/body"); $(ls "$tmp/state/snapshots")"
req DELETE "/v1/sandboxes/$rsb"

# --- pagination ---
pg=""
for i in 1 2 3; do
	req POST /v1/sandboxes '{"pool":"bb","labels":{"pg":"yes"}}'
	pg="$pg $(jq_ 'd["id"]')"
done
req GET '/v1/sandboxes?label=pg=yes&page_size=2'
p1=$(jq_ '" ".join(s["id"] for s in d["sandboxes"])')
tok=$(jq_ 'd.get("next_page_token", "")')
req GET "/v1/sandboxes?label=pg=yes&page_size=2&page_token=$tok"
p2=$(jq_ '" ".join(s["id"] for s in d["sandboxes"])')
more=$(jq_ 'd.get("next_page_token", "")')
want=$(echo $pg | tr ' ' '\n' | sort | tr '\n' ' ')
[ -n "$tok" ] && [ -z "$more" ] && [ "$(echo $p1 $p2 | tr ' ' '\n' | sort | tr '\n' ' ')" = "$want" ] &&
	ok "pagination: 2 + 1, in id order" || bad "pagination: [$p1] [$p2] tok=$tok more=$more want=$want"
req GET '/v1/sandboxes?page_size=0'
expect 400 "page_size 0"
for i in $pg; do req DELETE "/v1/sandboxes/$i"; done

# --- DELETE while an exec runs: the exec ends at once, the sandbox goes ---
req POST /v1/sandboxes '{"pool":"bb"}'
sid=$(jq_ 'd["id"]')
curl -s -o "$tmp/longexec" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	"$base/v1/sandboxes/$sid/exec" -d '{"argv":["sleep","30"]}' >"$tmp/longexec.code" &
lpid=$!
sleep 0.5
t0=$(date +%s%N)
req DELETE "/v1/sandboxes/$sid"
expect 204 "delete a sandbox with an exec in flight"
wait $lpid || true
t1=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $t1 -lt 5000 ] && ok "the exec in flight ended ${t1} ms after DELETE ($(cat "$tmp/longexec.code"))" ||
	bad "exec after DELETE took $t1 ms: $(cat "$tmp/longexec")"

# --- lease TTL ---
req POST /v1/sandboxes '{"pool":"bb","timeout_s":1}'
sid=$(jq_ 'd["id"]')
sleep 2
req GET "/v1/sandboxes/$sid"
expect 404 "lease reaped at its deadline"

# --- 429 and 503 ---
req POST /v1/pools "{\"name\":\"one\",\"rootfs\":\"$tmp/rootfs\",\"min_ready\":1,\"max_total\":1}"
expect 201 "pool of one"
wait_ready one 1
req POST /v1/sandboxes '{"pool":"one"}'
expect 201 "lease the only one"
one=$(jq_ 'd["id"]')
req POST /v1/run '{"pool":"one","argv":["true"]}'
expect 429 "pool full"
problem
grep -qi '^retry-after:' "$tmp/hdr" && ok "Retry-After" || bad "no Retry-After"
req DELETE "/v1/sandboxes/$one"
req POST /v1/pools "{\"name\":\"cold\",\"rootfs\":\"$tmp/rootfs\",\"min_ready\":0}"
req POST /v1/sandboxes '{"pool":"cold","acquire_timeout_ms":0}'
expect 503 "no warm sandbox in time"
problem
req DELETE /v1/pools/cold
expect 204 "delete pool"
req DELETE /v1/pools/cold
expect 404 "delete pool again"
req DELETE /v1/pools/one

# --- metrics ---
req GET /metrics
expect 200 metrics
for m in 'cvisor_pool_ready{pool="bb"}' 'cvisor_pool_leased{pool="bb"}' 'cvisor_pool_starting{pool="bb"}' \
	'cvisor_acquire_seconds_bucket{pool="bb",le="+Inf"}' 'cvisor_run_seconds_count{pool="default"}' \
	'cvisor_pool_failures_total{pool="one",reason="full"}' 'cvisor_sandboxes_created_total{pool="bb"}' \
	'cvisor_snapshots_created_total 3' 'cvisor_snapshots_restored_total 3'; do
	grep -qF "$m" "$tmp/body" || { [ "${m#*one}" != "$m" ] && continue; bad "metrics lacks $m"; }
done

# --- a Sentry killed mid-request ---
wait_ready default 2
req POST /v1/sandboxes '{}'
sid=$(jq_ 'd["id"]')
hp=$(jq_ 'd.get("host_pid", 0)')
curl -s -o "$tmp/killed" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	"$base/v1/sandboxes/$sid/exec" -d '{"argv":["sleep","30"]}' >"$tmp/killed.code" &
cpid=$!
sleep 0.5
if [ "$hp" -gt 0 ]; then
	kill -KILL "$hp"
	wait $cpid || true
	kc=$(cat "$tmp/killed.code")
	case $kc in 502) ok "killed Sentry -> $kc $(head -c 120 "$tmp/killed")" ;;
	*) bad "killed Sentry: $kc $(cat "$tmp/killed")" ;;
	esac
	sleep 0.5
	req GET "/v1/sandboxes/$sid"
	expect 404 "the dead sandbox is gone"
	wait_ready default 2
	req GET /v1/pools/default
	[ "$(jq_ 'd["failures"]["died"]')" -ge 1 ] && ok "death counted" || bad "died not counted"
else
	bad "no host_pid"
	kill $cpid
fi

# --- cvisorctl ---
if [ -n "$ctl" ]; then
	export CVISOR_URL=$base CVISOR_TOKEN=$TOKEN
	out=$("$ctl" run --pool bb -- sh -c 'echo ctl; exit 3' 2>&1) && rc=0 || rc=$?
	[ "$out" = ctl ] && [ $rc = 3 ] && ok "cvisorctl run" || bad "cvisorctl run: $rc $out"
	"$ctl" pools list | grep -q '"name": "bb"' && ok "cvisorctl pools list" || bad "cvisorctl pools list"
	sid=$("$ctl" sandboxes create bb | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	"$ctl" files put "$sid" /tmp/x "$tmp/payload" && "$ctl" files get "$sid" /tmp/x "$tmp/x" &&
		cmp -s "$tmp/x" "$tmp/payload" && ok "cvisorctl files" || bad "cvisorctl files"
	out=$("$ctl" exec "$sid" -- sh -c 'echo a; echo b >&2; exit 4' 2>&1) && rc=0 || rc=$?
	[ "$out" = "$(printf 'a\nb')" ] && [ $rc = 4 ] && ok "cvisorctl exec (streamed)" || bad "cvisorctl exec: $rc $out"
	# snapshots (of a sandbox with a process): the file put into /tmp comes
	# back in the restored copy
	"$ctl" exec "$sid" -- sh -c 'sleep 100000 </dev/null >/dev/null 2>&1 & p=$!; i=0; until grep -q ^sleep /proc/$p/cmdline 2>/dev/null; do i=$((i+1)); [ $i -gt 300 ] && break; sleep 0.1; done' ||
		bad "cvisorctl exec of a background sleep"
	snapid=$("$ctl" snapshots create "$sid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	"$ctl" snapshots list | grep -q "\"$snapid\"" && ok "cvisorctl snapshots create, list" ||
		bad "cvisorctl snapshots list: $snapid"
	rid=$("$ctl" sandboxes restore "$snapid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	"$ctl" files get "$rid" /tmp/x "$tmp/x2" && cmp -s "$tmp/x2" "$tmp/payload" &&
		ok "cvisorctl sandboxes restore (the /tmp file is in the copy)" || bad "cvisorctl restore: $rid"
	"$ctl" sandboxes delete "$rid" >/dev/null
	"$ctl" snapshots delete "$snapid" >/dev/null && ! "$ctl" snapshots get "$snapid" >/dev/null 2>&1 &&
		ok "cvisorctl snapshots delete" || bad "cvisorctl snapshots delete"
	"$ctl" snapshots create 2>/dev/null && rc=0 || rc=$?
	[ $rc = 2 ] && ok "cvisorctl snapshots usage" || bad "cvisorctl snapshots usage: $rc"
	"$ctl" sandboxes delete "$sid" >/dev/null && ok "cvisorctl sandboxes delete" || bad "cvisorctl delete"
	CVISOR_TOKEN=wrong-token-0123456789 "$ctl" pools list 2>/dev/null && bad "cvisorctl bad token accepted" ||
		ok "cvisorctl bad token refused"
fi

# --- the Python client (clients/python) ---
out=$(CVISOR_URL=$base CVISOR_TOKEN=$TOKEN PYTHONPATH=$root/clients/python python3 - bb <<'PY' 2>&1
import sys
from cvisor_client import Client, CvisorError
c = Client()
assert c.health()["status"] == "ok"
assert c.run(["echo", "py"], pool=sys.argv[1])["stdout"] == "py\n"
ev = list(c.run_stream(["sh", "-c", "echo a; echo b >&2; exit 2"], pool=sys.argv[1]))
assert [e["type"] for e in ev] == ["stdout", "stderr", "exit"] and ev[-1]["exit_code"] == 2, ev
with c.sandbox(pool=sys.argv[1], labels={"py": "1"}) as sb:
    assert [s["id"] for s in c.sandboxes(label="py=1")] == [sb.id]
    sb.put_file("/tmp/p", b"\x00\x01bin")
    assert sb.get_file("/tmp/p") == b"\x00\x01bin"
    assert "p" in [e["name"] for e in sb.list_dir("/tmp")]
    assert sb.exec(["cat", "/tmp/p"])["stdout"] == "\x00\x01bin"
    sb.set_timeout(60)
try:
    sb.refresh()
    raise SystemExit("deleted sandbox still there")
except CvisorError as e:
    assert e.status == 404 and e.problem["status"] == 404
try:
    Client(token="wrong-token-0123456789").pools()
    raise SystemExit("bad token accepted")
except CvisorError as e:
    assert e.status == 401
print("python client ok")
PY
) && [ "$(echo "$out" | tail -1)" = "python client ok" ] && ok "Python client" || bad "Python client: $out"
out=$(CVISOR_URL=$base CVISOR_TOKEN=$TOKEN python3 "$root/clients/python/example.py" bb 2>&1) &&
	echo "$out" | grep -qF "run: 0 '42\\n'" && ok "clients/python/example.py" || bad "example.py: $out"

# --- bounded load: LOAD_N runs, LOAD_P at a time ---
wait_ready default 2
sleep 1
fds0=$(ls /proc/$pid/fd | wc -l)
kids0=$(pgrep -P $pid | wc -l)
seq "$LOAD_N" | xargs -P "$LOAD_P" -I{} sh -c \
	"curl -s -o /dev/null -w '%{http_code}\n' -H 'Authorization: Bearer $TOKEN' $base/v1/run -d '{\"argv\":[\"echo\",\"{}\"]}'" \
	>"$tmp/load.codes"
n200=$(grep -c '^200$' "$tmp/load.codes" || true)
[ "$n200" = "$LOAD_N" ] && ok "load: $LOAD_N/$LOAD_N runs succeeded" ||
	bad "load: $n200/$LOAD_N; codes: $(sort "$tmp/load.codes" | uniq -c | tr '\n' ' ')"
wait_ready default 2
sleep 1
fds1=$(ls /proc/$pid/fd | wc -l)
kids1=$(pgrep -P $pid | wc -l)
[ "$fds1" -le "$((fds0 + 2))" ] && ok "fds $fds0 -> $fds1" || bad "fd leak: $fds0 -> $fds1"
[ "$kids1" -le "$kids0" ] && ok "children $kids0 -> $kids1" || bad "process leak: $kids0 -> $kids1"
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo "cvisord RSS after load: ${rss} kB"

# --- SIGTERM: drains, destroys every sandbox ---
desc() { # every descendant of $1
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		desc "$c"
	done
}
all=$(desc $pid)
# a request in flight when SIGTERM arrives is served to its end
curl -s -o "$tmp/drain" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$base/v1/run" \
	-d '{"argv":["sh","-c","sleep 1; echo drained"]}' >"$tmp/drain.code" &
dpid=$!
sleep 0.4
kill -TERM $pid
rc=0
wait $pid || rc=$?
pid=
[ $rc = 0 ] && ok "SIGTERM exit 0" || bad "SIGTERM exit $rc"
wait $dpid || true
[ "$(cat "$tmp/drain.code")" = 200 ] && grep -q '"stdout":"drained\\n"' "$tmp/drain" &&
	ok "the request in flight at SIGTERM was served" || bad "drain: $(cat "$tmp/drain.code") $(cat "$tmp/drain")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz") || true
[ "$code" = 000 ] && ok "nothing listens after SIGTERM" || bad "still answering: $code"
left=0
for p in $all; do
	[ -d /proc/$p ] && grep -q '^State:.*[^Z]' /proc/$p/status 2>/dev/null &&
		! grep -q '^State:.*Z' /proc/$p/status && left=$((left + 1))
done
[ $left = 0 ] && ok "no sandbox process left after SIGTERM ($(echo $all | wc -w) were alive)" ||
	bad "$left sandbox processes left"
ls "$tmp/state"/*/*.sock >/dev/null 2>&1 && bad "control sockets left" || ok "no control sockets left"
[ -e "$tmp/api.sock" ] && bad "the API socket is left" || ok "API socket removed"

if [ $fail != 0 ]; then
	echo "--- cvisord log"
	tail -80 "$tmp/log"
fi
exit $fail
