#!/usr/bin/env python3
# host_tty.py CVISOR PLATFORM
#
# `cvisor do --rootfs / -- sh` on a host terminal (a host pty driven from
# here, as a user's terminal would be): the shell is interactive, its
# terminal is /dev/pts/0 of the sandbox, ^C interrupts a foreground job
# (the Sentry, not the host, turns it into SIGINT), the host window size
# reaches `stty size`, and the host terminal's termios is raw while the
# sandbox runs and restored when it exits.
import fcntl, os, pty, select, struct, sys, termios, time

cvisor, platform = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cvisor, [cvisor, "do", "--rootfs", "/", "--platform", platform,
                      "--", "/bin/sh"])
out = b""


def expect(what, timeout=10.0, fail=True):
    global out
    end = time.monotonic() + timeout
    while what.encode() not in out:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            if not fail:
                return False
            sys.exit("timed out waiting for %r; got %r" % (what, out[-400:]))
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            sys.exit("EOF waiting for %r; got %r" % (what, out[-400:]))
        out += chunk
    out = out[out.index(what.encode()) + len(what):]
    return True


def send(s):
    os.write(fd, s.encode())


fails = 0


def check(label, cond):
    global fails
    print("%s: %s" % (label, "yes" if cond else "NO"))
    fails += not cond


expect("# ")
check("host side raw while the sandbox runs",
      not termios.tcgetattr(fd)[3] & termios.ICANON)
send("echo $((6*7))\r")
expect("42\r\n")
expect("# ")
send("tty\r")
expect("/dev/pts/0\r\n")
check("tty is /dev/pts/0", True)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 100, 0, 0))
seen = False
for _ in range(20):  # the Sentry polls the host's size
    time.sleep(0.2)
    send("stty size\r")
    seen = expect("50 100\r\n", 1.0, fail=False)
    if seen:
        break
expect("# ")
check("stty size follows the host window", seen)
send("stty cols 132; sleep 0.3; stty size\r")
expect("50 132\r\n")
expect("# ")
out = b""  # nothing older can satisfy the next expect
check("stty cols in the sandbox stays", True)
send("sleep 30\r")
t0 = time.monotonic()
for _ in range(10):  # until the job is the foreground group
    time.sleep(0.5)
    send("\x03")
    if expect("# ", 1.0, fail=False):
        break
check("^C interrupts the foreground job", time.monotonic() - t0 < 15)
send("echo still $((1+1))\r")
expect("still 2\r\n")
send("exit 5\r")
_, st = os.waitpid(pid, 0)
check("exit status 5", os.WIFEXITED(st) and os.WEXITSTATUS(st) == 5)
check("host termios restored (canonical, echo)",
      termios.tcgetattr(fd)[3] & (termios.ICANON | termios.ECHO)
      == termios.ICANON | termios.ECHO)
sys.exit(1 if fails else 0)
