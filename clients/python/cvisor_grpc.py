# SPDX-License-Identifier: Apache-2.0
"""cvisor_grpc: a small client of cvisord's gRPC API (service cvisor.v1.Sandboxes).

Uses Debian's python3-grpcio and python3-protobuf only.  The message classes
come from api/cvisor.proto compiled by `protoc --python_out` (the
protobuf-compiler package) -- at import time into a private directory when
no cvisor_pb2 module is importable; no grpc_tools and no network needed.
The calls go through grpcio's generic API (channel.unary_unary /
unary_stream with the protobuf (de)serializers).

    import cvisor_grpc
    c = cvisor_grpc.Client("127.0.0.1:50051", token="...")
    r = c.run(["echo", "hi"])              # pool "default"
    assert r.stdout == b"hi\\n" and r.exit_code == 0
    for ev in c.exec(sandbox_id, ["sh", "-c", "echo a; echo b >&2"]):
        print(ev.WhichOneof("event"), ev)

Errors raise grpc.RpcError (e.code(): grpc.StatusCode.NOT_FOUND, ...).
Environment: CVISOR_TOKEN (default token), CVISOR_PROTO (the .proto),
CVISOR_PB2_DIR (where to put / find the generated cvisor_pb2.py; default
$TMPDIR/cvisor-pb2-UID-HASH, one per version of the .proto).
"""
import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

import grpc

_HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE = "cvisor.v1.Sandboxes"


def _find_proto():
    cands = [os.environ.get("CVISOR_PROTO"),
             os.path.join(_HERE, "..", "..", "api", "cvisor.proto"),
             "/usr/share/cvisor/cvisor.proto"]
    for p in cands:
        if p and os.path.isfile(p):
            return os.path.abspath(p)
    raise ImportError("cvisor.proto not found (set CVISOR_PROTO)")


