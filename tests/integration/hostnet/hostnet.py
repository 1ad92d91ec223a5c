#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Network modes of `cvisor do` (docs/oci.md "Network"): real processes,
real sockets, loopback traffic only.

usage: hostnet.py CVISOR PLATFORM CASE

Cases:
  host-client   a sandboxed python3 (--network=host) reaches TCP and UDP
                servers on the host's 127.0.0.1 (and ::1 when the host has
                it); the same script natively gives the same output
  host-server   a server inside the sandbox (--network=host) answers a host
                client (urllib), several requests
  host-async    asyncio echo server + clients inside one host-mode sandbox
                (epoll readiness of host sockets)
  host-signal   a task blocked in recv/accept on a host socket gets its
                signal (SIGALRM handler runs), and killing the launcher
                ends a sandbox blocked in accept
  host-netns    the Sentry stays in the launcher's network namespace in host
                mode, and in its own one in none mode
  unreach-host  (run in a new network namespace holding only lo) host mode:
                connect to 192.0.2.1 fails with ENETUNREACH
  unreach-none  (same namespace) none mode: connect to a non-loopback
                address fails with ENETUNREACH
  bad-flag      --network=bogus is a usage error (exit 2, message)
  oci           `cvisor run` of a bundle: none by default; host by the
                annotation dev.cvisor.network, by linux.namespaces without a
                "network" entry, or by `cvisor --network=host`; the
                annotation wins; a bad annotation value fails the run

Exit 0 on success; a failure prints what differed and exits 1.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

CVISOR, PLATFORM, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
TIMEOUT = 120  # generous: the machine may be loaded


def sandbox(code, network="host", **kw):
    """argv of `cvisor do` running python3 -c CODE on the host's root."""
    return [CVISOR, "do", "--platform=" + PLATFORM, "--network=" + network,
            "--rootfs", "/", "--", "python3", "-c", code]


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, **kw)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def have_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


# ---- host-client ----

class HostServers:
    """A TCP echo server and a UDP echo socket on @addr (port 0), threads."""

    def __init__(self, family, addr):
        self.tcp = socket.socket(family, socket.SOCK_STREAM)
        self.tcp.bind((addr, 0))
        self.tcp.listen(8)
        self.udp = socket.socket(family, socket.SOCK_DGRAM)
        self.udp.bind((addr, 0))
        self.tport = self.tcp.getsockname()[1]
        self.uport = self.udp.getsockname()[1]
        threading.Thread(target=self._tcp, daemon=True).start()
        threading.Thread(target=self._udp, daemon=True).start()

    def _tcp(self):
        while True:
            try:
                c, _ = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(c,), daemon=True).start()

    @staticmethod
    def _echo(c):
        with c:
            while True:
                b = c.recv(65536)
                if not b:
                    return
                c.sendall(b)

    def _udp(self):
        while True:
            try:
                b, peer = self.udp.recvfrom(65536)
            except OSError:
                return
            self.udp.sendto(b"udp:" + b, peer)


CLIENT = r'''
import socket, sys, errno
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
addr, tport, uport = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = socket.socket(fam, socket.SOCK_STREAM)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.settimeout(60)
c.connect((addr, tport))
print("peer port ok", c.getpeername()[1] == tport)
data = bytes(range(256)) * 1024          # 256 KiB, more than one buffer
c.sendall(data)
c.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    got += b
print("tcp echo", len(got), got == data)
print("nodelay", c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0)
c.close()
u = socket.socket(fam, socket.SOCK_DGRAM)
u.settimeout(60)
u.sendto(b"ping", (addr, uport))
b, peer = u.recvfrom(100)
print("udp", b, peer[1] == uport)
# a closed port on loopback: refused
s = socket.socket(fam, socket.SOCK_STREAM)
l = socket.socket(fam, socket.SOCK_STREAM); l.bind((addr, 0)); p = l.getsockname()[1]; l.close()
try:
    s.connect((addr, p)); print("connected?!")
except OSError as e:
    print("closed port", errno.errorcode.get(e.errno))
# non-blocking connect: EINPROGRESS or done, then writable
n = socket.socket(fam, socket.SOCK_STREAM); n.setblocking(False)
r = n.connect_ex((addr, tport))
print("nonblock connect", r in (0, errno.EINPROGRESS))
import select
_, w, _ = select.select([], [n], [], 60)
print("writable", bool(w), n.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
# an option outside the allowlist is refused, not forwarded
try:
    c2 = socket.socket(fam, socket.SOCK_STREAM)
    c2.setsockopt(socket.SOL_SOCKET, 25, b"lo\0")   # SO_BINDTODEVICE
    print("bindtodevice set")
except OSError as e:
    print("bindtodevice", errno.errorcode.get(e.errno))
'''


