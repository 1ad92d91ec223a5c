# python3: AF_UNIX sockets served by the Sentry — socketpair (stream, dgram), fd passing, asyncio unix server/client,
# multiprocessing.Pipe (duplex: a socketpair) with a Process.  (Pool needs
# POSIX semaphores in /dev/shm: not yet.)
/usr/bin/python3 - <<'PY'
import socket, os, asyncio, array
a, b = socket.socketpair()
a.send(b"x"); print(b.recv(1))
a.close(); print(b.recv(1))
s, t = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
s.send(b"one"); s.send(b"two"); print(t.recv(10), t.recv(10))
# fd passing
r, w = os.pipe()
u, v = socket.socketpair()
socket.send_fds(u, [b"fd"], [w])
msg, fds, flags, addr = socket.recv_fds(v, 10, 4)
os.write(fds[0], b"through"); os.close(fds[0]); os.close(w)
print(msg, len(fds), os.read(r, 20))
async def main():
    async def handle(reader, writer):
        data = await reader.readline()
        writer.write(data.upper()); await writer.drain(); writer.close()
    srv = await asyncio.start_unix_server(handle, path="asyncio.sock")
    reader, writer = await asyncio.open_unix_connection("asyncio.sock")
    writer.write(b"hello asyncio\n"); await writer.drain()
    print(await reader.readline())
    writer.close(); srv.close(); await srv.wait_closed()
asyncio.run(main())
os.unlink("asyncio.sock")
from multiprocessing import Pipe, Process
def child(conn):
    conn.send({"sum": sum(conn.recv())}); conn.close()
parent, other = Pipe()
proc = Process(target=child, args=(other,)); proc.start()
parent.send([1, 2, 3]); print(parent.recv()); proc.join(); print("exitcode", proc.exitcode)
PY
# a path-named listener in the work directory (a socket inode, ENXIO for open(2))
/usr/bin/python3 - <<'PY'
import socket, os, stat
s = socket.socket(socket.AF_UNIX); s.bind("x.sock")
print(stat.S_ISSOCK(os.stat("x.sock").st_mode), oct(os.stat("x.sock").st_mode & 0o777))
try: os.open("x.sock", os.O_RDONLY)
except OSError as e: print("open", e.errno)
s.listen()
c = socket.socket(socket.AF_UNIX); c.connect("x.sock"); a, _ = s.accept()
c.sendall(b"z" * 100000); c.shutdown(socket.SHUT_WR)
n = 0
while True:
    d = a.recv(65536)
    if not d: break
    n += len(d)
print(n)
os.unlink("x.sock")
PY
