#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench_pool.sh CVISORD [ROOTFS [N [PLATFORM]]]
#
# Lease-to-first-exec-output latency (issue 8, pools from snapshots; not a
# pass/fail test): POST /v1/sandboxes (lease a warm sandbox), then a
# streamed exec of `echo hi` in it, timed until its first stdout event
# arrives; the lease is deleted (untimed) and the next iteration waits
# (untimed) until the pool has a warm sandbox again.  Three ways, same
# server, same rootfs (ROOTFS, default: a busybox rootfs made here):
#   rootfs pool    - a pool booting fresh sandboxes from ROOTFS
#   snapshot pool  - a pool whose template is a snapshot of a sandbox that
#                    runs a shell loop and wrote a file (restored clones
#                    kept warm: the restore is off the request path)
#   restore now    - POST /v1/sandboxes {"snapshot": ID}: a warm rootfs
#                    sandbox with the image restored into it per request
# Every exec's output is checked ("hi\n").  Prints p50/p90/min per way.
set -eu
cvisord=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
root=$here/../../..
N=${3:-50}
platform=${4:-systrap}
tmp=$(mktemp -d /tmp/cvbpool.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; [ -n "$pid" ] && wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
if [ -n "${2:-}" ]; then
	rootfs=$(realpath "$2")
else
	sh "$root/scripts/make-busybox-rootfs.sh" "$tmp/rootfs" >/dev/null
	rootfs=$tmp/rootfs
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
CVISOR_TOKEN=$TOKEN "$cvisord" --rest "127.0.0.1:$port" --grpc off --state-dir "$tmp/state" \
	--platform "$platform" 2>"$tmp/log" &
pid=$!

python3 - "$port" "$TOKEN" "$N" "$rootfs" <<'PY'
import http.client, json, sys, time
port, token, n, rootfs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
H = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

def req(method, path, body=None, ok=(200, 201, 204)):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, path, json.dumps(body) if body is not None else None, H)
    r = c.getresponse()
    d = r.read()
    c.close()
    if r.status not in ok:
        sys.exit("%s %s: %d %s" % (method, path, r.status, d[:300]))
    return json.loads(d) if d else None

for _ in range(100):
    try:
        req("GET", "/healthz")
        break
    except OSError:
        time.sleep(0.1)

def wait_ready(pool, k=1):
    for _ in range(1200):
        if req("GET", "/v1/pools/" + pool)["ready"] >= k:
            return
        time.sleep(0.05)
    sys.exit("pool %s never got ready" % pool)

def lease_to_first_output(create_body):
    """Seconds from the lease request to the first stdout event of echo."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    c.request("POST", "/v1/sandboxes", json.dumps(create_body), H)
    r = c.getresponse()
    d = r.read()
    if r.status != 201:
        sys.exit("lease: %d %s" % (r.status, d[:300]))
    sid = json.loads(d)["id"]
    c.request("POST", "/v1/sandboxes/%s/exec?stream=1" % sid,
              json.dumps({"argv": ["echo", "hi"]}), H)
    r = c.getresponse()
    first = None
    while True:
        line = r.readline()
        if not line:
            break
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("type") == "stdout" and first is None:
            first = time.perf_counter() - t0
            if ev.get("data") != "hi\n":
                sys.exit("unexpected output %r" % ev)
        if ev.get("type") in ("exit", "error"):
            break
    c.close()
    req("DELETE", "/v1/sandboxes/" + sid)
    if first is None:
        sys.exit("no stdout event")
    return first

# the snapshot: a sandbox with a file in its overlay and a shell loop
req("POST", "/v1/pools", {"name": "base", "rootfs": rootfs, "min_ready": 2})
wait_ready("base")
src = req("POST", "/v1/sandboxes", {"pool": "base", "timeout_s": 600})["id"]
loop = "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.1; done"
req("POST", "/v1/sandboxes/%s/exec" % src, {"argv": ["sh", "-c",
    "echo data > /data.txt; sh -c '%s' </dev/null >/dev/null 2>&1 & sleep 0.5" % loop]})
snap = req("POST", "/v1/sandboxes/%s/snapshots" % src)
req("POST", "/v1/pools", {"name": "snp", "snapshot": snap["id"], "min_ready": 2})
print("snapshot %s: %d bytes; %d iterations per way" % (snap["id"], snap["size_bytes"], n))

ways = [
    ("rootfs pool", {"pool": "base"}, "base"),
    ("snapshot pool", {"pool": "snp"}, "snp"),
    ("restore now", {"snapshot": snap["id"]}, "base"),
]
res = {w[0]: [] for w in ways}
for i in range(n):
    for name, body, pool in ways:  # interleaved: the same load for each
        wait_ready(pool)
        res[name].append(lease_to_first_output(body))

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]

print("%-14s %9s %9s %9s   (lease -> first stdout of echo, ms)" % ("", "p50", "p90", "min"))
for name, _, _ in ways:
    v = res[name]
    print("%-14s %9.2f %9.2f %9.2f" % (name, pct(v, .5) * 1e3, pct(v, .9) * 1e3, min(v) * 1e3))
PY
