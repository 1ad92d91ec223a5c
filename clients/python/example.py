#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Example: one-shot runs, then a leased sandbox with files and a streamed exec.
   CVISOR_URL=http://127.0.0.1:8080 CVISOR_TOKEN=... python3 example.py [POOL]"""
import sys

from cvisor_client import Client, CvisorError

pool = sys.argv[1] if len(sys.argv) > 1 else None
c = Client()
r = c.run(["python3", "-c", "print(6*7)"] if pool is None else ["echo", "42"], pool=pool)
print("run:", r["exit_code"], repr(r["stdout"]), "%d ms" % r["duration_ms"])

with c.sandbox(pool=pool, labels={"example": "yes"}) as sb:
    sb.put_file("/tmp/job.sh", b"echo line 1; echo oops >&2; echo line 2\n", mode=0o755)
    for ev in sb.exec_stream(["sh", "/tmp/job.sh"]):
        print("event:", ev)
    print("files:", [e["name"] for e in sb.list_dir("/tmp")])
    print("back:", sb.get_file("/tmp/job.sh").decode().strip())
try:
    c.pool("no-such-pool")
except CvisorError as e:
    print("error:", e.status, e.problem["title"])
