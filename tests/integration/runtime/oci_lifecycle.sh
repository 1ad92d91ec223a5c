#!/bin/sh
# oci_lifecycle.sh CVISOR ROOTFS: the OCI verbs driven as containerd or a
# script would: lifecycle, exit codes, exec, signals, console socket,
# hostname/env/cwd/user/rlimits, mounts, list, concurrency, errors.
CVISOR=$1 ROOTFS=$2
. "$(dirname "$0")/oci_lib.sh"

# --- full lifecycle: create / state / start / state / wait / delete
b=$(bundle life '["sh","-c","echo out; echo err >&2; exit 3"]')
C create --bundle "$b" --pid-file "$T/life.pid" life >"$T/life.out" 2>"$T/life.err" </dev/null
expect "create exit" 0 $?
expect "state after create" created "$(status_of life)"
pid=$(C state life | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
expect "pid file = state pid" "$pid" "$(cat "$T/life.pid")"
[ -d "/proc/$pid" ] && ok "pid is a live host process" || fail "pid $pid not alive"
expect "nothing ran before start" "" "$(cat "$T/life.out")"
C start life; expect "start exit" 0 $?
C start life 2>/dev/null && fail "second start succeeded" || ok "second start refused"
C wait life >"$T/wait.out"; expect "wait exit code" 3 $?
contains "wait prints status" '"exitStatus":3' "$(cat "$T/wait.out")"
expect "state after exit" stopped "$(status_of life)"
expect "stdout of pid 1" out "$(cat "$T/life.out")"
contains "stderr of pid 1" err "$(cat "$T/life.err")"
C delete life; expect "delete stopped" 0 $?
C state life >/dev/null 2>"$T/e"; expect "state after delete fails" 1 $?
contains "unknown container message" "does not exist" "$(cat "$T/e")"

# --- --log / --log-format json: errors as JSON lines (and on stderr)
C --log "$T/log.json" --log-format json state nosuch 2>/dev/null
python3 -c '
import json, sys
l = [json.loads(x) for x in open(sys.argv[1])]
assert l and l[-1]["level"] == "error" and "nosuch" in l[-1]["msg"] and l[-1]["time"], l
' "$T/log.json" && ok "json log" || fail "json log"

# --- run: foreground exit codes, signals, removal
b=$(bundle r0 '["sh","-c","echo hello"]')
expect "run output" hello "$(C run --bundle "$b" r0 </dev/null)"
b=$(bundle r42 '["sh","-c","exit 42"]')
C run --bundle "$b" r42 </dev/null; expect "run exit 42" 42 $?
# pid 1 ignores the SIGKILL it sends itself (a pid namespace's init)...
b=$(bundle rsig '["sh","-c","kill -9 $$; echo survived"]')
expect "pid 1 survives its own SIGKILL" survived "$(C run --bundle "$b" rsig </dev/null)"
# ...but a child's crash is its own: killed by SIGSEGV -> the shell's 139
b=$(bundle rseg '["sh","-c","sh -c \"kill -SEGV \\$\\$\"; echo child=$?"]')
expect "child killed by SIGSEGV" child=139 "$(C run --bundle "$b" rseg </dev/null)"
b=$(bundle rnoent '["/no/such/binary"]')
C run --bundle "$b" rnoent </dev/null 2>/dev/null; rc=$?
[ $rc -ne 0 ] && ok "exec failure is an error ($rc)" || fail "missing binary ran"
expect "run leaves nothing" "" "$(C list -q)"

# --- hostname, env, cwd, user, additional gids, rlimits
b=$(bundle ids '["sh","-c","hostname; echo $FOO; pwd; id -u; id -g; id -G; ulimit -n"]' '
c["hostname"] = "box1"
c["process"]["env"].append("FOO=bar baz")
c["process"]["cwd"] = "/tmp"
c["process"]["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6]}
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]
')
out=$(C run --bundle "$b" ids </dev/null | tr '\n' '|')
expect "hostname/env/cwd/uid/gid/groups/rlimit" "box1|bar baz|/tmp|1000|1001|1001 5 6|123|" "$out"

# --- exec into a running container, list, ps, pause/resume
b=$(bundle ex '["sleep","100"]')
C run -d --bundle "$b" ex </dev/null; expect "run -d" 0 $?
expect "state running" running "$(status_of ex)"
expect "exec output" "in-exec" "$(C exec ex echo in-exec)"
C exec ex sh -c 'exit 5'; expect "exec exit code" 5 $?
expect "exec --env --cwd --user" "v|/proc|7" \
	"$(C exec --env X=v --cwd /proc --user 7:7 ex sh -c 'echo $X; pwd; id -u' | tr '\n' '|' | sed 's/|$//')"
cat >"$T/proc.json" <<'J'
{"args": ["sh", "-c", "echo from-process-file $A"], "env": ["A=1", "PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
J
expect "exec --process" "from-process-file 1" "$(C exec --process "$T/proc.json" ex)"
C exec -d --pid-file "$T/ex.pid" ex sleep 1; expect "exec --detach" 0 $?
[ -s "$T/ex.pid" ] && ok "exec --pid-file written" || fail "exec --pid-file empty"
contains "ps lists pid 1" "sleep 100" "$(C ps ex)"
contains "ps json" "[1" "$(C ps --format json ex)"
C list --format json | python3 -c '
import json, sys
l = json.load(sys.stdin)
e = [x for x in l if x["id"] == "ex"]
assert e and e[0]["status"] == "running", l
' && ok "list json" || fail "list json"
C pause ex; expect "paused" paused "$(status_of ex)"
C exec ex true 2>/dev/null && fail "exec into paused" || ok "exec into paused refused"
C resume ex; expect "resumed" running "$(status_of ex)"
C events --stats ex | python3 -c 'import json,sys; e=json.loads(sys.stdin.readline()); assert e["type"]=="stats" and e["data"]["pids"]["current"]>=1, e' \
	&& ok "events --stats" || fail "events --stats"

b=$(bundle evs '["sh","-c","sleep 0.6"]')
C run -d --bundle "$b" evs </dev/null
timeout 20 "$CVISOR" --root "$ROOT" events --interval 100ms evs >"$T/events.out"
expect "events ends with the container" 0 $?
n=$(grep -c '"type":"stats"' "$T/events.out")
[ "$n" -ge 2 ] && ok "events streams ($n)" || fail "events streamed $n"
C delete evs

# --- errors leave state unchanged
C delete ex 2>"$T/e"; expect "delete running refused" 1 $?
contains "delete message" "delete --force" "$(cat "$T/e")"
expect "still running" running "$(status_of ex)"
C create --bundle "$b" ex </dev/null 2>"$T/e"; [ $? -ne 0 ] && ok "duplicate id refused" || fail "duplicate id"
contains "duplicate message" "already exists" "$(cat "$T/e")"
expect "original untouched" running "$(status_of ex)"
for bad in ../x 'a/b' '' "$(printf 'x%.0s' $(seq 70))"; do
	C create --bundle "$b" "$bad" </dev/null 2>/dev/null && fail "bad id '$bad' accepted" || ok "bad id refused"
done
[ ! -e "$T/x" ] && ok "no escape from --root" || fail "../x created"
C start ex 2>/dev/null; [ $? -ne 0 ] && ok "start running refused" || fail "start running"
C kill ex NOSUCHSIG 2>/dev/null; [ $? -ne 0 ] && ok "bad signal refused" || fail "bad signal"
C kill nosuch TERM 2>/dev/null; [ $? -ne 0 ] && ok "kill unknown refused" || fail "kill unknown"
C delete --force nosuch; expect "delete --force of nothing" 0 $?
C delete --force ex; expect "delete --force running" 0 $?
expect "gone" none "$(status_of ex)"

# --- a sandbox that dies under the container: stopped, and delete still works
b=$(bundle dead '["sleep","100"]')
C run -d --bundle "$b" dead </dev/null
sbpid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sandboxPid"])' "$ROOT/dead/state.json")
kill -9 "$sbpid"
for i in $(seq 100); do [ "$(status_of dead)" = stopped ] && break; sleep 0.05; done
expect "dead sandbox -> stopped" stopped "$(status_of dead)"
C wait dead >/dev/null; expect "wait on a dead sandbox" 137 $?
C delete dead; expect "delete after the sandbox died" 0 $?

# --- signals: TERM reaches the trap; KILL always works
b=$(bundle sig '["sh","-c","trap \"echo got-TERM; exit 7\" TERM; echo ready; while :; do sleep 0.05; done"]')
C create --bundle "$b" sig </dev/null >"$T/sig.out"; C start sig
for i in $(seq 100); do grep -q ready "$T/sig.out" && break; sleep 0.05; done
C kill sig SIGTERM; C wait sig >/dev/null; expect "TERM -> trap exit 7" 7 $?
contains "trap ran" got-TERM "$(cat "$T/sig.out")"
C delete sig
b=$(bundle kil '["sh","-c","trap \"\" TERM INT; echo ready; while :; do sleep 0.05; done"]')
C run -d --bundle "$b" kil </dev/null >"$T/kil.out"
for i in $(seq 100); do grep -q ready "$T/kil.out" && break; sleep 0.05; done
C kill kil 15; sleep 0.3; expect "TERM ignored" running "$(status_of kil)"
C kill kil KILL; C wait kil >/dev/null; expect "KILL -> 137" 137 $?
expect "stopped after KILL" stopped "$(status_of kil)"
C delete kil
b=$(bundle all '["sh","-c","sleep 100 & sleep 100 & wait"]')
C run -d --bundle "$b" all </dev/null; sleep 0.3
C kill --all all KILL; C wait all >/dev/null; expect "kill --all" 137 $?
C delete all

# --- concurrent CLI calls on one container are serialised
b=$(bundle conc '["sh","-c","exit 0"]')
C create --bundle "$b" conc </dev/null
for i in 1 2 3 4 5 6; do (C start conc 2>/dev/null && echo started >>"$T/conc.log") & done
wait
expect "exactly one concurrent start wins" 1 "$(grep -c started "$T/conc.log")"
for i in 1 2 3 4 5 6; do (C state conc >/dev/null && echo s >>"$T/conc2.log") & done
wait
expect "concurrent state calls" 6 "$(grep -c s "$T/conc2.log")"
C delete conc; expect "delete after concurrent" 0 $?

# --- console socket (process.terminal)
cat >"$T/recv.py" <<'PY'
import array, os, select, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(1)
open(out + ".ready", "w").close()
c, _ = s.accept()
fds = array.array("i")
msg, anc, flags, addr = c.recvmsg(1024, socket.CMSG_LEN(fds.itemsize))
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
m = fds[0]
got = b""
while b"term-done" not in got:
    r, _, _ = select.select([m], [], [], 10)
    if not r:
        break
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    got += d
open(out, "wb").write(msg + b"\n" + got)
PY
b=$(bundle tty '["sh","-c","echo term-ok; test -t 1 && echo is-a-tty; echo term-done"]' 'c["process"]["terminal"] = True')
python3 "$T/recv.py" "$T/console.sock" "$T/console.out" &
rp=$!
for i in $(seq 100); do [ -e "$T/console.out.ready" ] && break; sleep 0.05; done
C create --bundle "$b" --console-socket "$T/console.sock" tty </dev/null; expect "create with console" 0 $?
C start tty; C wait tty >/dev/null
wait $rp
contains "console got the output" term-ok "$(cat "$T/console.out" 2>/dev/null)"
contains "console fd is a pty (name sent)" /dev/pts/ "$(head -1 "$T/console.out" 2>/dev/null)"
contains "stdout is a tty" is-a-tty "$(cat "$T/console.out" 2>/dev/null)"
C delete tty
b=$(bundle ttyx '["sleep","100"]')
C run -d --bundle "$b" ttyx </dev/null
rm -f "$T/console.sock" "$T/console.out" "$T/console.out.ready"
python3 "$T/recv.py" "$T/console.sock" "$T/console.out" &
rp=$!
for i in $(seq 100); do [ -e "$T/console.out.ready" ] && break; sleep 0.05; done
C exec --tty --console-socket "$T/console.sock" ttyx sh -c 'test -t 0 && echo exec-tty; echo term-done'
expect "exec --tty exit" 0 $?
wait $rp
contains "exec --tty console" exec-tty "$(cat "$T/console.out" 2>/dev/null)"
C delete --force ttyx
C create --bundle "$T/tty" tty2 </dev/null 2>"$T/e"; [ $? -ne 0 ] && ok "terminal without console socket refused" || fail "terminal w/o socket"
expect "refused create leaves nothing" none "$(status_of tty2)"

b=$(bundle ttyfg '["sh","-c","test -t 0 && echo stdin-is-tty; exit 6"]' 'c["process"]["terminal"] = True')
out=$(python3 - "$CVISOR" "$ROOT" "$b" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ["cvisor", "--root", sys.argv[2], "run", "--bundle", sys.argv[3], "ttyfg"])
out = b""
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
print(out.decode().strip(), os.waitstatus_to_exitcode(st))
PY
)
expect "run in the foreground on the caller's terminal" "stdin-is-tty 6" "$out"

# --- mounts and root
b=$(bundle mnt '["sh","-c","cat /etc/injected; echo x > /tmp/f && cat /tmp/f"]' "
open('$T/inj', 'w').write('injected-file\n')
c['mounts'].append({'destination': '/etc/injected', 'type': 'bind', 'source': '$T/inj', 'options': ['rbind', 'ro']})
c['mounts'].append({'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid']})
c['root']['readonly'] = False
")
expect "file bind + tmpfs /tmp" "injected-file|x|" "$(C run --bundle "$b" mnt </dev/null | tr '\n' '|')"
# directory binds: oci_mounts.sh; another file system is refused
b=$(bundle mntd '["true"]' "c['mounts'].append({'destination': '/data', 'type': 'nfs', 'source': 'h:/x'})")
C run --bundle "$b" mntd </dev/null 2>"$T/e"; [ $? -ne 0 ] && ok "nfs mount refused" || fail "nfs mount silently ignored"
contains "nfs mount message" "not supported" "$(cat "$T/e")"
# the runtime's name resolution files, and a bundle's own /etc/hosts over them
b=$(bundle nethosts '["sh","-c","cat /etc/hosts /etc/hostname; grep -c localhost /etc/hosts"]' "
open('$T/hosts', 'w').write('10.1.2.3 from-bundle\\n')
c['mounts'].append({'destination': '/etc/hosts', 'type': 'bind', 'source': '$T/hosts', 'options': ['rbind', 'ro']})
c['hostname'] = 'oci-net'
c['root']['readonly'] = False
")
expect "bundle's /etc/hosts wins, /etc/hostname from the spec" "10.1.2.3 from-bundle|oci-net|0|" "$(C run --bundle "$b" nethosts </dev/null | tr '\n' '|')"
b=$(bundle nethosts2 '["sh","-c","grep -c localhost /etc/hosts; cat /etc/hostname"]' "c['hostname'] = 'oci-net2'; c['root']['readonly'] = False")
expect "runtime /etc/hosts and /etc/hostname" "2|oci-net2|" "$(C run --bundle "$b" nethosts2 </dev/null | tr '\n' '|')"
b=$(bundle ro '["sh","-c","touch /newfile 2>/dev/null && echo wrote || echo read-only"]')
expect "readonly root" read-only "$(C run --bundle "$b" ro </dev/null)"

# --- the other platform: the same verbs over ptrace
b=$(bundle pt '["sh","-c","echo on-ptrace; exit 4"]')
expect "run --platform ptrace" "on-ptrace" "$("$CVISOR" --root "$ROOT" --platform ptrace run --bundle "$b" pt </dev/null)"
"$CVISOR" --root "$ROOT" --platform ptrace run --bundle "$b" pt2 </dev/null >/dev/null; expect "ptrace exit code" 4 $?

# --- hooks: host ones get the state on stdin; container ones run in the sandbox
b=$(bundle hk '["true"]' "
c['process']['args'] = ['sh', '-c', 'grep -c \\'\\\"id\\\": \\\"hk\\\"\\' /tmp/created.json; cat /tmp/started']
def host(name):
    return {'path': '/bin/sh', 'args': ['sh', '-c', 'cat > $T/hook.' + name + '.json']}
c['hooks'] = {'prestart': [host('prestart')], 'createRuntime': [host('createRuntime')],
              'poststart': [host('poststart')], 'poststop': [host('poststop')],
              'createContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'cat > /tmp/created.json']}],
              'startContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'echo started-hook > /tmp/started'], 'timeout': 5}]}
c['root']['readonly'] = False
")
C create --bundle "$b" hk </dev/null >"$T/hk.out"; expect "create with hooks" 0 $?
for h in prestart createRuntime; do
	contains "$h hook got the state" '"id": "hk"' "$(cat "$T/hook.$h.json" 2>/dev/null)"
done
[ ! -e "$T/hook.poststart.json" ] && ok "poststart not before start" || fail "poststart ran at create"
C start hk; C wait hk >/dev/null
contains "poststart hook ran" '"status": "running"' "$(cat "$T/hook.poststart.json" 2>/dev/null)"
expect "container hooks ran inside" "1|started-hook|" "$(tr '\n' '|' <"$T/hk.out")"
C delete hk
contains "poststop hook ran" '"status": "stopped"' "$(cat "$T/hook.poststop.json" 2>/dev/null)"
b=$(bundle hkfail '["true"]' "c['hooks'] = {'createRuntime': [{'path': '/bin/false'}]}")
C create --bundle "$b" hkfail </dev/null 2>"$T/e"; [ $? -ne 0 ] && ok "failing createRuntime hook fails create" || fail "hook failure ignored"
contains "hook failure message" "createRuntime" "$(cat "$T/e")"
expect "failed create leaves nothing" none "$(status_of hkfail)"

echo "$fails failure(s)"
[ $fails -eq 0 ]
