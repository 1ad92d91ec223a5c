# python3: AF_INET/AF_INET6 on loopback, served by the Sentry's netstack in
# the sandbox (the host's real loopback natively; only 127.0.0.1 and ::1,
# ephemeral ports never printed).  `python3 -m http.server` fetched with
# urllib, http.server in a thread, an asyncio echo server and client on
# 127.0.0.1 and ::1, socket.create_connection / makefile / UDP, curl.
echo "hello over http" > hello.txt
/usr/bin/python3 - <<'PY'
import subprocess, sys, time, urllib.request
srv = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
line = srv.stdout.readline()   # "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..."
port = int(line.split(" port ")[1].split()[0])
print(line.split(" port ")[0])
with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello.txt", timeout=30) as r:
    print(r.status, r.headers["Content-Length"], r.read())
try:
    urllib.request.urlopen(f"http://127.0.0.1:{port}/missing", timeout=30)
except urllib.error.HTTPError as e:
    print("missing", e.code)
srv.terminate(); srv.wait()
print("server stopped")
PY
/usr/bin/python3 - <<'PY'
import http.server, threading, urllib.request, json
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(n))
        out = json.dumps({"sum": sum(body)}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(out))); self.end_headers()
        self.wfile.write(out)
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
t = threading.Thread(target=srv.serve_forever); t.start()
port = srv.server_address[1]
for i in range(3):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=json.dumps([i, 2, 3]).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        print(r.read())
srv.shutdown(); srv.server_close(); t.join()
PY
/usr/bin/python3 - <<'PY'
import asyncio, socket
async def echo(reader, writer):
    while data := await reader.readline():
        writer.write(data.upper()); await writer.drain()
    writer.close()
async def main(host, family):
    srv = await asyncio.start_server(echo, host, 0, family=family)
    port = srv.sockets[0].getsockname()[1]
    async def client(i):
        reader, writer = await asyncio.open_connection(host, port)
        out = []
        for j in range(3):
            writer.write(f"client {i} line {j}\n".encode()); await writer.drain()
            out.append(await reader.readline())
        writer.close(); await writer.wait_closed()
        return out
    results = await asyncio.gather(*(client(i) for i in range(10)))
    print(host, len(results), results[3][2])
    srv.close(); await srv.wait_closed()
asyncio.run(main("127.0.0.1", socket.AF_INET))
asyncio.run(main("::1", socket.AF_INET6))
PY
/usr/bin/python3 - <<'PY'
import socket
l = socket.create_server(("127.0.0.1", 0)); port = l.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port), timeout=10); s, peer = l.accept()
print(peer[0], peer[1] == c.getsockname()[1])
f = c.makefile("rwb"); f.write(b"line one\nline two\n"); f.flush()
print(s.makefile("rb").readline())
c.close(); s.close(); l.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"datagram", u.getsockname())
data, addr = u.recvfrom(100); print(data, addr[0], addr[1] == v.getsockname()[1])
print(socket.if_nametoindex("lo"), socket.if_indextoname(1))
PY
# curl (libcurl, glibc's resolver for the numeric host) against http.server
/usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1 >srv.out 2>/dev/null &
pid=$!
n=0
while ! grep -q " port " srv.out 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' srv.out)
curl -sS "http://127.0.0.1:$port/hello.txt"
curl -sS -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$port/nope"
kill $pid
wait $pid 2>/dev/null
echo "curl done"
# SO_REUSEPORT groups share connections and datagrams (by hash, as Linux)
/usr/bin/python3 - <<'PY'
import socket
def group(type, n):
    ls = []
    for i in range(n):
        l = socket.socket(socket.AF_INET, type)
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        l.bind(("127.0.0.1", ls[0].getsockname()[1] if ls else 0))
        if type == socket.SOCK_STREAM: l.listen(64)
        l.setblocking(False); ls.append(l)
    return ls
def drain(l, f):
    n = 0
    while True:
        try: f(l); n += 1
        except BlockingIOError: return n
ls = group(socket.SOCK_STREAM, 4)
cs = [socket.create_connection(ls[0].getsockname()) for _ in range(64)]
counts = [drain(l, lambda l: l.accept()[0].close()) for l in ls]
print("tcp", sum(counts), all(c > 0 for c in counts))
us = group(socket.SOCK_DGRAM, 3)
for _ in range(60):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.sendto(b"x", us[0].getsockname()); c.close()
counts = [drain(u, lambda u: u.recv(10)) for u in us]
print("udp", sum(counts), all(c > 0 for c in counts))
PY
