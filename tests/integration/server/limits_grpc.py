#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""limits_grpc.py TARGET ROOTFS PB2_DIR

The gRPC half of limits.sh, against the cvisord it started (token in
$CVISOR_TOKEN; ROOTFS has /bin/memhog and /bin/forkbomb): CreatePool with
Resources (reported back by GetPool and on each Sandbox), ExecBlocking of
a memory hog under the limit passes and past it ends with exit 137 and
reason "oom" (the sandbox is then gone), the same for Exec (stream end
event) and ExecInteractive, PoolFailures.oom counts them, a fork loop stops
at the pids limit, INVALID_ARGUMENT for bad resources or resources with a
pool.  Exits 1 on any failure.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
import grpc  # noqa: E402

target, rootfs, pb2dir = sys.argv[1:4]
os.environ["CVISOR_PROTO"] = os.path.join(ROOT, "api", "cvisor.proto")
os.environ["CVISOR_PB2_DIR"] = pb2dir
import cvisor_grpc  # noqa: E402

SC = grpc.StatusCode
LIM = 256 << 20
failures = []


def check(cond, msg):
    print(("ok: grpc: " if cond else "FAIL: grpc: ") + msg, flush=True)
    if not cond:
        failures.append(msg)


def expect_code(code, msg, fn, *a, **kw):
    try:
        r = fn(*a, **kw)
    except grpc.RpcError as e:
        check(e.code() == code, "%s -> %s (%s)" % (msg, e.code().name, e.details()))
        return e
    check(False, "%s: succeeded, want %s: %r" % (msg, code.name, r))
    return None


def lease(c):
    for _ in range(600):
        if c.get_pool("glim").ready >= 1:
            break
        import time
        time.sleep(0.1)
    return c.create_sandbox("glim", timeout_s=600, acquire_timeout_ms=60000)


c = cvisor_grpc.Client(target)
p = c.create_pool("glim", rootfs, min_ready=1,
                  resources={"memory_bytes": LIM, "cpus": 0.5, "pids": 64})
check(p.resources.memory_bytes == LIM and abs(p.resources.cpus - 0.5) < 1e-9 and
      p.resources.pids == 64, "CreatePool reports its Resources: %s" % (p.resources,))
check(c.get_pool("glim").resources.pids == 64, "GetPool reports its Resources")
expect_code(SC.INVALID_ARGUMENT, "CreatePool with pids=3", c.create_pool, "gbad", rootfs,
            resources={"pids": 3})
expect_code(SC.INVALID_ARGUMENT, "CreatePool with cpus=-1", c.create_pool, "gbad", rootfs,
            resources={"cpus": -1})
expect_code(SC.INVALID_ARGUMENT, "CreateSandbox with a pool and resources",
            c.create_sandbox, "glim", resources={"pids": 64})

sb = lease(c)
check(sb.resources.memory_bytes == LIM, "the Sandbox reports its Resources")
x = c.exec_blocking(sb.id, ["memhog", "32"], timeout_ms=120000)
check(x.exit_code == 0 and x.stdout == b"allocated 32 MiB\n" and x.reason == "",
      "ExecBlocking under the limit: %d %r %r" % (x.exit_code, x.stdout, x.reason))
x = c.exec_blocking(sb.id, ["memhog", "1024"], timeout_ms=120000)
check(x.exit_code == 137 and x.signal == 9 and x.reason == "oom",
      "ExecBlocking past the limit: exit %d signal %d reason %r" % (x.exit_code, x.signal,
                                                                   x.reason))
expect_code(SC.NOT_FOUND, "the OOM-killed sandbox is gone", c.get_sandbox, sb.id)

sb = lease(c)
evs = list(c.exec(sb.id, ["memhog", "1024"], timeout_ms=120000))
last = evs[-1] if evs else None
check(last is not None and last.WhichOneof("event") == "exit" and last.exit.exit_code == 137
      and last.exit.reason == "oom", "Exec stream ends with exit 137 reason oom: %s" % (last,))

sb = lease(c)
evs = list(c.exec_interactive(sb.id, ["memhog", "1024"], timeout_ms=120000))
last = evs[-1] if evs else None
check(last is not None and last.WhichOneof("event") == "exit" and last.exit.exit_code == 137
      and last.exit.reason == "oom", "ExecInteractive ends with exit 137 reason oom: %s" % (last,))
check(c.get_pool("glim").failures.oom == 3,
      "PoolFailures.oom = %d" % c.get_pool("glim").failures.oom)

sb = lease(c)
x = c.exec_blocking(sb.id, ["forkbomb", "400"], timeout_ms=120000)
check(x.exit_code == 0 and x.stdout.startswith(b"forked ") and b"of 400" in x.stdout and
      not x.stdout.startswith(b"forked 400 "), "a fork loop stops at pids=64: %r" % (x.stdout,))
check(c.health().status == "ok", "the server stays healthy")
c.delete_sandbox(sb.id)
c.delete_pool("glim")
c.close()
sys.exit(1 if failures else 0)
