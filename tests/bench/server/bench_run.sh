#!/bin/bash
# bench_run.sh CVISORD CVISOR ROOTFS [N] [SECONDS] [CLIENTS]
#
# `run` of `echo hi` over REST from a warm pool: latency p50/p99 with one
# client on a kept-alive connection (N requests), then sustained throughput
# with CLIENTS clients for SECONDS (refill included), then the PSS of one
# idle warm sandbox (Sentry + Gofer + stubs).  In the same run, for
# reference: `cvisor do -- echo hi` (cold sandbox) and native fork+exec of
# echo.  Outputs are checked (every reply must be exit 0, "hi\n").
# Targets (issue 7): p50 <= 5 ms, p99 <= 20 ms, >= 100 runs/s, <= 8 MB PSS.
# MIN_READY (8) and BOOT_WORKERS (2) tune the pool.
set -eu
cvisord=$(realpath "$1") cvisor=$(realpath "$2") rootfs=$(realpath "$3")
N=${4:-300} SECS=${5:-5} CLIENTS=${6:-4}
tmp=$(mktemp -d /tmp/cvbench.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; [ -n "$pid" ] && wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
CVISOR_TOKEN=$TOKEN CVISOR_BIN=$cvisor "$cvisord" --rest "127.0.0.1:$port" --grpc 127.0.0.1:0 --state-dir "$tmp/state" \
	--default-rootfs "$rootfs" --min-ready "${MIN_READY:-8}" --boot-workers "${BOOT_WORKERS:-2}" 2>"$tmp/log" &
pid=$!

python3 - "$port" "$TOKEN" "$N" "$SECS" "$CLIENTS" "$cvisor" "$rootfs" "$pid" <<'PY'
import http.client, json, os, subprocess, sys, threading, time
port, token, n, secs, clients = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
cvisor, rootfs, spid = sys.argv[6], sys.argv[7], int(sys.argv[8])
H = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
BODY = json.dumps({"argv": ["echo", "hi"]})

def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60)

def run(c):
    c.request("POST", "/v1/run", BODY, H)
    r = c.getresponse()
    d = r.read()
    if r.status != 200:
        return r.status, d
    j = json.loads(d)
    assert j["exit_code"] == 0 and j["stdout"] == "hi\n", j
    return 200, d

def pool():
    c = conn(); c.request("GET", "/v1/pools/default", headers=H)
    return json.loads(c.getresponse().read())

def wait_ready(k, limit=120):
    t = time.time()
    while time.time() - t < limit:
        try:
            if pool()["ready"] >= k: return
        except Exception: pass
        time.sleep(0.05)
    sys.exit("pool never became ready: %s" % pool())

def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(len(v) * p / 100))]

minr = int(os.environ.get("MIN_READY", "8"))
wait_ready(minr)
# One client, one kept-alive connection; wait for the pool to be warm again
# whenever it drains so that every sample is a warm acquire.
c = conn(); lat = []; errs = 0
for i in range(n):
    if pool()["ready"] == 0: wait_ready(1)
    t = time.perf_counter(); s, _ = run(c); lat.append((time.perf_counter() - t) * 1e3)
    errs += s != 200
print("run echo hi, warm pool, 1 client : p50 %.2f ms  p99 %.2f ms  min %.2f ms  (n=%d, errors %d)"
      % (pct(lat, 50), pct(lat, 99), min(lat), n, errs))

# Sustained: CLIENTS threads for SECS seconds, refill included.
wait_ready(minr)
done = [0]; bad = [0]; lock = threading.Lock(); stop = time.time() + secs
def worker():
    c = conn()
    while time.time() < stop:
        try: s, _ = run(c)
        except Exception: s = 0; c = conn()
        with lock:
            if s == 200: done[0] += 1
            else: bad[0] += 1
t0 = time.time()
th = [threading.Thread(target=worker) for _ in range(clients)]
[t.start() for t in th]; [t.join() for t in th]
el = time.time() - t0
print("sustained run, %d clients, %.0f s    : %.1f runs/s  (%d ok, %d refused/failed)"
      % (clients, el, done[0] / el, done[0], bad[0]))

# PSS of idle warm sandboxes: every descendant of cvisord, over ready.
wait_ready(minr); time.sleep(0.5)
def kids(p):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % p):
            out += [int(x) for x in open("/proc/%d/task/%s/children" % (p, t)).read().split()]
    except OSError: pass
    return out
stack, allp = kids(spid), []
while stack:
    p = stack.pop(); allp.append(p); stack += kids(p)
pss = 0; seen = 0
for p in allp:
    try:
        for l in open("/proc/%d/smaps_rollup" % p):
            if l.startswith("Pss:"): pss += int(l.split()[1]); seen += 1
    except OSError: pass
r = pool()["ready"]
print("idle warm sandbox PSS            : %.2f MB  (%d of %d processes readable, %d warm sandboxes)"
      % (pss / 1024 / max(r, 1), seen, len(allp), r))

# References in the same run.
cold = []
for i in range(20):
    t = time.perf_counter()
    o = subprocess.run([cvisor, "do", "--rootfs", rootfs, "--", "echo", "hi"], capture_output=True)
    cold.append((time.perf_counter() - t) * 1e3)
    assert o.stdout == b"hi\n", o
nat = []
for i in range(200):
    t = time.perf_counter()
    o = subprocess.run(["/bin/echo", "hi"], capture_output=True)
    nat.append((time.perf_counter() - t) * 1e3)
print("cvisor do -- echo hi (cold)      : p50 %.2f ms  p99 %.2f ms" % (pct(cold, 50), pct(cold, 99)))
print("native fork+exec echo hi         : p50 %.2f ms  p99 %.2f ms" % (pct(nat, 50), pct(nat, 99)))
PY