def case_host_client():
    fams = [("4", socket.AF_INET, "127.0.0.1")]
    if have_ipv6_loopback():
        fams.append(("6", socket.AF_INET6, "::1"))
    for tag, fam, addr in fams:
        srv = HostServers(fam, addr)
        args = [tag, addr, str(srv.tport), str(srv.uport)]
        native = run(["python3", "-c", CLIENT] + args)
        boxed = run(sandbox(CLIENT) + args)
        check(native.returncode == 0, "native client failed: " + native.stderr)
        check(boxed.returncode == 0,
              "sandboxed client failed (%d): %s" % (boxed.returncode, boxed.stderr))
        # SO_BINDTODEVICE: the host lets an unprivileged process bind to
        # lo on recent kernels; the Sentry never forwards it
        nat = native.stdout.replace("bindtodevice set", "bindtodevice ENOPROTOOPT")
        nat = nat.replace("bindtodevice EPERM", "bindtodevice ENOPROTOOPT")
        if nat != boxed.stdout:
            fail("IPv%s: native and sandbox differ\n--- native\n%s--- sandbox\n%s" %
                 (tag, native.stdout, boxed.stdout))
        check("tcp echo 262144 True" in boxed.stdout, "tcp echo: " + boxed.stdout)
        check("closed port ECONNREFUSED" in boxed.stdout, "refused: " + boxed.stdout)
        print("IPv%s host-client ok" % tag)


# ---- host-server ----

SERVER = r'''
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        b = ("sandbox says " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
s = socketserver.TCPServer(("127.0.0.1", 0), H)   # no getfqdn: no name lookups
print(s.server_address[1], flush=True)
for _ in range(int(sys.argv[1])):
    s.handle_request()
print("served", flush=True)
'''


