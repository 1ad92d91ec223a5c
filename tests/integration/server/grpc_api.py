#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""grpc_api.py CVISORD [PLATFORM]

A real cvisord on random loopback ports with a busybox pool, driven by the
Python grpcio client (clients/python/cvisor_grpc.py): every RPC, auth
failures, malformed protobuf, oversized messages, unknown pool/sandbox,
wrong states, a several-MB stream compared byte for byte with the same
program run natively (stdout/stderr separate, in order), a cancelled
stream, concurrent runs, then SIGTERM (exit 0, no sandbox left).
Exit 77 (skip) when grpcio is missing.
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

cvisord = os.path.abspath(sys.argv[1])
platform = sys.argv[2] if len(sys.argv) > 2 else "systrap"
tmp = tempfile.mkdtemp(prefix="cvgrpc.")
os.environ["CVISOR_PROTO"] = os.path.join(ROOT, "api", "cvisor.proto")
os.environ["CVISOR_PB2_DIR"] = os.path.join(tmp, "pb2")
import cvisor_grpc  # noqa: E402

pb = cvisor_grpc.pb
SC = grpc.StatusCode
failures = []
proc = None


def ok(msg):
    print("ok:", msg, flush=True)


def bad(msg):
    print("FAIL:", msg, flush=True)
    failures.append(msg)


def check(cond, msg):
    (ok if cond else bad)(msg)
    return cond


def expect_code(code, msg, fn, *a, **kw):
    """The call fails with @code; returns the error."""
    try:
        r = fn(*a, **kw)
        if hasattr(r, "__next__"):
            r = list(r)
    except grpc.RpcError as e:
        if e.code() == code:
            ok("%s -> %s (%s)" % (msg, code.name, e.details()))
        else:
            bad("%s: got %s (%s), want %s" % (msg, e.code().name, e.details(), code.name))
        return e
    bad("%s: succeeded, want %s: %r" % (msg, code.name, r))
    return None


def proc_counts(pid):
    """(open fds, threads, RSS kB) of a process."""
    fds = len(os.listdir("/proc/%d/fd" % pid))
    threads = len(os.listdir("/proc/%d/task" % pid))
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return fds, threads, rss