def load_pb2():
    """The cvisor_pb2 module, compiled from cvisor.proto if needed."""
    try:
        return importlib.import_module("cvisor_pb2")
    except ImportError:
        pass
    proto = _find_proto()
    with open(proto, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    # one cache per user and .proto version; written by rename (atomic)
    out = os.environ.get("CVISOR_PB2_DIR") or os.path.join(
        tempfile.gettempdir(), "cvisor-pb2-%d-%s" % (os.getuid(), digest))
    os.makedirs(out, mode=0o700, exist_ok=True)
    st = os.stat(out)
    if st.st_uid != os.getuid() or st.st_mode & 0o022:  # not ours: never import from it
        out = tempfile.mkdtemp(prefix="cvisor-pb2-")
    if not os.path.exists(os.path.join(out, "cvisor_pb2.py")):
        tmp = tempfile.mkdtemp(dir=out)
        try:
            subprocess.run(["protoc", "--proto_path=" + os.path.dirname(proto),
                            "--python_out=" + tmp, proto], check=True)
            os.replace(os.path.join(tmp, "cvisor_pb2.py"), os.path.join(out, "cvisor_pb2.py"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.path.insert(0, out)
    return importlib.import_module("cvisor_pb2")


pb = load_pb2()


class Client:
    """One channel to cvisord.  Every RPC of the service is reachable with
    call(name, request) / stream(name, request); the methods below build the
    requests from keyword arguments."""

    def __init__(self, target="127.0.0.1:50051", token=None, timeout=120.0, channel=None,
                 max_message=256 << 20, ca=None):
        """@ca: a PEM file (or bytes) to verify a TLS server with (cvisord
        --tls-cert); without it the channel is cleartext."""
        opts = [("grpc.max_receive_message_length", max_message),
                ("grpc.max_send_message_length", max_message)]
        if channel is None and ca is not None:
            pem = ca if isinstance(ca, bytes) else open(ca, "rb").read()
            channel = grpc.secure_channel(
                target, grpc.ssl_channel_credentials(root_certificates=pem), options=opts)
        self.channel = channel or grpc.insecure_channel(target, options=opts)
        self.token = token if token is not None else os.environ.get("CVISOR_TOKEN")
        self.timeout = timeout
        self._stubs = {}
        svc = pb.DESCRIPTOR.services_by_name["Sandboxes"]
        self.methods = {m.name: m for m in svc.methods}

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def metadata(self):
        return [("authorization", "Bearer " + self.token)] if self.token else []

    def _stub(self, name):
        s = self._stubs.get(name)
        if s:
            return s
        m = self.methods[name]
        out = getattr(pb, m.output_type.name)
        path = "/%s/%s" % (SERVICE, name)
        if m.client_streaming:
            mk = self.channel.stream_stream
        elif m.server_streaming:
            mk = self.channel.unary_stream
        else:
            mk = self.channel.unary_unary
        s = mk(path, request_serializer=lambda msg: msg.SerializeToString(),
               response_deserializer=out.FromString)
        self._stubs[name] = s
        return s

    def request(self, method, /, **fields):
        return getattr(pb, self.methods[method].input_type.name)(**fields)

    def call(self, method, req=None, /, *, rpc_timeout=None, **fields):
        """A unary RPC: call("GetPool", name="bb") or call("GetPool", message)."""
        if req is None:
            req = self.request(method, **fields)
        return self._stub(method)(req, metadata=self.metadata(),
                                  timeout=rpc_timeout if rpc_timeout is not None
                                  else self.timeout)

    def stream(self, method, req=None, /, *, rpc_timeout=None, **fields):
        """A server-streaming RPC: an iterator of messages (cancel() stops it)."""
        if req is None:
            req = self.request(method, **fields)
        return self._stub(method)(req, metadata=self.metadata(),
                                  timeout=rpc_timeout if rpc_timeout is not None
                                  else self.timeout)

    # --- convenience ---
    def health(self):
        return self.call("Health")

    def create_pool(self, name, rootfs, **kw):
        """resources={"memory_bytes": N, "cpus": 0.5, "pids": N}: each sandbox's limits."""
        return self.call("CreatePool", name=name, rootfs=rootfs, **kw)

    def create_pool_from_snapshot(self, name, snapshot, **kw):
        """A pool whose warm sandboxes run restored copies of @snapshot."""
        return self.call("CreatePool", name=name, snapshot=snapshot, **kw)

    def update_pool(self, name, **kw):
        """Only the fields given change: update_pool("bb", min_ready=3)."""
        return self.call("UpdatePool", name=name,
                         **{k: pb.UInt32Value(value=v) for k, v in kw.items()})

    def get_pool(self, name):
        return self.call("GetPool", name=name)

    def list_pools(self):
        return list(self.call("ListPools").pools)

    def delete_pool(self, name):
        return self.call("DeletePool", name=name)

    def create_sandbox(self, pool="default", labels=None, **kw):
        return self.call("CreateSandbox", pool=pool, labels=labels or {}, **kw)

    def get_sandbox(self, id):
        return self.call("GetSandbox", id=id)

    def list_sandboxes(self, **kw):
        return self.call("ListSandboxes", **kw)

    def delete_sandbox(self, id):
        return self.call("DeleteSandbox", id=id)

    def set_timeout(self, id, timeout_s):
        return self.call("SetTimeout", id=id, timeout_s=timeout_s)

    def exec(self, id, argv, **kw):
        """ExecEvent messages: stdout/stderr chunks, then exit."""
        return self.stream("Exec", id=id, argv=argv, **kw)

    def exec_interactive(self, id, argv, inputs=(), **kw):
        """ExecInteractive: @inputs yields bytes (stdin) or ExecInput
        messages (pb.ExecInput(close_stdin=True)); its end closes stdin.
        Returns the iterator of ExecEvent (cancel() stops it)."""
        def gen():
            yield pb.ExecInput(start=pb.ExecRequest(id=id, argv=argv, **kw))
            for x in inputs:
                yield pb.ExecInput(stdin=x) if isinstance(x, (bytes, bytearray)) else x
        return self._stub("ExecInteractive")(gen(), metadata=self.metadata(),
                                             timeout=self.timeout)

    def exec_blocking(self, id, argv, **kw):
        return self.call("ExecBlocking", id=id, argv=argv, **kw)

    def run(self, argv, pool="default", **kw):
        return self.call("Run", pool=pool, argv=argv, **kw)

    def run_stream(self, argv, pool="default", **kw):
        """RunStream: ExecEvent messages of a run in a fresh warm sandbox."""
        return self.stream("RunStream", pool=pool, argv=argv, **kw)

    def put_file(self, id, path, data, mode=0):
        return self.call("PutFile", id=id, path=path, data=data, mode=mode)

    def get_file(self, id, path):
        return self.call("GetFile", id=id, path=path).data

    def list_files(self, id, path):
        return list(self.call("ListFiles", id=id, path=path).entries)

    def delete_file(self, id, path):
        return self.call("DeleteFile", id=id, path=path)

    def create_snapshot(self, sandbox, stop=False, ttl_seconds=0, labels=None, compress=False):
        """ttl_seconds 0: the server's default; RESOURCE_EXHAUSTED at a limit."""
        return self.call("CreateSnapshot", sandbox=sandbox, stop=stop, compress=compress,
                         ttl_seconds=ttl_seconds, labels=labels or {})

    def list_snapshots(self, label=None):
        """label "KEY=VALUE": only the snapshots with that label."""
        return self.call("ListSnapshots", label=label or "").snapshots

    def get_snapshot(self, id):
        return self.call("GetSnapshot", id=id)

    def delete_snapshot(self, id):
        return self.call("DeleteSnapshot", id=id)
