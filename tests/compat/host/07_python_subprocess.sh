# python3: subprocess, pipes, exit codes, os.fork + waitpid
/usr/bin/python3 - <<'PY'
import subprocess, os, sys
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
print(r.returncode, repr(r.stdout), repr(r.stderr))
p = subprocess.Popen(["sort", "-r"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
out, _ = p.communicate("a\nc\nb\n")
print(repr(out), p.returncode)
print(subprocess.check_output("seq 3 | wc -l", shell=True).decode().strip())
pid = os.fork()
if pid == 0:
    os._exit(7)
_, st = os.waitpid(pid, 0)
print("child", os.WEXITSTATUS(st))
r, w = os.pipe()
if os.fork() == 0:
    os.close(r)
    os.write(w, b"via pipe")
    os._exit(0)
os.close(w)
print(os.read(r, 100))
os.wait()
try:
    subprocess.run(["/nonexistent/prog"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)
PY
