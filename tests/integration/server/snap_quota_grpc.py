#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""snap_quota_grpc.py TARGET SANDBOX PB2_DIR

The gRPC half of snap_quota.sh, against the cvisord it started with
--max-snapshots 3 --max-snapshot-ttl 600 (token in $CVISOR_TOKEN):
CreateSnapshot with ttl_seconds and labels (Snapshot.expires_at, labels),
ListSnapshots filtered by label, INVALID_ARGUMENT for a ttl over the maximum,
a bad label or a bad filter, RESOURCE_EXHAUSTED once max_snapshots is
reached (nothing added), and a 20 s ttl reaped (NOT_FOUND, polled up to
120 s).  Leaves the snapshots it found.  Exits 1 on any failure.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
import grpc  # noqa: E402

target, sandbox, pb2dir = sys.argv[1:4]
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
before = {s.id for s in c.list_snapshots()}
check(len(before) < 3, "fewer than max_snapshots to start with (%d)" % len(before))

s = c.create_snapshot(sandbox, ttl_seconds=20, labels={"g": "1", "kind": "short"})
check(s.expires_at - s.created_at == 20 and dict(s.labels) == {"g": "1", "kind": "short"},
      "CreateSnapshot ttl_seconds=20 labels: expires_at-created_at=%d labels=%r"
      % (s.expires_at - s.created_at, dict(s.labels)))
g = c.get_snapshot(s.id)
check(g.expires_at == s.expires_at and g.labels["kind"] == "short", "GetSnapshot shows them")
ls = c.list_snapshots(label="g=1")
check([x.id for x in ls] == [s.id], "ListSnapshots label=g=1: %r" % [x.id for x in ls])
check(len(c.list_snapshots(label="g=2")) == 0, "ListSnapshots label=g=2: none")
expect_code(SC.INVALID_ARGUMENT, "ListSnapshots label without =", c.list_snapshots, label="g")
expect_code(SC.INVALID_ARGUMENT, "CreateSnapshot ttl over the maximum",
            c.create_snapshot, sandbox, ttl_seconds=601)
expect_code(SC.INVALID_ARGUMENT, "CreateSnapshot label key with =",
            c.create_snapshot, sandbox, labels={"a=b": "c"})
expect_code(SC.NOT_FOUND, "CreateSnapshot of an unknown sandbox",
            c.create_snapshot, "nope")

# fill up to max_snapshots, then one more is refused
extra = []
while len(before) + 1 + len(extra) < 3:
    extra.append(c.create_snapshot(sandbox, ttl_seconds=600).id)
n = len(c.list_snapshots())
check(n == 3, "at max_snapshots: %d listed" % n)
e = expect_code(SC.RESOURCE_EXHAUSTED, "CreateSnapshot over max_snapshots",
                c.create_snapshot, sandbox)
check(e is not None and "max_snapshots" in e.details(), "the status names max_snapshots")
check(len(c.list_snapshots()) == 3, "nothing added by the refused request")
for x in extra:
    c.delete_snapshot(x)

# the 20 s snapshot is reaped
deadline = time.time() + 120
gone = False
while time.time() < deadline and not gone:
    try:
        c.get_snapshot(s.id)
        time.sleep(0.5)
    except grpc.RpcError as err:
        gone = err.code() == SC.NOT_FOUND
check(gone, "the ttl 20 s snapshot expired (GetSnapshot NOT_FOUND)")
check({x.id for x in c.list_snapshots()} == before, "the snapshots found at the start remain")
c.close()
sys.exit(1 if failures else 0)
