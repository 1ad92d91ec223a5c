#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench_warm_python.sh CVISORD CVISOR WARM_CLIENT [N] [MIN_READY]
#
# Issue 8's target, measured through cvisord's REST API (not pass/fail):
# a python3 sandbox that has already imported its modules (json, re,
# collections, hashlib, decimal, asyncio, ...), restored from a snapshot,
# answering a request — against a cold python3 doing the same work, in the
# same run.  Prints p50/p90/p99 (ms) of the time from sending the API
# request(s) to the first byte of the answer (the first stdout event of a
# streamed exec/run), and the total until the exit event.
#
#   cold      POST /v1/run?stream=1 {"argv":["/usr/bin/python3","-c",WORK,REQ]}
#             on the default pool (a booted, warm sandbox is leased; python
#             starts, imports, answers, exits)
#   restore   POST /v1/sandboxes {"snapshot":SID}, then
#             POST /v1/sandboxes/ID/exec?stream=1 {"argv":[warm_client,...]}
#             (restore on demand into a warm sandbox of the same pool; the
#             restore, the request and, for reference, a second request to
#             the same restored python are also printed separately)
#   snap-pool POST /v1/run?stream=1 {"pool":P,"argv":[warm_client,...]} on a
#             pool whose template is the snapshot, when the server has them
#             (POST /v1/pools {"name":P,"snapshot":SID}); skipped otherwise
#
# The request is served by the snapshotted python process itself, not by a
# new one (the exec API always starts a new process, so a tiny static
# client, warm_client.c, carries the request to it).  Only what a
# checkpoint saves today is used (docs/checkpoint.md "Supported"): regular
# files in /tmp and signals.  The warm python blocks SIGUSR1 and waits in
# sigwaitinfo(); warm_client writes /tmp/w/<its pid>.in, sends SIGUSR1 to
# the pid in /tmp/w/pid and waits (sigtimedwait, 10 s) for SIGUSR1 back;
# python takes the client's pid from si_pid, reads the request, computes
# the answer with its already-imported modules, writes /tmp/w/<pid>.out
# (tmp + rename) and signals the client, which prints it.  Every answer is
# compared with the cold python's answer to the same request.
#
# The root file system is the host's / (read-only under the memory
# overlay; python3 is the host's), so the snapshot holds python's whole
# private memory (its text and libraries' too, docs/checkpoint.md).
# Every sample starts on a full, idle pool (MIN_READY ready sandboxes, no
# boot running), so the refill of the previous sample does not compete with
# it; the sandboxes are deleted outside the timed part.
# Target (report only): restore p50 <= 10 ms and >= 10x faster than cold.
# PLATFORM=ptrace picks the other platform.  Exit 77 without /usr/bin/python3.
set -eu
[ -x /usr/bin/python3 ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
cvisord=$(realpath "$1") cvisor=$(realpath "$2") client=$(realpath "$3")
N=${4:-50} MINR=${5:-4}
tmp=$(mktemp -d /tmp/cvwarm.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; [ -n "$pid" ] && wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
CVISOR_TOKEN=$TOKEN CVISOR_BIN=$cvisor "$cvisord" --rest "127.0.0.1:$port" --grpc off \
	--state-dir "$tmp/state" --default-rootfs / --min-ready "$MINR" \
	--platform "${PLATFORM:-systrap}" 2>"$tmp/log" &
pid=$!

rc=0
python3 - "$port" "$TOKEN" "$N" "$MINR" "$client" <<'PY' || rc=$?
import http.client, json, sys, time
port, token, n, minr, client = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
H = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
ENV = ["PATH=/usr/local/bin:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE=1", "LC_ALL=C.UTF-8"]

# The work, the same for the cold and the warm python: its imports and
# answer(); the request is a JSON object, the answer one JSON line.
WORK = r'''
import json, re, collections, hashlib, decimal, asyncio, datetime, fractions
import statistics, typing, dataclasses, pathlib, logging, urllib.parse, base64
def answer(req):
    d = json.loads(req)
    words = re.findall(r"[a-z]+", d["text"].lower())
    top = collections.Counter(words).most_common(3)
    total = sum(decimal.Decimal(x) for x in d["amounts"])
    mean = statistics.mean(fractions.Fraction(x) for x in d["amounts"])
    return (json.dumps({"top": top, "total": str(total), "mean": str(mean),
                        "sha256": hashlib.sha256(d["text"].encode()).hexdigest(),
                        "b64": base64.b64encode(urllib.parse.quote(d["text"][:12]).encode()).decode(),
                        "async": asyncio.iscoroutinefunction(answer)},
                       sort_keys=True) + "\n").encode()
'''
COLD = WORK + "import sys\nsys.stdout.buffer.write(answer(sys.argv[1].encode()))\n"
SERVE = WORK + r'''
import os, signal, sys
D = sys.argv[1]
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
with open(D + "/pid.tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(D + "/pid.tmp", D + "/pid")
while True:
    p = signal.sigwaitinfo([signal.SIGUSR1]).si_pid
    base = "%s/%d" % (D, p)
    try:
        with open(base + ".in", "rb") as f:
            req = f.read()
        os.unlink(base + ".in")
    except OSError:
        continue
    try:
        out = answer(req)
    except Exception as e:
        out = ("error %r\n" % (e,)).encode()
    with open(base + ".out.tmp", "wb") as f:
        f.write(out)
    os.rename(base + ".out.tmp", base + ".out")
    try:
        os.kill(p, signal.SIGUSR1)
    except OSError:
        os.unlink(base + ".out")
'''
REQ = json.dumps({"text": "The quick brown fox jumps over the lazy dog; the dog sleeps, the fox runs.",
                  "amounts": ["12.50", "7.25", "0.10", "3"]})
CLIENT_ARGV = ["/tmp/w/warm_client", "/tmp/w", REQ]

c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

def call(method, path, body=None, raw=False):
    global c
    for attempt in range(2):
        try:
            if raw:
                c.request(method, path, body, {"Authorization": H["Authorization"]})
            else:
                c.request(method, path, None if body is None else json.dumps(body), H)
            r = c.getresponse()
            return r.status, r.read()
        except (http.client.HTTPException, OSError):
            if attempt:
                raise
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

def must(st, d, what, want=(200, 201, 204)):
    if st not in want:
        sys.exit("%s: HTTP %d %s" % (what, st, d[:2000].decode(errors="replace")))
    return json.loads(d) if d else None

def stream(path, body):
    """(ms to the first stdout byte, ms to the exit event, stdout, exit)"""
    global c
    t0 = time.perf_counter()
    c.request("POST", path, json.dumps(body), H)
    r = c.getresponse()
    if r.status != 200:
        d = r.read()
        sys.exit("%s: HTTP %d %s" % (path, r.status, d[:2000].decode(errors="replace")))
    first = None; out = b""; err = b""; ex = None
    for line in r:
        ev = json.loads(line)
        if ev["type"] == "stdout":
            if first is None:
                first = time.perf_counter()
            out += ev["data"].encode()
        elif ev["type"] == "stderr":
            err += ev["data"].encode()
        elif ev["type"] == "exit":
            ex = ev
    t1 = time.perf_counter()
    r.read()
    if ex is None or ex.get("exit_code") != 0 or first is None:
        sys.exit("%s: no answer: exit %s stdout %r stderr %r" % (path, ex, out, err))
    return (first - t0) * 1e3, (t1 - t0) * 1e3, out

def ready(pool):
    st, d = call("GET", "/v1/pools/" + pool)
    return json.loads(d).get("ready", 0) if st == 200 else 0

def wait_ready(pool, k, limit=180):
    t = time.time()
    while time.time() - t < limit:
        try:
            if ready(pool) >= k:
                return
        except Exception:
            pass
        time.sleep(0.05)
    sys.exit("pool %s never had %d ready sandboxes" % (pool, k))

def quiet(pool):
    """every sample starts on a full pool: no boot competes with it"""
    wait_ready(pool, minr)
    time.sleep(0.02)

def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(len(v) * p / 100))]

