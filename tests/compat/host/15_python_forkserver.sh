# python3 multiprocessing with the forkserver (an AF_UNIX listener; fds passed
# with SCM_RIGHTS) and spawn start methods
cat > fs.py <<'PY'
import multiprocessing as mp
def f(q):
    q.send("hello from forkserver child")
if __name__ == "__main__":
    mp.set_start_method("forkserver")
    a, b = mp.Pipe()
    p = mp.Process(target=f, args=(b,))
    p.start(); print(a.recv()); p.join(); print("exit", p.exitcode)
    ctx = mp.get_context("spawn")
    p = ctx.Process(target=f, args=(b,))
    p.start(); print(a.recv()); p.join(); print("exit", p.exitcode)
PY
/usr/bin/python3 fs.py
