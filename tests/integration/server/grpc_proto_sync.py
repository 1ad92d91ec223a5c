#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""grpc_proto_sync.py REPO

api/cvisor.proto and api/openapi.yaml stay in sync in field names: each
pair of (proto message, OpenAPI schema) below has the same fields but for
the listed exceptions; every RPC of cvisor.v1.Sandboxes is registered in
server/grpc.c and named in docs/api.md.  The proto is compiled with
`protoc --descriptor_set_out` (no generated code needed).
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml
from google.protobuf import descriptor_pb2

repo = sys.argv[1]
spec = yaml.safe_load(open(os.path.join(repo, "api", "openapi.yaml")))
schemas = spec["components"]["schemas"]
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "set.pb")
    subprocess.run(["protoc", "--proto_path=" + os.path.join(repo, "api"),
                    "--descriptor_set_out=" + out, "cvisor.proto"], check=True)
    fds = descriptor_pb2.FileDescriptorSet.FromString(open(out, "rb").read())
f = fds.file[0]
msgs = {m.name: m for m in f.message_type}
fail = 0


def props(schema):
    if "allOf" in schema:
        r = set()
        for s in schema["allOf"]:
            r |= props(schemas[s["$ref"].split("/")[-1]] if "$ref" in s else s)
        return r
    return set(schema.get("properties", {}))


# proto message -> (OpenAPI schema, fields only in the proto, only in OpenAPI)
pairs = {
    "CreatePoolRequest": ("PoolCreate", set(), set()),
    "UpdatePoolRequest": ("PoolUpdate", {"name"}, set()),  # name: the path
    "Pool": ("Pool", set(), set()),
    "PoolFailures": (("Pool", "failures"), set(), set()),
    "CreateSandboxRequest": ("SandboxCreate", set(), set()),
    "Sandbox": ("Sandbox", set(), set()),
    "Snapshot": ("Snapshot", set(), set()),
    "CreateSnapshotRequest": ("SnapshotCreate", {"sandbox", "stop"}, {"leave_running"}),
    "ExecRequest": ("Exec", {"id"}, {"stream"}),  # id: the path; stream: gRPC has Exec
    "ExecResult": ("ExecResult", set(), set()),
    "ExecExit": ("ExecEvent", set(), {"type", "data", "detail"}),
    "Listing": ("Listing", set(), set()),
    "Entry": (("Listing", "entries"), set(), set()),
    "Resources": ("Resources", set(), set()),
}
run_schema = spec["paths"]["/v1/run"]["post"]["requestBody"]["content"]["application/json"]["schema"]
for name, (sch, only_proto, only_api) in pairs.items():
    if isinstance(sch, tuple):
        s = schemas[sch[0]]["properties"][sch[1]]
        s = s.get("items", s)
        api = props(s)
    else:
        api = props(schemas[sch])
    proto = {fl.name for fl in msgs[name].field}
    a, b = proto - api - only_proto, api - proto - only_api
    if a or b:
        print("FAIL: %s vs %s: only in the proto %s, only in OpenAPI %s"
              % (name, sch, sorted(a), sorted(b)))
        fail = 1
api_run = props(run_schema) - {"stream"}
proto_run = {fl.name for fl in msgs["RunRequest"].field}
if api_run != proto_run:
    print("FAIL: RunRequest vs /v1/run: %s" % sorted(api_run ^ proto_run))
    fail = 1

rpcs = [m.name for m in f.service[0].method]
grpc_c = open(os.path.join(repo, "server", "grpc.c")).read()
doc = open(os.path.join(repo, "docs", "api.md")).read()
for r in rpcs:
    if not re.search(r'"(/cvisor\.v1\.Sandboxes/)?%s"' % r, grpc_c):
        print("FAIL: %s is not registered in server/grpc.c" % r)
        fail = 1
    if "`%s`" % r not in doc:
        print("FAIL: docs/api.md does not name %s" % r)
        fail = 1
print("FAIL" if fail else "ok: %d message pairs and %d RPCs in sync" % (len(pairs) + 1, len(rpcs)))
sys.exit(fail)
