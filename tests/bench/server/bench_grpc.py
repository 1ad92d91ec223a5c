#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench_grpc.py CVISORD ROOTFS [N [CLIENTS [MIN_READY]]]

`Run echo hi` over gRPC from a warm pool: latency of N calls from one
client (p50/p90/p99), then N calls from CLIENTS concurrent clients
(throughput, refill included).  Every reply is checked (stdout "hi\\n").
The same shape as bench_run.sh (REST), for comparing the two front ends.
"""
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
try:
    import grpc
except ImportError:
    print("SKIP: python3-grpcio missing")
    sys.exit(77)

cvisord, rootfs = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
clients = int(sys.argv[4]) if len(sys.argv) > 4 else 8
min_ready = int(sys.argv[5]) if len(sys.argv) > 5 else 8
tmp = tempfile.mkdtemp(prefix="cvbg.")
os.environ["CVISOR_PROTO"] = os.path.join(ROOT, "api", "cvisor.proto")
os.environ["CVISOR_PB2_DIR"] = os.path.join(tmp, "pb2")
import cvisor_grpc  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


token = "tok-" + os.urandom(16).hex()
port = free_port()
proc = subprocess.Popen([cvisord, "--rest", "127.0.0.1:%d" % free_port(),
                         "--grpc", "127.0.0.1:%d" % port, "--state-dir",
                         os.path.join(tmp, "state"), "--default-rootfs", rootfs,
                         "--min-ready", str(min_ready)],
                        env=dict(os.environ, CVISOR_TOKEN=token),
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
rc = 1
try:
    c = cvisor_grpc.Client("127.0.0.1:%d" % port, token=token)
    for _ in range(600):
        try:
            if c.get_pool("default").ready >= min_ready:
                break
        except grpc.RpcError:
            pass
        time.sleep(0.05)
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = c.run(["echo", "hi"])
        lat.append((time.perf_counter() - t0) * 1000)
        assert r.stdout == b"hi\n" and r.exit_code == 0, r
        # one client: let the pool refill as a sparse caller would see it
        while c.get_pool("default").ready < min_ready:
            time.sleep(0.001)
    print("grpc run, 1 client, %d calls: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms"
          % (n, pct(lat, 0.5), pct(lat, 0.9), pct(lat, 0.99)))

    def one(_):
        r = c.run(["echo", "hi"])
        return r.stdout == b"hi\n" and r.exit_code == 0

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as ex:
        res = list(ex.map(one, range(n)))
    dt = time.perf_counter() - t0
    print("grpc run, %d clients, %d calls: %.0f runs/s, %d failures"
          % (clients, n, n / dt, res.count(False)))
    rc = 0 if all(res) else 1
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(rc)
