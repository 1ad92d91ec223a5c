#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""server_pool.py CVISORD [PLATFORM [CVISORCTL]]

A pool's `network` over the API (docs/api.md): a real cvisord on loopback
ports with the default pool on / (network none) and a TCP server of this
test on the host's 127.0.0.1.
 - REST: a pool created with "network": "host" reports it and its
   sandboxes reach the host server; the default pool reports "none" and a
   connect to the same port from it is refused (its loopback is its own);
   "network": "bridge" / 5 are 400 application/problem+json;
 - gRPC (skipped when grpcio is missing): CreatePool network "host" is
   reported back by GetPool, "bogus" is INVALID_ARGUMENT;
 - cvisorctl pools create --network=host / --network=bogus (when given).
Loopback traffic only.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

cvisord = os.path.abspath(sys.argv[1])
platform = sys.argv[2] if len(sys.argv) > 2 else "systrap"
cvisorctl = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
tmp = tempfile.mkdtemp(prefix="cvnet.")
failures = []


def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failures.append(msg)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def host_server():
    """A TCP server on 127.0.0.1 answering "hello-from-host" to each client."""
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(16)

    def serve():
        while True:
            c, _ = l.accept()
            with c:
                c.sendall(b"hello-from-host")

    threading.Thread(target=serve, daemon=True).start()
    return l.getsockname()[1]


CLIENT = r'''
import socket, sys, errno
try:
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    print(c.recv(100).decode())
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
'''


class Rest:
    def __init__(self, port, token):
        self.port, self.token = port, token

    def req(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = {"Authorization": "Bearer " + self.token}
        if body is not None:
            body = json.dumps(body) if not isinstance(body, str) else body
            h["Content-Type"] = "application/json"
        c.request(method, path, body, h)
        r = c.getresponse()
        data = r.read()
        ctype = r.getheader("Content-Type", "")
        c.close()
        try:
            return r.status, ctype, json.loads(data) if data else None
        except ValueError:
            return r.status, ctype, data


def wait_up(rest):
    t0 = time.time()
    while time.time() - t0 < 60:
        try:
            if rest.req("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("cvisord never answered:\n" + open(os.path.join(tmp, "log")).read())


def run_in(rest, pool, hport):
    st, _, j = rest.req("POST", "/v1/run", {"pool": pool, "argv": ["python3", "-c", CLIENT,
                                                                   str(hport)],
                                            "timeout_ms": 60000})
    if st != 200:
        return "HTTP %d %r" % (st, j)
    return j["stdout"].strip() if j.get("exit_code") == 0 else "exit %r %r" % (
        j.get("exit_code"), j.get("stderr"))


def grpc_part(gport, token, hport):
    try:
        import grpc
    except ImportError:
        print("skip: gRPC part (python3-grpcio missing)")
        return
    os.environ["CVISOR_PROTO"] = os.path.join(ROOT, "api", "cvisor.proto")
    os.environ["CVISOR_PB2_DIR"] = os.path.join(tmp, "pb2")
    import cvisor_grpc
    c = cvisor_grpc.Client("127.0.0.1:%d" % gport, token=token)
    grpc.channel_ready_future(c.channel).result(timeout=60)
    p = c.create_pool("ghost", "/", network="host")
    check(p.network == "host", "gRPC CreatePool network host -> %r" % p.network)
    check(c.get_pool("ghost").network == "host", "gRPC GetPool reports host")
    check(c.get_pool("default").network == "none", "gRPC GetPool default is none")
    r = c.run(["python3", "-c", CLIENT, str(hport)], pool="ghost")
    check(r.exit_code == 0 and r.stdout.strip() == b"hello-from-host",
          "gRPC run in the host pool reaches the host: %r" % (r.stdout,))
    try:
        c.create_pool("gbad", "/", network="bogus")
        check(False, "gRPC CreatePool network bogus accepted")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "network" in e.details(),
              "gRPC CreatePool network bogus -> %s %s" % (e.code().name, e.details()))
    c.delete_pool("ghost")


def main():
    token = "tok-" + os.urandom(16).hex()
    rport, gport = free_port(), free_port()
    hport = host_server()
    state = os.path.join(tmp, "state")
    log = open(os.path.join(tmp, "log"), "w")
    proc = subprocess.Popen([cvisord, "--rest", "127.0.0.1:%d" % rport,
                             "--grpc", "127.0.0.1:%d" % gport, "--state-dir", state,
                             "--default-rootfs", "/", "--min-ready", "1",
                             "--platform", platform],
                            env=dict(os.environ, CVISOR_TOKEN=token), stdout=log, stderr=log)
    try:
        rest = Rest(rport, token)
        wait_up(rest)
        st, _, j = rest.req("GET", "/v1/pools/default")
        check(st == 200 and j.get("network") == "none", "default pool network none: %r" % (j,))
        st, _, j = rest.req("POST", "/v1/pools", {"name": "web", "rootfs": "/",
                                                  "network": "host", "min_ready": 1})
        check(st == 201 and j.get("network") == "host", "REST create host pool: %d %r" % (st, j))
        st, _, j = rest.req("GET", "/v1/pools/web")
        check(st == 200 and j.get("network") == "host", "REST get host pool: %r" % (j,))
        for bad in ("bridge", 5, "HOST", ""):
            st, ctype, j = rest.req("POST", "/v1/pools", {"name": "x", "rootfs": "/",
                                                          "network": bad})
            check(st == 400 and ctype.startswith("application/problem+json") and
                  "network" in json.dumps(j),
                  "REST network %r refused: %d %s %r" % (bad, st, ctype, j))
        st, _, j = rest.req("GET", "/v1/pools/x")
        check(st == 404, "no pool x was created")
        out = run_in(rest, "web", hport)
        check(out == "hello-from-host", "host pool reaches the host's 127.0.0.1: %r" % out)
        out = run_in(rest, "default", hport)
        check(out == "ECONNREFUSED", "none pool: the host port is not on its loopback: %r" % out)
        grpc_part(gport, token, hport)
        if cvisorctl:
            ctl = [cvisorctl, "--url", "http://127.0.0.1:%d" % rport, "--token", token,
                   "pools", "create"]
            r = subprocess.run(ctl + ["--network=host", "ctl", "/", "0"], capture_output=True,
                               text=True, timeout=120)
            check(r.returncode == 0 and json.loads(r.stdout).get("network") == "host",
                  "cvisorctl pools create --network=host: %d %r %r" %
                  (r.returncode, r.stdout, r.stderr))
            r = subprocess.run(ctl + ["--network=bogus", "ctl2", "/"], capture_output=True,
                               text=True, timeout=120)
            check(r.returncode != 0 and "network" in r.stdout + r.stderr,
                  "cvisorctl pools create --network=bogus: %d %r %r" %
                  (r.returncode, r.stdout, r.stderr))
        proc.send_signal(signal.SIGTERM)
        check(proc.wait(timeout=120) == 0, "cvisord exits 0 on SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if failures:
            print(open(os.path.join(tmp, "log")).read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("all ok")


main()
