# python3: signals, select on pipes, socketpair-free IPC
/usr/bin/python3 - <<'PY'
import signal, os, select, time
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
os.kill(os.getpid(), signal.SIGUSR1)
print("handled", got == [signal.SIGUSR1])
r, w = os.pipe()
print(select.select([r], [], [], 0) == ([], [], []))
os.write(w, b"x")
print(select.select([r], [], [], 1)[0] == [r])
p = select.poll()
p.register(r, select.POLLIN)
print([(fd == r, ev & select.POLLIN != 0) for fd, ev in p.poll(1000)])
pid = os.fork()
if pid == 0:
    time.sleep(30)
    os._exit(0)
os.kill(pid, signal.SIGTERM)
_, st = os.waitpid(pid, 0)
print("killed by", os.WTERMSIG(st) == signal.SIGTERM)
PY
