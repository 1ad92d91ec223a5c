#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""snap_pool_grpc.py TARGET SNAPSHOT BROKEN_POOL SECRET PB2_DIR

The gRPC half of snap_pool.sh, against the cvisord it started (token in
$CVISOR_TOKEN): CreatePool from a snapshot (the Pool names it), Run and a
leased sandbox from it see the snapshot's file, NOT_FOUND for an unknown
snapshot, INVALID_ARGUMENT for two templates, FAILED_PRECONDITION for
DeleteSnapshot while a pool uses it, the broken pool's restore failures in
PoolFailures.restore.  Exits 1 on any failure.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
import grpc  # noqa: E402

target, sid, broken, secret, pb2dir = sys.argv[1:6]
os.environ["CVISOR_PROTO"] = os.path.join(ROOT, "api", "cvisor.proto")
os.environ["CVISOR_PB2_DIR"] = pb2dir
import cvisor_grpc  # noqa: E402

SC = grpc.StatusCode
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


c = cvisor_grpc.Client(target)
p = c.create_pool_from_snapshot("gsnp", sid, min_ready=1, max_total=4)
check(p.snapshot == sid and p.name == "gsnp" and p.rootfs.startswith("/"),
      "CreatePool from a snapshot: snapshot=%s rootfs=%s" % (p.snapshot, p.rootfs))
r = c.run(["sh", "-c", "cat /data.txt; cat /tmp/counter >/dev/null && echo counter"],
          pool="gsnp")
check(r.exit_code == 0 and r.stdout == (secret + "\ncounter\n").encode(),
      "Run in the snapshot pool: %r" % (r.stdout,))
sb = c.create_sandbox("gsnp", timeout_s=120)
x = c.exec_blocking(sb.id, ["cat", "/data.txt"])
check(x.stdout == (secret + "\n").encode(), "a leased clone has the file: %r" % (x.stdout,))
c.delete_sandbox(sb.id)
expect_code(SC.NOT_FOUND, "GetSandbox of the ended lease", c.get_sandbox, sb.id)
check(c.get_pool("gsnp").snapshot == sid, "GetPool names the snapshot")
check(any(q.name == "gsnp" and q.snapshot == sid for q in c.list_pools()),
      "ListPools names the snapshot")
e = expect_code(SC.NOT_FOUND, "CreatePool from an unknown snapshot",
                c.create_pool_from_snapshot, "gx", "0000000000000000")
check(e is not None and "0000000000000000" in e.details(), "the status names the snapshot")
expect_code(SC.INVALID_ARGUMENT, "CreatePool with rootfs and snapshot",
            c.call, "CreatePool", name="gx", rootfs="/", snapshot=sid)
e = expect_code(SC.FAILED_PRECONDITION, "DeleteSnapshot while a pool uses it",
                c.delete_snapshot, sid)
check(e is not None and "pool" in e.details(), "the status says a pool uses it")
check(c.get_snapshot(sid).id == sid, "the snapshot is still there")
b = c.get_pool(broken)
check(b.failures.restore >= 1 and b.failures.boot == 0 and b.ready == 0 and b.last_boot_error,
      "PoolFailures.restore of the broken pool: %d (%s)" % (b.failures.restore,
                                                         b.last_boot_error))
c.delete_pool("gsnp")
expect_code(SC.NOT_FOUND, "the pool is gone", c.get_pool, "gsnp")
c.close()
sys.exit(1 if failures else 0)