def show(name, v):
    print("%-44s p50 %7.2f  p90 %7.2f  p99 %7.2f  min %7.2f ms  (n=%d)"
          % (name, pct(v, 50), pct(v, 90), pct(v, 99), min(v), len(v)))

wait_ready("default", minr)

# --- the warm python: started in a sandbox of the default pool, asked once
# (this also checks the protocol), snapshotted, its sandbox deleted ---
st, d = call("POST", "/v1/sandboxes", {"timeout_s": 600})
src = must(st, d, "create the source sandbox")["id"]
must(*call("POST", "/v1/sandboxes/%s/exec" % src, {"argv": ["mkdir", "-p", "/tmp/w"]}), "mkdir")
with open(client, "rb") as f:
    must(*call("PUT", "/v1/sandboxes/%s/files?path=/tmp/w/warm_client&mode=0755" % src, f.read(), raw=True),
         "put warm_client")
must(*call("PUT", "/v1/sandboxes/%s/files?path=/tmp/w/serve.py&mode=0644" % src, SERVE.encode(), raw=True),
     "put serve.py")
st, d = call("POST", "/v1/sandboxes/%s/exec" % src, {"env": ENV, "argv": ["sh", "-c",
    "/usr/bin/python3 /tmp/w/serve.py /tmp/w </dev/null >/tmp/w/log 2>&1 & i=0; "
    "until [ -s /tmp/w/pid ]; do i=$((i+1)); [ $i -gt 600 ] && break; sleep 0.05; done; "
    "cat /tmp/w/pid || cat /tmp/w/log"]})
j = must(st, d, "start the warm python")
if not j["stdout"].strip().isdigit():
    sys.exit("the warm python did not start: %r" % j)