def wait_up(client):
    """The server answers on the client's channel (reconnects wait for it)."""
    t0 = time.time()
    try:
        grpc.channel_ready_future(client.channel).result(timeout=60)
        client.call("Health", rpc_timeout=30)
    except (grpc.RpcError, grpc.FutureTimeoutError) as e:
        raise SystemExit("cvisord never answered Health: %r\n%s"
                         % (e, open(os.path.join(tmp, "log")).read()))
    print("up after %.2f s" % (time.time() - t0))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def sentries(state):
    """Host processes still holding the state dir's sockets (cvisor boot)."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if state.encode() in cmd:
            n += 1
    return n


def main():
    global proc
    rootfs = os.path.join(tmp, "rootfs")
    state = os.path.join(tmp, "state")
    subprocess.run(["sh", os.path.join(ROOT, "scripts", "make-busybox-rootfs.sh"), rootfs],
                   check=True, stdout=subprocess.DEVNULL)
    token = "tok-" + os.urandom(16).hex()
    gport, rport = free_port(), free_port()
    cfg = os.path.join(tmp, "cfg.json")
    inflight = max(12, int(os.environ.get("LOAD_P", "8")) + 4)
    with open(cfg, "w") as f:
        f.write('{"limits": {"max_file_bytes": 1048576, "max_stdin_bytes": 65536, '
                '"max_inflight": %d, "max_output_bytes": 7340032}}' % inflight)
    env = dict(os.environ, CVISOR_TOKEN=token)
    log = open(os.path.join(tmp, "log"), "w")
    proc = subprocess.Popen([cvisord, "--rest", "127.0.0.1:%d" % rport,
                             "--grpc", "127.0.0.1:%d" % gport, "--config", cfg,
                             "--state-dir", state, "--default-rootfs", rootfs,
                             "--min-ready", "2", "--platform", platform],
                            env=env, stdout=log, stderr=log)
    target = "127.0.0.1:%d" % gport
    c = cvisor_grpc.Client(target, token=token)
    anon = cvisor_grpc.Client(target, token="")
    wrong = cvisor_grpc.Client(target, token="tok-" + "0" * 32)

    # --- health and auth ---
    wait_up(anon)
    h = anon.health()
    check(h.status == "ok", "Health without a token")
    expect_code(SC.UNAUTHENTICATED, "ListPools without a token", anon.list_pools)
    expect_code(SC.UNAUTHENTICATED, "ListPools with a wrong token", wrong.list_pools)
    expect_code(SC.UNAUTHENTICATED, "Run with a wrong token", wrong.run, ["echo", "hi"])
    basic = grpc.insecure_channel(target).unary_unary(
        "/cvisor.v1.Sandboxes/ListPools", request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=pb.ListPoolsResponse.FromString)
    expect_code(SC.UNAUTHENTICATED, "Basic instead of Bearer", basic, pb.ListPoolsRequest(),
                metadata=[("authorization", "Basic " + token)])

    # --- pools ---
    p = c.create_pool("bb", rootfs, min_ready=1, max_total=4)
    check(p.name == "bb" and p.rootfs == rootfs and p.min_ready == 1 and p.max_total == 4,
          "CreatePool bb")
    expect_code(SC.ALREADY_EXISTS, "CreatePool twice", c.create_pool, "bb", rootfs)
    expect_code(SC.INVALID_ARGUMENT, "CreatePool bad name", c.create_pool, "BAD NAME", rootfs)
    expect_code(SC.INVALID_ARGUMENT, "CreatePool relative rootfs", c.create_pool, "x", "rel")
    expect_code(SC.INVALID_ARGUMENT, "CreatePool missing rootfs", c.create_pool, "x",
                os.path.join(tmp, "nope"))
    expect_code(SC.INVALID_ARGUMENT, "CreatePool min_ready > max_total", c.create_pool, "y",
                rootfs, min_ready=5, max_total=2)
    expect_code(SC.INVALID_ARGUMENT, "CreatePool bad platform", c.create_pool, "z", rootfs,
                platform="vax")
    for _ in range(300):
        p = c.get_pool("bb")
        if p.ready >= 1:
            break
        time.sleep(0.1)
    check(p.ready >= 1, "GetPool bb: ready %d" % p.ready)
    names = sorted(x.name for x in c.list_pools())
    check(names == ["bb", "default"], "ListPools: %s" % names)
    p = c.update_pool("bb", min_ready=2, idle_ttl=600)
    check(p.min_ready == 2 and p.idle_ttl == 600 and p.max_total == 4,
          "UpdatePool changes only the fields given")
    expect_code(SC.INVALID_ARGUMENT, "UpdatePool min_ready > max_total", c.update_pool, "bb",
                min_ready=9)
    expect_code(SC.NOT_FOUND, "UpdatePool unknown", c.update_pool, "nosuch", min_ready=1)
    expect_code(SC.NOT_FOUND, "GetPool unknown", c.get_pool, "nosuch")
    expect_code(SC.NOT_FOUND, "DeletePool unknown", c.delete_pool, "nosuch")

    # --- REST and gRPC agree (the same programs through both front ends) ---
    import json
    import urllib.error
    import urllib.request

    def rest_run(body):
        req = urllib.request.Request("http://127.0.0.1:%d/v1/run" % rport,
                                     data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + token})
        try:
            return 200, json.load(urllib.request.urlopen(req, timeout=60))
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)
    for argv, extra in ((["echo", "hi"], {}),
                        (["sh", "-c", "echo o; echo e >&2; exit 7"], {}),
                        (["sh", "-c", "pwd; id -u; echo $V"], {"cwd": "/tmp", "user": "1000",
                                                               "env": ["V=x"]}),
                        (["cat"], {"stdin": "piped"}),
                        (["sh", "-c", "kill -9 $$"], {})):
        code, rj = rest_run(dict(argv=argv, **extra))
        g = dict(extra)
        if "stdin" in g:
            g["stdin"] = g["stdin"].encode()
        gr = c.run(argv, **g)
        check(code == 200 and rj["exit_code"] == gr.exit_code and
              rj["stdout"].encode() == gr.stdout and rj["stderr"].encode() == gr.stderr and
              rj.get("signal", 0) == gr.signal,
              "REST and gRPC Run agree on %r (exit %d)" % (argv, gr.exit_code))
    for body, gkw, want in (({"argv": []}, {"argv": []}, SC.INVALID_ARGUMENT),
                            ({"argv": ["true"], "pool": "nosuch"},
                             {"argv": ["true"], "pool": "nosuch"}, SC.NOT_FOUND),
                            ({"argv": ["true"], "cwd": "rel"}, {"argv": ["true"], "cwd": "rel"},
                             SC.INVALID_ARGUMENT)):
        code, rj = rest_run(body)
        e = expect_code(want, "gRPC for REST %d %s" % (code, rj.get("detail", "")), c.call,
                        "Run", **gkw)
        check(e is not None and e.details() == rj.get("detail"),
              "the same detail over both: %r" % rj.get("detail"))

    # --- run ---
    r = c.run(["echo", "hi"])
    check(r.exit_code == 0 and r.stdout == b"hi\n" and r.stderr == b"",
          "Run echo hi (default pool): %r" % r)
    r = c.run(["echo", "hi"], pool="bb")
    check(r.exit_code == 0 and r.stdout == b"hi\n", "Run echo hi in bb")
    script = "echo out; echo err >&2; printf '%s' \"$X\"; pwd; exit 3"
    native = subprocess.run(["/bin/busybox", "sh", "-c", script], capture_output=True,
                            env={"X": "val"}, cwd="/tmp")
    r = c.run(["sh", "-c", script], env=["X=val"], cwd="/tmp")
    check(r.exit_code == 3 == native.returncode and r.stdout == native.stdout and
          r.stderr == native.stderr, "Run matches native busybox: %r" % r)
    r = c.run(["cat"], stdin=b"\x00\x01binary\xff")
    check(r.stdout == b"\x00\x01binary\xff", "Run stdin -> stdout, binary intact")
    r = c.run(["id", "-u"], user="1000:1000")
    check(r.stdout == b"1000\n", "Run as user 1000: %r" % r.stdout)
    r = c.run(["sleep", "5"], timeout_ms=300)
    check(r.timed_out and r.signal == 9, "Run timeout_ms kills: %r" % r)
    evs = list(c.run_stream(["sh", "-c", "echo a; echo b >&2; echo c; exit 4"]))
    kinds = [e.WhichOneof("event") for e in evs]
    check(b"".join(e.stdout for e in evs if kinds[evs.index(e)] == "stdout") == b"a\nc\n" and
          b"".join(e.stderr for e in evs if kinds[evs.index(e)] == "stderr") == b"b\n" and
          kinds[-1] == "exit" and evs[-1].exit.exit_code == 4, "RunStream: %s" % kinds)
    expect_code(SC.NOT_FOUND, "RunStream in an unknown pool", c.run_stream, ["echo"],
                pool="nosuch")
    expect_code(SC.NOT_FOUND, "Run in an unknown pool", c.run, ["echo"], pool="nosuch")
    expect_code(SC.INVALID_ARGUMENT, "Run without argv", c.run, [])
    expect_code(SC.INVALID_ARGUMENT, "Run with a relative cwd", c.run, ["true"], cwd="tmp")
    expect_code(SC.INVALID_ARGUMENT, "Run with env without '='", c.run, ["true"], env=["X"])
    expect_code(SC.INVALID_ARGUMENT, "Run with a bad user", c.run, ["true"], user="bob")
    expect_code(SC.RESOURCE_EXHAUSTED, "Run with stdin over max_stdin", c.run, ["cat"],
                stdin=b"x" * 70000)
    try:
        r = c.run(["/no/such/program"])
        check(r.exit_code == 127, "missing program -> exit %d" % r.exit_code)
    except grpc.RpcError as e:
        check(e.code() == SC.INVALID_ARGUMENT, "missing program -> %s" % e.code().name)

    # --- sandboxes ---
    sb = c.create_sandbox("bb", labels={"job": "grpc-test"}, timeout_s=120)
    check(sb.state == "running" and sb.pool == "bb" and dict(sb.labels) == {"job": "grpc-test"}
          and sb.host_pid > 0, "CreateSandbox: %s" % sb.id)
    sb2 = c.create_sandbox("bb", labels={"job": "other"})
    g = c.get_sandbox(sb.id)
    check(g.id == sb.id and g.expires_ms == sb.expires_ms, "GetSandbox")
    lst = c.list_sandboxes(label="job=grpc-test")
    check([x.id for x in lst.sandboxes] == [sb.id], "ListSandboxes by label")
    ids = sorted([sb.id, sb2.id])
    p1 = c.list_sandboxes(page_size=1)
    p2 = c.list_sandboxes(page_size=1, page_token=p1.next_page_token)
    check([x.id for x in p1.sandboxes] + [x.id for x in p2.sandboxes] == ids and
          p1.next_page_token, "ListSandboxes paginated")
    check(len(c.list_sandboxes(state="ended").sandboxes) == 0, "ListSandboxes state=ended")
    expect_code(SC.INVALID_ARGUMENT, "ListSandboxes bad state", c.list_sandboxes, state="x")
    expect_code(SC.INVALID_ARGUMENT, "ListSandboxes bad label", c.list_sandboxes, label="x")
    t = c.set_timeout(sb.id, 600)
    check(t.expires_ms > sb.expires_ms, "SetTimeout extends the lease")
    expect_code(SC.INVALID_ARGUMENT, "SetTimeout 0", c.set_timeout, sb.id, 0)
    expect_code(SC.NOT_FOUND, "SetTimeout unknown", c.set_timeout, "0" * 16, 10)
    expect_code(SC.INVALID_ARGUMENT, "CreateSandbox label key with '='", c.create_sandbox,
                "bb", labels={"a=b": "c"})
    expect_code(SC.NOT_FOUND, "CreateSandbox unknown pool", c.create_sandbox, "nosuch")
    adhoc = c.call("CreateSandbox", rootfs=rootfs, timeout_s=60)
    r = c.exec_blocking(adhoc.id, ["echo", "adhoc"])
    check(adhoc.pool == "_adhoc" and r.stdout == b"adhoc\n", "CreateSandbox from a rootfs path")
    c.delete_sandbox(adhoc.id)
    expect_code(SC.INVALID_ARGUMENT, "CreateSandbox rootfs and pool", c.call, "CreateSandbox",
                rootfs=rootfs, pool="bb")
    expect_code(SC.INVALID_ARGUMENT, "CreateSandbox relative rootfs", c.call, "CreateSandbox",
                rootfs="rel")
    expect_code(SC.INVALID_ARGUMENT, "CreateSandbox rootfs not a dir", c.call, "CreateSandbox",
                rootfs="/etc/passwd")

    # --- snapshots (no file written before the snapshot: files in the
    # overlay may make the runtime refuse) ---
    src = c.call("CreateSandbox", pool="default", timeout_s=300)
    r = c.exec_blocking(src.id, ["sh", "-c",
                                 "sleep 100000 </dev/null >/dev/null 2>&1 & p=$!; i=0; "
                                 "until grep -q ^sleep /proc/$p/cmdline 2>/dev/null; do "
                                 "i=$((i+1)); [ $i -gt 300 ] && break; sleep 0.1; done; echo $p"])
    spid = r.stdout.decode().strip()
    check(r.exit_code == 0 and spid.isdigit(), "a long-lived process in the source: %s" % spid)
    snap = c.call("CreateSnapshot", sandbox=src.id)
    check(len(snap.id) == 16 and snap.sandbox == src.id and snap.pool == "default" and
          snap.size_bytes > 0 and snap.created_at > 0, "CreateSnapshot: %s" % snap)
    r = c.exec_blocking(src.id, ["sh", "-c", "kill -0 %s && echo alive" % spid])
    check(r.stdout == b"alive\n", "the source keeps running after CreateSnapshot")
    got = c.call("GetSnapshot", id=snap.id)
    check(got == snap, "GetSnapshot")
    check(snap.id in [x.id for x in c.call("ListSnapshots").snapshots], "ListSnapshots")
    rest_sb = c.call("CreateSandbox", snapshot=snap.id, timeout_s=300)
    check(rest_sb.id != src.id, "CreateSandbox from a snapshot")
    r = c.exec_blocking(rest_sb.id, ["sh", "-c", "kill -0 %s && echo alive; echo ok" % spid])
    check(r.exit_code == 0 and r.stdout == b"alive\nok\n",
          "the restored sandbox runs the snapshot's process and execs: %r" % r.stdout)
    snapz = c.call("CreateSnapshot", sandbox=src.id, compress=True)
    zsb = c.call("CreateSandbox", snapshot=snapz.id, timeout_s=300)
    r = c.exec_blocking(zsb.id, ["sh", "-c", "kill -0 %s && echo alive" % spid])
    check(r.stdout == b"alive\n" and snapz.size_bytes < snap.size_bytes,
          "a compressed snapshot (%d bytes against %d) restores: %r" %
          (snapz.size_bytes, snap.size_bytes, r.stdout))
    c.delete_sandbox(zsb.id)
    c.call("DeleteSnapshot", id=snapz.id)
    expect_code(SC.NOT_FOUND, "CreateSnapshot unknown sandbox", c.call, "CreateSnapshot",
                sandbox="f" * 16)
    expect_code(SC.NOT_FOUND, "GetSnapshot unknown", c.call, "GetSnapshot", id="0" * 16)
    expect_code(SC.NOT_FOUND, "GetSnapshot with a path", c.call, "GetSnapshot", id="../x")
    expect_code(SC.NOT_FOUND, "CreateSandbox unknown snapshot", c.call, "CreateSandbox",
                snapshot="0" * 16)
    expect_code(SC.INVALID_ARGUMENT, "CreateSandbox snapshot and pool", c.call,
                "CreateSandbox", snapshot=snap.id, pool="bb")
    # something checkpoint cannot save (an open file whose name was
    # removed): the runtime refuses, the sandbox goes on (wait until the
    # holder runs: the exec returns before it does)
    r = c.exec_blocking(rest_sb.id, ["sh", "-c",
                                     "sh -c 'exec 3>/tmp/gone; rm /tmp/gone; exec sleep 100000' "
                                     "</dev/null >/dev/null 2>&1 & p=$!; i=0; "
                                     "until [ -e /proc/$p/fd/3 ] && [ ! -e /tmp/gone ] && "
                                     "grep -q ^sleep /proc/$p/cmdline 2>/dev/null; do "
                                     "i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.1; done"])
    check(r.exit_code == 0, "a process holding an unlinked file")
    expect_code(SC.FAILED_PRECONDITION, "CreateSnapshot of a sandbox with an unlinked open file",
                c.call, "CreateSnapshot", sandbox=rest_sb.id)
    r = c.exec_blocking(rest_sb.id, ["echo", "still"])
    check(r.stdout == b"still\n", "the refused sandbox goes on")
    stop = c.call("CreateSnapshot", sandbox=src.id, stop=True)
    expect_code(SC.NOT_FOUND, "CreateSnapshot stop=true ends the sandbox", c.get_sandbox,
                src.id)
    c.call("DeleteSnapshot", id=snap.id)
    c.call("DeleteSnapshot", id=snap.id)
    c.call("DeleteSnapshot", id=stop.id)
    expect_code(SC.NOT_FOUND, "GetSnapshot after DeleteSnapshot", c.call, "GetSnapshot",
                id=snap.id)
    check(not c.call("ListSnapshots").snapshots, "ListSnapshots empty after DeleteSnapshot")
    c.delete_sandbox(rest_sb.id)

    # --- exec ---
    r = c.exec_blocking(sb.id, ["sh", "-c", "echo hi; echo there >&2"])
    check(r.exit_code == 0 and r.stdout == b"hi\n" and r.stderr == b"there\n",
          "ExecBlocking stdout/stderr separate")
    c.exec_blocking(sb.id, ["sh", "-c", "echo state > /tmp/kept"])
    r = c.exec_blocking(sb.id, ["cat", "/tmp/kept"])
    check(r.stdout == b"state\n", "ExecBlocking: state kept between execs of a lease")
    expect_code(SC.NOT_FOUND, "ExecBlocking unknown sandbox", c.exec_blocking, "f" * 16,
                ["true"])
    expect_code(SC.NOT_FOUND, "Exec unknown sandbox", c.exec, "f" * 16, ["true"])
    expect_code(SC.INVALID_ARGUMENT, "Exec without argv", c.exec, sb.id, [])

    # Several MB in many writes: chunk i of stdout is 256 KiB of digit i%10,
    # stderr gets one line per chunk.  Compared with the native bytes.
    gen = ('i=0; while [ $i -lt 24 ]; do head -c 262144 /dev/zero | tr "\\0" "$((i % 10))"; '
           'echo "e$i" >&2; i=$((i+1)); done; echo done >&2')
    nat = subprocess.run(["/bin/busybox", "sh", "-c", gen], capture_output=True)
    out, err, kinds = [], [], []
    for ev in c.exec(sb.id, ["sh", "-c", gen], timeout_ms=120000):
        k = ev.WhichOneof("event")
        kinds.append(k)
        if k == "stdout":
            out.append(ev.stdout)
        elif k == "stderr":
            err.append(ev.stderr)
        else:
            ex = ev.exit
    check(kinds[-1] == "exit" and kinds.count("exit") == 1, "Exec stream ends with one exit")
    check(ex.exit_code == 0 and not ex.truncated, "Exec exit event: %r" % ex)
    check(b"".join(out) == nat.stdout and len(nat.stdout) == 24 * 262144,
          "Exec stream: %d stdout bytes whole and in order (%d chunks)"
          % (len(b"".join(out)), len(out)))
    check(b"".join(err) == nat.stderr, "Exec stream: stderr separate and whole")
    check(len(kinds) > 24, "Exec stream: %d events" % len(kinds))
    # The same through ExecBlocking.
    r = c.exec_blocking(sb.id, ["sh", "-c", gen], timeout_ms=120000)
    check(r.stdout == nat.stdout and r.stderr == nat.stderr and not r.truncated,
          "ExecBlocking several MB equal to native")

    # --- ExecInteractive: stdin streamed from the client ---
    evs = list(c.exec_interactive(sb.id, ["cat"], [b"a\n", b"\x00b\n"], stdin=b"0\n"))
    got = b"".join(e.stdout for e in evs if e.WhichOneof("event") == "stdout")
    check(got == b"0\na\n\x00b\n" and evs[-1].exit.exit_code == 0,
          "ExecInteractive cat: initial stdin + chunks, raw bytes: %r" % got)
    import queue
    q = queue.Queue()

    def feeder():
        while True:
            x = q.get()
            if x is None:
                return
            yield x
    it = c.exec_interactive(sb.id, ["sh", "-c", "read x; echo got-$x; read y; echo got-$y >&2; "
                                    "cat; echo after-eof"], feeder())
    q.put(b"hello\n")
    e1 = next(it)
    check(e1.WhichOneof("event") == "stdout" and e1.stdout == b"got-hello\n",
          "ExecInteractive: a reply before the next line is sent")
    q.put(b"world\n")
    e2 = next(it)
    check(e2.WhichOneof("event") == "stderr" and e2.stderr == b"got-world\n",
          "ExecInteractive: second round trip on stderr")
    q.put(pb.ExecInput(close_stdin=True))
    rest = []
    for e in it:
        rest.append(e)
        if e.WhichOneof("event") == "exit":
            q.put(None)
    check(b"".join(e.stdout for e in rest if e.WhichOneof("event") == "stdout") ==
          b"after-eof\n" and rest[-1].exit.exit_code == 0,
          "ExecInteractive: close_stdin -> EOF while the call stays open")

    # --- tty: a host pty as stdio, made the Sentry's terminal ---
    tty_sh = ["sh", "-c", "tty; test -t 0 && echo isatty; stty size; echo err >&2"]

    def tty_ok(out):
        return b"/dev/pts/" in out and b"\r\nisatty\r\n24 80\r\nerr\r\n" in out

    r = c.run(tty_sh, tty=True, rows=24, cols=80)
    check(tty_ok(r.stdout) and r.stderr == b"" and r.exit_code == 0,
          "Run tty: /dev/pts/N, isatty, 24 80, stderr merged, \\r\\n: %r" % r)
    r = c.run(tty_sh)
    check(b"not a tty" in r.stdout and b"isatty" not in r.stdout, "Run without tty: %r" % r)
    r = c.exec_blocking(sb.id, ["stty", "size"], tty=True, rows=50, cols=132)
    check(r.stdout == b"50 132\r\n", "ExecBlocking tty 50x132: %r" % r.stdout)
    for name, fn, a0 in (("Exec", c.exec, (sb.id,)), ("RunStream", c.run_stream, ())):
        evs = list(fn(*a0, tty_sh, tty=True))
        kinds = [e.WhichOneof("event") for e in evs]
        out = b"".join(e.stdout for e in evs if e.WhichOneof("event") == "stdout")
        check(tty_ok(out) and "stderr" not in kinds and evs[-1].exit.exit_code == 0,
              "%s tty: %r %s" % (name, out, kinds))
    expect_code(SC.INVALID_ARGUMENT, "Run rows without tty", c.run, ["true"], rows=24)
    q = queue.Queue()
    it = c.exec_interactive(sb.id, ["sh", "-c", "test -t 0 && read x; echo got-$x; cat; "
                                    "echo after-eof"], feeder(), tty=True)
    q.put(b"hello\n")
    got, closed = b"", False
    for e in it:
        if e.WhichOneof("event") == "exit":
            q.put(None)
            break
        got += e.stdout
        if b"got-hello\r\n" in got and not closed:
            closed = True
            q.put(pb.ExecInput(close_stdin=True))
    check(b"got-hello\r\n" in got and got.endswith(b"after-eof\r\n") and
          e.exit.exit_code == 0 and not e.exit.timed_out,
          "ExecInteractive tty: a round trip, close_stdin -> VEOF: %r" % got)
    ss = c.channel.stream_stream("/cvisor.v1.Sandboxes/ExecInteractive",
                                 request_serializer=lambda m: m.SerializeToString(),
                                 response_deserializer=pb.ExecEvent.FromString)
    expect_code(SC.INVALID_ARGUMENT, "ExecInteractive without start", ss,
                iter([pb.ExecInput(stdin=b"x")]), metadata=c.metadata(), timeout=10)
    expect_code(SC.INVALID_ARGUMENT, "ExecInteractive empty", ss, iter([]),
                metadata=c.metadata(), timeout=10)
    expect_code(SC.INVALID_ARGUMENT, "ExecInteractive start twice", ss,
                iter([pb.ExecInput(start=pb.ExecRequest(id=sb.id, argv=["cat"])),
                      pb.ExecInput(start=pb.ExecRequest(id=sb.id, argv=["cat"]))]),
                metadata=c.metadata(), timeout=10)
    expect_code(SC.NOT_FOUND, "ExecInteractive unknown sandbox", ss,
                iter([pb.ExecInput(start=pb.ExecRequest(id="0" * 16, argv=["cat"]))]),
                metadata=c.metadata(), timeout=10)
    rawss = c.channel.stream_stream("/cvisor.v1.Sandboxes/ExecInteractive",
                                    request_serializer=lambda b: b,
                                    response_deserializer=lambda b: b)
    expect_code(SC.INVALID_ARGUMENT, "ExecInteractive malformed", rawss,
                iter([b"\xff\xff\xff"]), metadata=c.metadata(), timeout=10)
    expect_code(SC.UNAUTHENTICATED, "ExecInteractive without a token", anon.exec_interactive,
                sb.id, ["cat"])
    it = c.exec_interactive(sb.id, ["sh", "-c", "while :; do echo y; done"], feeder())
    next(it)
    it.cancel()
    q.put(None)
    r = c.exec_blocking(sb.id, ["echo", "after-cancel"])
    check(r.stdout == b"after-cancel\n", "ExecInteractive cancelled; the sandbox serves")

    # Output caps and timeouts, blocking and streamed.
    big = ["sh", "-c", "head -c 8388608 /dev/zero; echo e >&2"]
    r = c.exec_blocking(sb.id, big, timeout_ms=60000)
    check(r.truncated and len(r.stdout) == 7340032 and r.stderr == b"e\n" and r.exit_code == 0,
          "ExecBlocking over max_output: truncated at the cap (%d bytes)" % len(r.stdout))
    evs = list(c.exec(sb.id, big, timeout_ms=60000))
    n_out = sum(len(e.stdout) for e in evs if e.WhichOneof("event") == "stdout")
    check(evs[-1].exit.truncated and n_out == 7340032, "Exec over max_output: truncated (%d)" % n_out)
    evs = list(c.exec(sb.id, ["sh", "-c", "echo before; sleep 5"], timeout_ms=400))
    check(evs[-1].exit.timed_out and evs[-1].exit.signal == 9 and
          evs[0].stdout == b"before\n", "Exec timeout_ms: killed, timed_out in the exit event")
    evs = list(c.exec_interactive(sb.id, ["sleep", "5"], timeout_ms=400))
    check(evs[-1].exit.timed_out and evs[-1].exit.signal == 9, "ExecInteractive timeout_ms")

    # A background child keeping the outputs open: the process's exit ends it.
    for name, fn in (("Exec", c.exec), ("ExecInteractive", c.exec_interactive)):
        t0 = time.time()
        evs = list(fn(sb.id, ["sh", "-c", "sleep 20 & echo started"], timeout_ms=30000))
        check(evs[-1].WhichOneof("event") == "exit" and evs[-1].exit.exit_code == 0 and
              time.time() - t0 < 10, "%s: a background child does not hold the call (%.1f s)"
              % (name, time.time() - t0))
    c.exec_blocking(sb.id, ["sh", "-c", "kill $(pidof sleep) 2>/dev/null; true"])

    # The client's deadline bounds the process.
    expect_code(SC.DEADLINE_EXCEEDED, "ExecBlocking past the client's deadline", c.call,
                "ExecBlocking", id=sb.id, argv=["sleep", "30"], rpc_timeout=1.5)
    time.sleep(1.5)
    r = c.exec_blocking(sb.id, ["sh", "-c", "pidof sleep || echo none"])
    check(r.stdout == b"none\n", "the process died with the client's deadline: %r" % r.stdout)

    # A cancelled stream: the process is killed, the sandbox and server live on.
    it = c.exec(sb.id, ["sh", "-c", "while :; do echo y; done"])
    first = next(it)
    it.cancel()
    check(first.WhichOneof("event") == "stdout", "Exec cancel after the first chunk")
    r = c.exec_blocking(sb.id, ["echo", "after-cancel"])
    check(r.stdout == b"after-cancel\n", "the sandbox still serves after a cancelled stream")

    # --- files ---
    blob = bytes(range(256)) * 64
    c.put_file(sb.id, "/tmp/blob.bin", blob, mode=0o600)
    check(c.get_file(sb.id, "/tmp/blob.bin") == blob, "PutFile/GetFile binary round trip")
    r = c.exec_blocking(sb.id, ["md5sum", "/tmp/blob.bin"])
    import hashlib
    check(r.stdout.split()[0].decode() == hashlib.md5(blob).hexdigest(),
          "the app sees the file written over gRPC")
    ents = {e.name: e for e in c.list_files(sb.id, "/tmp")}
    check("blob.bin" in ents and ents["blob.bin"].type == "file" and
          ents["blob.bin"].size == len(blob) and ents["blob.bin"].mode == 0o600,
          "ListFiles /tmp")
    c.exec_blocking(sb.id, ["sh", "-c", "echo from-app > /tmp/app.txt"])
    check(c.get_file(sb.id, "/tmp/app.txt") == b"from-app\n", "GetFile of a file the app wrote")
    c.delete_file(sb.id, "/tmp/blob.bin")
    expect_code(SC.NOT_FOUND, "GetFile after DeleteFile", c.get_file, sb.id, "/tmp/blob.bin")
    expect_code(SC.NOT_FOUND, "DeleteFile missing", c.delete_file, sb.id, "/tmp/blob.bin")
    expect_code(SC.NOT_FOUND, "ListFiles missing dir", c.list_files, sb.id, "/nodir")
    expect_code(SC.INVALID_ARGUMENT, "PutFile relative path", c.put_file, sb.id, "rel", b"x")
    expect_code(SC.INVALID_ARGUMENT, "PutFile bad mode", c.put_file, sb.id, "/tmp/m", b"x",
                mode=0o777777)
    expect_code(SC.NOT_FOUND, "PutFile unknown sandbox", c.put_file, "0" * 16, "/tmp/x", b"x")
    expect_code(SC.RESOURCE_EXHAUSTED, "PutFile over the message limit", c.put_file, sb.id,
                "/tmp/big", b"x" * (2 << 20))
    expect_code(SC.RESOURCE_EXHAUSTED, "PutFile over max_file", c.put_file, sb.id,
                "/tmp/big", b"x" * ((1 << 20) + 1000))

    # --- malformed protobuf, unknown methods ---
    for m in ("Run", "GetPool", "CreatePool", "Exec", "PutFile", "ListSandboxes"):
        path = "/cvisor.v1.Sandboxes/" + m
        raw = (c.channel.unary_stream if m == "Exec" else c.channel.unary_unary)(
            path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
        expect_code(SC.INVALID_ARGUMENT, "malformed %s" % m, raw, b"\xff\xff\xff\xff\x0f",
                    metadata=c.metadata(), timeout=10)
    raw = c.channel.unary_unary("/cvisor.v1.Sandboxes/Run", request_serializer=lambda b: b,
                                response_deserializer=lambda b: b)
    # field 2 (argv) declared 1 GB long
    expect_code(SC.INVALID_ARGUMENT, "truncated length-delimited field", raw,
                b"\x12\x80\x80\x80\x80\x04abc", metadata=c.metadata(), timeout=10)
    # a wrong wire type for pool (varint instead of string)
    expect_code(SC.INVALID_ARGUMENT, "wrong wire type", raw, b"\x08\x01",
                metadata=c.metadata(), timeout=10)
    # invalid UTF-8 in a string field
    expect_code(SC.INVALID_ARGUMENT, "invalid UTF-8 argv", raw, b"\x12\x02\xff\xfe",
                metadata=c.metadata(), timeout=10)
    nope = c.channel.unary_unary("/cvisor.v1.Sandboxes/Nope", request_serializer=lambda b: b,
                                 response_deserializer=lambda b: b)
    expect_code(SC.UNIMPLEMENTED, "unknown method", nope, b"", metadata=c.metadata(),
                timeout=10)

    # --- random garbage to every method: a status each, never a crash ---
    import random
    rnd = random.Random(7)
    codes = set()
    for i in range(300):
        m = rnd.choice(sorted(c.methods))
        raw = (c.channel.unary_stream if m == "Exec" else c.channel.unary_unary)(
            "/cvisor.v1.Sandboxes/" + m, request_serializer=lambda b: b,
            response_deserializer=lambda b: b)
        body = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 64)))
        try:
            r = raw(body, metadata=c.metadata(), timeout=20)
            if m == "Exec":
                list(r)
            codes.add("OK")
        except grpc.RpcError as e:
            codes.add(e.code().name)
    check(proc.poll() is None and "UNKNOWN" not in codes and "DEADLINE_EXCEEDED" not in codes,
          "300 random requests: %s, cvisord alive" % sorted(codes))
    for x in c.list_sandboxes().sandboxes:  # garbage may have leased some
        if x.id not in (sb.id, sb2.id):
            c.delete_sandbox(x.id)
    for x in c.list_pools():
        if x.name not in ("bb", "default"):
            c.delete_pool(x.name)

    # --- delete ---
    c.delete_sandbox(sb.id)
    expect_code(SC.NOT_FOUND, "GetSandbox after DeleteSandbox", c.get_sandbox, sb.id)
    c.delete_sandbox(sb.id)
    ok("DeleteSandbox is idempotent")
    expect_code(SC.NOT_FOUND, "ExecBlocking after DeleteSandbox", c.exec_blocking, sb.id,
                ["true"])
    c.delete_sandbox(sb2.id)
    c.delete_pool("bb")
    expect_code(SC.NOT_FOUND, "GetPool after DeletePool", c.get_pool, "bb")

    # --- pool full, cold pool, lease deadline ---
    c.create_pool("one", rootfs, min_ready=1, max_total=1)
    for _ in range(300):
        if c.get_pool("one").ready >= 1:
            break
        time.sleep(0.1)
    one = c.create_sandbox("one")
    e = expect_code(SC.RESOURCE_EXHAUSTED, "Run in a full pool", c.run, ["true"], pool="one")
    check(e is not None and ("retry-after", "1") in tuple(e.trailing_metadata() or ()),
          "retry-after trailer")
    c.delete_sandbox(one.id)
    c.delete_pool("one")
    c.create_pool("cold", rootfs, min_ready=0)
    expect_code(SC.UNAVAILABLE, "no warm sandbox in time", c.create_sandbox, "cold",
                acquire_timeout_ms=1)
    c.delete_pool("cold")
    short = c.create_sandbox("default", timeout_s=1)
    time.sleep(2)
    expect_code(SC.NOT_FOUND, "lease reaped at its deadline", c.get_sandbox, short.id)

    # --- a Sentry killed mid-request ---
    for blocking in (True, False):
        victim = c.create_sandbox("default")
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            if blocking:
                fut = ex.submit(c.exec_blocking, victim.id, ["sleep", "30"])
            else:
                fut = ex.submit(lambda: list(c.exec(victim.id, ["sh", "-c", "echo x; sleep 30"])))
            time.sleep(0.7)
            os.kill(victim.host_pid, signal.SIGKILL)
            t0 = time.time()
            expect_code(SC.UNAVAILABLE, "Sentry killed during %s" %
                        ("ExecBlocking" if blocking else "Exec"), fut.result)
            check(time.time() - t0 < 10, "a clean error at once (%.1f s)" % (time.time() - t0))
    expect_code(SC.NOT_FOUND, "the dead sandbox's lease is gone", c.get_sandbox, victim.id)
    for _ in range(300):
        if c.get_pool("default").ready >= 2:
            break
        time.sleep(0.1)
    p = c.get_pool("default")
    check(p.ready >= 2 and p.failures.died >= 1, "default pool refilled (ready %d, died %d)"
          % (p.ready, p.failures.died))

    # --- concurrency bound: max_inflight workers ---
    def slow(i):
        try:
            return c.run(["sleep", "1"], timeout_ms=20000).exit_code
        except grpc.RpcError as e:
            return e.code().name
    with concurrent.futures.ThreadPoolExecutor(inflight + 8) as ex:
        res = list(ex.map(slow, range(inflight + 8)))
    check(set(res) <= {0, "UNAVAILABLE"} and res.count("UNAVAILABLE") >= 1 and res.count(0) >= 1,
          "%d concurrent slow Runs over max_inflight %d: %d ok, %d UNAVAILABLE"
          % (inflight + 8, inflight, res.count(0), res.count("UNAVAILABLE")))

    # --- load with leak counts ---
    def one_run(i):
        r = c.run(["echo", str(i)])
        return r.exit_code == 0 and r.stdout == b"%d\n" % i
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(one_run, range(16)))  # warm-up: channel, threads, allocator
    time.sleep(1)
    base = proc_counts(proc.pid)
    n_load = int(os.environ.get("LOAD_N", "300"))
    n_cli = int(os.environ.get("LOAD_P", "8"))
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(n_cli) as ex:
        res = list(ex.map(one_run, range(n_load)))
    dt = time.time() - t0
    check(all(res), "load: %d Runs from %d clients, %d failures, %.0f/s"
          % (n_load, n_cli, res.count(False), n_load / dt))
    sbl = c.create_sandbox("default")
    for i in range(30):
        evs = list(c.exec(sbl.id, ["sh", "-c", "echo %d; echo e >&2" % i]))
        if evs[-1].exit.exit_code != 0:
            bad("stream %d" % i)
    c.delete_sandbox(sbl.id)
    time.sleep(1.5)
    after = proc_counts(proc.pid)
    check(after[0] <= base[0] + 4 and after[1] <= base[1] + 2,
          "no fd/thread leak: fds %d -> %d, threads %d -> %d" % (base[0], after[0], base[1],
                                                                 after[1]))
    check(after[2] <= base[2] + 32 * 1024, "RSS %d -> %d kB" % (base[2], after[2]))

    # --- still serving, concurrently ---
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        res = list(ex.map(lambda i: c.run(["echo", str(i)]), range(32)))
    check(all(r.stdout == b"%d\n" % i and r.exit_code == 0 for i, r in enumerate(res)),
          "32 Runs from 8 threads after all the errors")
    check(c.health().ready, "Health ready at the end")
    import urllib.request
    req = urllib.request.Request("http://127.0.0.1:%d/metrics" % rport,
                                 headers={"Authorization": "Bearer " + token})
    met = urllib.request.urlopen(req, timeout=10).read().decode()
    for want in ('cvisor_grpc_calls_total{method="Run",code="OK"}',
                 'cvisor_grpc_calls_total{method="ListPools",code="UNAUTHENTICATED"}',
                 'cvisor_grpc_calls_total{method="Run",code="INVALID_ARGUMENT"}',
                 'cvisor_grpc_calls_total{method="unknown",code="UNIMPLEMENTED"}',
                 "cvisor_grpc_inflight 0"):
        check(want in met, "/metrics has %s" % want)
    check(proc.poll() is None, "cvisord still running")

    # --- the example script of clients/python ---
    ex = subprocess.run([sys.executable, os.path.join(ROOT, "clients", "python", "grpc_example.py"),
                         target], capture_output=True, timeout=120,
                        env=dict(os.environ, CVISOR_TOKEN=token))
    check(ex.returncode == 0 and b"run: exit 0, stdout b'hi\\n'" in ex.stdout and
          b"stdout: b'hello from the host\\n'" in ex.stdout and b"exit: 0" in ex.stdout,
          "clients/python/grpc_example.py: %r" % (ex.stdout + ex.stderr)[-300:])

    # --- SIGTERM: the call in flight is served to its end, new ones refused ---
    sbd = c.create_sandbox("default")
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        fut = ex.submit(c.exec_blocking, sbd.id, ["sh", "-c", "sleep 2; echo drained"])
        time.sleep(0.7)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        try:
            c.call("Run", argv=["true"], rpc_timeout=10)
            bad("a new call during the drain was served")
        except grpc.RpcError as e:
            check(e.code() == SC.UNAVAILABLE, "a new call during the drain -> %s" % e.code().name)
        try:
            r = fut.result()
            check(r.stdout == b"drained\n", "the call in flight at SIGTERM is served to its end")
        except grpc.RpcError as e:
            bad("the call in flight at SIGTERM: %s %s" % (e.code().name, e.details()))
    c.close()
    anon.close()
    wrong.close()
    try:
        rc = proc.wait(60)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, "SIGTERM: cvisord exits 0 (rc %s)" % rc)
    time.sleep(0.5)
    left = sentries(state)
    check(left == 0, "no sandbox process left after SIGTERM (%d)" % left)

    # --- a unix-socket listener (--grpc unix:PATH) ---
    sock = os.path.join(tmp, "g.sock")
    cfg2 = os.path.join(tmp, "cfg2.json")
    with open(cfg2, "w") as f:
        f.write('{"limits": {"drain_timeout_ms": 1000}}')
    proc = subprocess.Popen([cvisord, "--rest", "127.0.0.1:%d" % free_port(), "--config", cfg2,
                             "--grpc", "unix:" + sock, "--state-dir", state + "u",
                             "--default-rootfs", rootfs, "--min-ready", "1",
                             "--platform", platform], env=env, stdout=log, stderr=log)
    u = cvisor_grpc.Client("unix:" + sock, token=token)
    wait_up(u)
    r = u.run(["echo", "over-unix"])
    check(r.stdout == b"over-unix\n", "Run over --grpc unix:PATH")
    expect_code(SC.UNAUTHENTICATED, "unix socket: token still required",
                cvisor_grpc.Client("unix:" + sock, token="").list_pools)
    # a call still running past drain_timeout_ms: ended, the daemon stops
    sbu = u.create_sandbox("default")
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        fut = ex.submit(u.exec_blocking, sbu.id, ["sleep", "60"])
        time.sleep(0.7)
        t0 = time.time()
        proc.send_signal(signal.SIGTERM)
        try:
            fut.result()
            bad("a call past the drain timeout succeeded")
        except grpc.RpcError as e:
            ok("a call past the drain timeout ends: %s (%s)" % (e.code().name, e.details()))
        rc = proc.wait(60)
        check(rc == 0 and time.time() - t0 < 15,
              "SIGTERM with a stuck call: exit %s after %.1f s" % (rc, time.time() - t0))
    u.close()
    check(not os.path.exists(sock), "SIGTERM removes the socket")

    # --- the gRPC address is taken: a clean refusal, nothing left behind ---
    busy = socket.socket()
    busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # even then
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    blog = os.path.join(tmp, "busy.log")
    with open(blog, "w") as bl:
        bp = subprocess.run([cvisord, "--rest", "127.0.0.1:%d" % free_port(), "--grpc",
                             "127.0.0.1:%d" % busy.getsockname()[1], "--state-dir", state + "b",
                             "--default-rootfs", rootfs, "--min-ready", "1"], env=env,
                            stdout=bl, stderr=bl, timeout=60)
    busy.close()
    time.sleep(0.5)
    check(bp.returncode == 1 and "cannot serve gRPC" in open(blog).read() and
          sentries(state + "b") == 0, "gRPC address in use: exit 1, no sandbox left")

    # --- TLS with --tls-cert/--tls-key (a self-signed certificate made here) ---
    key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
    if subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                       "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                       "subjectAltName=IP:127.0.0.1"], capture_output=True).returncode != 0:
        print("skip: no openssl to make a certificate")
        return
    gport = free_port()
    proc = subprocess.Popen([cvisord, "--rest", "127.0.0.1:%d" % free_port(),
                             "--grpc", "127.0.0.1:%d" % gport, "--state-dir", state + "t",
                             "--default-rootfs", rootfs, "--min-ready", "1",
                             "--tls-cert", cert, "--tls-key", key,
                             "--platform", platform], env=env, stdout=log, stderr=log)
    t = cvisor_grpc.Client("127.0.0.1:%d" % gport, token=token, ca=cert)
    wait_up(t)
    r = t.run(["echo", "over-tls"])
    check(r.stdout == b"over-tls\n", "Run over TLS")
    expect_code(SC.UNAUTHENTICATED, "TLS: token still required",
                cvisor_grpc.Client("127.0.0.1:%d" % gport, token="", ca=cert).list_pools)
    expect_code(SC.UNAVAILABLE, "plaintext refused on the TLS port",
                cvisor_grpc.Client("127.0.0.1:%d" % gport, token=token, timeout=5).health)
    t.close()
    proc.send_signal(signal.SIGTERM)
    check(proc.wait(60) == 0, "TLS server: SIGTERM exit 0")


try:
    main()
except Exception as e:  # an unexpected RPC error is a failure, with context
    import traceback
    traceback.print_exc()
    bad("unexpected: %r" % e)
finally:
    if proc and proc.poll() is None:
        proc.kill()
        proc.wait()
    if failures:
        try:
            print("--- cvisord log ---")
            print(open(os.path.join(tmp, "log")).read()[-4000:])
        except OSError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