def case_host_server():
    n = 5
    p = subprocess.Popen(sandbox(SERVER) + [str(n)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        if not line.strip().isdigit():
            p.kill()
            fail("no port from the sandbox: %r %s" % (line, p.communicate()[1]))
        port = int(line)
        for i in range(n):
            with urllib.request.urlopen("http://127.0.0.1:%d/req%d" % (port, i),
                                        timeout=60) as r:
                body = r.read().decode()
            check(body == "sandbox says /req%d" % i, "body %r" % body)
        out, err = p.communicate(timeout=TIMEOUT)
        check(p.returncode == 0 and out.strip() == "served", "server: %d %r %s" %
              (p.returncode, out, err))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    print("host-server ok")


# ---- host-async ----

ASYNC = r'''
import asyncio
async def handle(r, w):
    while True:
        b = await r.read(4096)
        if not b:
            break
        w.write(b.upper())
        await w.drain()
    w.close()
async def client(port, i):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    msg = ("client %d " % i).encode() * 100
    w.write(msg)
    await w.drain()
    w.write_eof()
    got = await r.read()
    w.close()
    return got == msg.upper()
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    ok = await asyncio.wait_for(asyncio.gather(*(client(port, i) for i in range(8))), 60)
    print("async", sum(ok), "of", len(ok))
    srv.close()
    await srv.wait_closed()
asyncio.run(main())
'''


def case_host_async():
    t0 = time.monotonic()
    r = run(sandbox(ASYNC))
    check(r.returncode == 0 and r.stdout.strip() == "async 8 of 8",
          "asyncio: %d %r %s" % (r.returncode, r.stdout, r.stderr))
    print("host-async ok (%.2f s)" % (time.monotonic() - t0))


# ---- host-signal ----

SIGNAL = r'''
import signal, socket, sys
def on_alarm(sig, frame):
    raise TimeoutError("alarm")
signal.signal(signal.SIGALRM, on_alarm)
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
signal.alarm(1)
try:
    l.accept(); print("accepted?!")
except TimeoutError:
    print("accept interrupted")
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
signal.alarm(1)
try:
    s.recv(10); print("received?!")
except TimeoutError:
    print("recv interrupted")
s.settimeout(0.3)
try:
    s.recv(10); print("received?!")
except socket.timeout:
    print("recv timed out")
print("blocking", flush=True)
l.accept()
'''


def case_host_signal():
    p = subprocess.Popen(sandbox(SIGNAL), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    lines = []
    try:
        for _ in range(4):
            lines.append(p.stdout.readline().strip())
        check(lines == ["accept interrupted", "recv interrupted", "recv timed out", "blocking"],
              "signals: %r" % lines)
        time.sleep(0.5)
        check(p.poll() is None, "the sandbox ended early")
        sentries = sentry_pids_below(p.pid)
        check(len(sentries) == 1, "sentry processes: %r" % sentries)
        p.send_signal(signal.SIGKILL)  # the launcher; everything below dies with it
        p.wait(timeout=60)
        deadline = time.monotonic() + 60
        while os.path.exists("/proc/%d" % sentries[0]) and time.monotonic() < deadline:
            try:
                if open("/proc/%d/stat" % sentries[0]).read().split(")")[-1].split()[0] == "Z":
                    break
            except OSError:
                break
            time.sleep(0.05)
        check(time.monotonic() < deadline, "the Sentry blocked in accept outlived its launcher")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    print("host-signal ok")


# ---- host-netns ----

NETNS = r'''
import time, sys
print("up", flush=True)
time.sleep(60)
'''


def sentry_pids_below(pid):
    """Host pids of processes named cvisor-sentry below @pid."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = open("/proc/%d/task/%d/children" % (p, p)).read().split()
        except OSError:
            continue
        for k in map(int, kids):
            try:
                if open("/proc/%d/comm" % k).read().strip() == "cvisor-sentry":
                    found.append(k)
            except OSError:
                pass
            todo.append(k)
    return found


def case_host_netns():
    mine = os.readlink("/proc/self/ns/net")
    for mode, same in (("host", True), ("none", False)):
        p = subprocess.Popen(sandbox(NETNS, network=mode), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            check(p.stdout.readline().strip() == "up", "sandbox did not start: " + mode)
            sentries = sentry_pids_below(p.pid)
            check(len(sentries) == 1, "sentry processes: %r" % sentries)
            ns = os.readlink("/proc/%d/ns/net" % sentries[0])
            check((ns == mine) == same, "%s mode: Sentry netns %s, launcher %s" % (mode, ns, mine))
        finally:
            p.kill()
            p.wait()
    print("host-netns ok")


# ---- unreachable (inside a namespace with only lo) ----

UNREACH = r'''
import socket, errno
for addr in ("192.0.2.1", "10.255.255.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.connect((addr, 9))
        print(addr, "connected?!")
    except OSError as e:
        print(addr, errno.errorcode.get(e.errno))
'''


def case_unreach(mode):
    # Refuse to run where a packet could leave the machine.
    devs = [l.split(":")[0].strip() for l in open("/proc/net/dev").read().splitlines()[2:]]
    check(devs == ["lo"], "not in a namespace with only lo (%r): refusing to run" % devs)
    want = "192.0.2.1 ENETUNREACH\n10.255.255.1 ENETUNREACH\n"
    native = run(["python3", "-c", UNREACH])
    check(native.stdout == want, "native: %r" % native.stdout)
    r = run(sandbox(UNREACH, network=mode))
    check(r.returncode == 0 and r.stdout == want,
          "%s mode: %d %r %s" % (mode, r.returncode, r.stdout, r.stderr))
    print("unreach-%s ok" % mode)


def case_bad_flag():
    r = run([CVISOR, "do", "--network=bogus", "--rootfs", "/", "--", "true"])
    check(r.returncode == 2 and "--network" in r.stderr and "bogus" in r.stderr,
          "do --network=bogus: %d %r" % (r.returncode, r.stderr))
    r = run([CVISOR, "--network=bridge", "list"])
    check(r.returncode == 2 and "bridge" in r.stderr,
          "cvisor --network=bridge: %d %r" % (r.returncode, r.stderr))
    print("bad-flag ok")


# ---- oci ----

OCI_CLIENT = r'''
import socket, sys, errno
try:
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    print(c.recv(100).decode())
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
'''


def case_oci():
    import json
    import shutil
    import tempfile
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(16)

    def serve():
        while True:
            try:
                c, _ = l.accept()
            except OSError:
                return
            with c:
                c.sendall(b"hello-from-host")

    threading.Thread(target=serve, daemon=True).start()
    port = l.getsockname()[1]
    tmp = tempfile.mkdtemp(prefix="cvnet.")
    try:
        bundle, state = os.path.join(tmp, "b"), os.path.join(tmp, "s")
        os.mkdir(bundle)
        subprocess.run([CVISOR, "spec"], cwd=bundle, check=True)
        with open(os.path.join(bundle, "config.json")) as f:
            base = json.load(f)
        base["root"] = {"path": "/", "readonly": True}
        base["process"]["args"] = ["python3", "-c", OCI_CLIENT, str(port)]
        no_netns = [n for n in base["linux"]["namespaces"] if n["type"] != "network"]
        cases = [
            ("default spec", {}, [], "ECONNREFUSED"),
            ("annotation host", {"annotations": {"dev.cvisor.network": "host"}}, [],
             "hello-from-host"),
            ("no network namespace", {"ns": no_netns}, [], "hello-from-host"),
            ("no network namespace, annotation none",
             {"ns": no_netns, "annotations": {"dev.cvisor.network": "none"}}, [], "ECONNREFUSED"),
            ("cvisor --network=host", {}, ["--network=host"], "hello-from-host"),
            ("--network=host, annotation none",
             {"annotations": {"dev.cvisor.network": "none"}}, ["--network=host"], "ECONNREFUSED"),
        ]
        for i, (name, mod, flags, want) in enumerate(cases):
            c = json.loads(json.dumps(base))
            if "ns" in mod:
                c["linux"]["namespaces"] = mod["ns"]
            if "annotations" in mod:
                c["annotations"] = mod["annotations"]
            with open(os.path.join(bundle, "config.json"), "w") as f:
                json.dump(c, f)
            r = run([CVISOR, "--root", state, "--platform", PLATFORM] + flags +
                    ["run", "--bundle", bundle, "net%d" % i])
            check(r.returncode == 0 and r.stdout.strip() == want,
                  "%s: %d %r %s (want %s)" % (name, r.returncode, r.stdout, r.stderr, want))
        c = json.loads(json.dumps(base))
        c["annotations"] = {"dev.cvisor.network": "bridge"}
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(c, f)
        r = run([CVISOR, "--root", state, "run", "--bundle", bundle, "netbad"])
        check(r.returncode != 0 and "dev.cvisor.network" in r.stderr and "bridge" in r.stderr,
              "bad annotation: %d %r" % (r.returncode, r.stderr))
    finally:
        l.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("oci ok")


CASES = {
    "host-client": case_host_client,
    "host-server": case_host_server,
    "host-async": case_host_async,
    "host-signal": case_host_signal,
    "host-netns": case_host_netns,
    "unreach-host": lambda: case_unreach("host"),
    "unreach-none": lambda: case_unreach("none"),
    "bad-flag": case_bad_flag,
    "oci": case_oci,
}

if __name__ == "__main__":
    CASES[CASE]()