first, total, want = stream("/v1/run?stream=1", {"env": ENV, "argv": ["/usr/bin/python3", "-c", COLD, REQ]})
try:
    json.loads(want)
except ValueError:
    sys.exit("cold answer is not JSON: %r" % want)
_, _, out = stream("/v1/sandboxes/%s/exec?stream=1" % src, {"argv": CLIENT_ARGV})
if out != want:
    sys.exit("the warm python answers %r, the cold one %r" % (out, want))
st, d = call("POST", "/v1/sandboxes/%s/snapshots" % src, {"leave_running": True})
snap = must(st, d, "snapshot the warm python")
sid = snap["id"]
call("DELETE", "/v1/sandboxes/" + src)
print("warm python: pid %s, snapshot %s, %.1f MiB" % (j["stdout"].strip(), sid, snap["size_bytes"] / 1048576))
print("answer: %s" % want.decode().strip())

# --- cold: python3 -c in a leased warm sandbox ---
cold_first, cold_total = [], []
for i in range(n):
    quiet("default")
    f, t, out = stream("/v1/run?stream=1", {"env": ENV, "argv": ["/usr/bin/python3", "-c", COLD, REQ]})
    if out != want:
        sys.exit("cold answer %d differs: %r" % (i, out))
    cold_first.append(f); cold_total.append(t)

# --- restore on demand: restore into a leased warm sandbox, then the request ---
res, req_first, warm_first, warm_total, again = [], [], [], [], []
for i in range(n):
    quiet("default")
    t0 = time.perf_counter()
    st, d = call("POST", "/v1/sandboxes", {"snapshot": sid, "timeout_s": 120})
    t1 = time.perf_counter()
    sb = must(st, d, "restore %d" % i)["id"]
    f, t, out = stream("/v1/sandboxes/%s/exec?stream=1" % sb, {"argv": CLIENT_ARGV})
    f2, _, out2 = stream("/v1/sandboxes/%s/exec?stream=1" % sb, {"argv": CLIENT_ARGV})
    call("DELETE", "/v1/sandboxes/" + sb)
    if out != want or out2 != want:
        sys.exit("restored answer %d differs: %r %r" % (i, out, out2))
    again.append(f2)
    res.append((t1 - t0) * 1e3); req_first.append(f)
    warm_first.append((t1 - t0) * 1e3 + f); warm_total.append((t1 - t0) * 1e3 + t)

# --- a pool whose template is the snapshot (optional) ---
pool_first = None
st, d = call("POST", "/v1/pools", {"name": "warmpy", "snapshot": sid, "min_ready": minr})
if st == 201:
    wait_ready("warmpy", minr)
    pool_first, pool_total = [], []
    for i in range(n):
        quiet("warmpy")
        f, t, out = stream("/v1/run?stream=1", {"pool": "warmpy", "argv": CLIENT_ARGV})
        if out != want:
            sys.exit("snapshot pool answer %d differs: %r" % (i, out))
        pool_first.append(f); pool_total.append(t)
    call("DELETE", "/v1/pools/warmpy")
    pool_note = ""
else:
    pool_note = "HTTP %d: %s" % (st, d[:200].decode(errors="replace").strip())

# --- reference: the cold work natively, no sandbox, no server ---
import os, subprocess
nat = []
for i in range(min(n, 20)):
    t0 = time.perf_counter()
    o = subprocess.run(["/usr/bin/python3", "-c", COLD, REQ], capture_output=True,
                       env=dict(e.split("=", 1) for e in ENV))
    nat.append((time.perf_counter() - t0) * 1e3)
    if o.stdout != want:
        sys.exit("native answer differs: %r %r" % (o.stdout, o.stderr))

print("first byte of the answer (ms from the first API call):")
show("cold: run python3 -c (default pool)", cold_first)
show("  reference: native python3 -c, until exit", nat)
show("restore on demand: create + exec", warm_first)
show("  of which POST /v1/sandboxes {snapshot}", res)
show("  of which the exec of warm_client", req_first)
show("  a second request to the same restored one", again)
if pool_first:
    show("snapshot pool: run warm_client", pool_first)
else:
    print("%-44s skipped (%s)" % ("snapshot pool:", pool_note))
print("until the exit event:")
show("cold", cold_total)
show("restore on demand", warm_total)
if pool_first:
    show("snapshot pool", pool_total)
best = pct(pool_first, 50) if pool_first else pct(warm_first, 50)
ratio = pct(cold_first, 50) / best
print("target: p50 <= 10 ms: %s (%.2f ms); >= 10x faster than cold: %s (%.1fx)"
      % ("met" if best <= 10 else "NOT met", best, "met" if ratio >= 10 else "NOT met", ratio))
PY
if [ "$rc" -ne 0 ]; then
	echo "--- cvisord log (tail)"
	tail -n 30 "$tmp/log"
fi
exit "$rc"
