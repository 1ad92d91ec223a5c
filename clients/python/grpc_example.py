#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Example: run a command in a warm sandbox, then stream one from a lease.

    CVISOR_TOKEN=... clients/python/grpc_example.py [HOST:PORT] [POOL]
"""
import sys

import cvisor_grpc


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
    pool = sys.argv[2] if len(sys.argv) > 2 else "default"
    with cvisor_grpc.Client(target) as c:
        print("health:", c.health().status)
        r = c.run(["echo", "hi"], pool=pool)
        print("run: exit %d, stdout %r, %d ms" % (r.exit_code, r.stdout, r.duration_ms))
        sb = c.create_sandbox(pool=pool, labels={"example": "yes"})
        try:
            c.put_file(sb.id, "/tmp/greeting", b"hello from the host\n")
            for ev in c.exec(sb.id, ["sh", "-c", "cat /tmp/greeting; echo to-stderr >&2"]):
                kind = ev.WhichOneof("event")
                if kind == "exit":
                    print("exit:", ev.exit.exit_code)
                else:
                    print("%s: %r" % (kind, getattr(ev, kind)))
        finally:
            c.delete_sandbox(sb.id)


if __name__ == "__main__":
    main()
