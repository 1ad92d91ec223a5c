# terminals: python's pty module (openpty, fork, os.ttyname) and
# util-linux script(1), on the sandbox's own pseudo-terminals.  The pty
# number differs between runs: printed as N.
/usr/bin/python3 - <<'PY'
import os, pty, re, sys, termios, tty, signal

def n(s):
    return re.sub(r"/dev/pts/[0-9]+", "/dev/pts/N", s)

m, s = pty.openpty()
print("isatty", os.isatty(m), os.isatty(s))
print("ttyname", n(os.ttyname(s)))
os.write(m, b"hello\n")
print("slave read", os.read(s, 100))
print("echo", os.read(m, 100))
attrs = termios.tcgetattr(s)
print("icanon", bool(attrs[3] & termios.ICANON), "echo", bool(attrs[3] & termios.ECHO))
tty.setraw(s)
os.write(m, b"\x03x")
print("raw read", os.read(s, 100))
os.close(s)
os.close(m)

sys.stdout.flush()
pid, fd = pty.fork()
if pid == 0:
    print("child tty", n(os.ttyname(0)), os.getsid(0) == os.getpid(), flush=True)
    print("fg is me", os.tcgetpgrp(0) == os.getpgrp(), flush=True)
    line = sys.stdin.readline()
    print("child got", repr(line), flush=True)
    os._exit(7)
out = b""
while b"fg is me" not in out:
    out += os.read(fd, 1024)
os.write(fd, b"abc\x7fd\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, st = os.waitpid(pid, 0)
print(n(out.decode()).replace("\r", "<CR>"))
print("exit", os.waitstatus_to_exitcode(st))

sys.stdout.flush()
pid, fd = pty.fork()
if pid == 0:
    # default action: python's own handler only sets a flag, and a ^C that
    # lands before pause() is entered would leave pause() waiting forever
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    print("ready", flush=True)
    signal.pause()
    os._exit(0)
out = b""
while b"ready" not in out:
    out += os.read(fd, 1024)
os.write(fd, b"\x03")
_, st = os.waitpid(pid, 0)
print("^C", os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGINT)
PY
script -qc 'tty; stty -a | head -1' /dev/null | sed 's#/dev/pts/[0-9]*#/dev/pts/N#'
echo "script exit $?"
script -qec 'exit 3' /dev/null
echo "script -e exit $?"
