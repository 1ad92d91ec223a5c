#!/bin/sh
# oci_mounts.sh CVISOR ROOTFS: directory bind mounts of config.json (and
# `cvisor do -v`), served by the Gofer: rw writes reach the host, ro gets
# EROFS and leaves the host untouched, missing and nested destinations,
# mountinfo, and escapes through .., symlinks (in the source and in the
# destination) and /proc/self/fd, which must stay inside the sandbox.
CVISOR=$1 ROOTFS0=$2
. "$(dirname "$0")/oci_lib.sh"
# container ids end with our pid: the cgroup is named by the id alone
# (docs/oci.md), and another build may run this script at the same time
I=m$$

# a private copy of the rootfs: symlinks are added to it
ROOTFS=$T/rootfs
cp -a "$ROOTFS0" "$ROOTFS" || exit 2
ln -s ../../../../../../../../../..$T/hostside "$ROOTFS/escape_rel"
ln -s "$T/hostside" "$ROOTFS/escape_abs"
mkdir -p "$T/hostside"
echo host-secret >"$T/secret"
echo sandbox-side >"$ROOTFS/secret" # what .. from /data must find

RW=$T/rw RO=$T/ro IN=$T/inner
mkdir -p "$RW/sub/deeper" "$RO/d" "$IN"
echo hello >"$RW/sub/deeper/hello.txt"
head -c 12582912 /dev/urandom >"$RW/big.bin" # 12 MiB: more than a 9P message
big_sum=$(md5sum <"$RW/big.bin" | cut -d' ' -f1)
echo keep >"$RO/d/keep"
echo inner >"$IN/inner.txt"
# escapes planted in the sources
ln -s ../secret "$RW/up_link"
ln -s "$T/secret" "$RW/abs_link"
ln -s / "$RW/root_link"
ro_before=$(cd "$RO" && find . -exec stat -c '%n %s %Y %a' {} \; | sort | md5sum)

b=$(bundle binds '["sh","/data/run.sh"]' '
c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["mounts"] += [
  {"destination": "/data", "type": "bind", "source": "'"$RW"'", "options": ["rbind", "rw"]},
  {"destination": "/data/inner", "source": "'"$IN"'", "options": ["bind"]},
  {"destination": "/ro", "source": "'"$RO"'", "options": ["bind", "ro"]},
  {"destination": "/not/there/yet", "type": "bind", "source": "'"$IN"'", "options": ["ro"]},
  {"destination": "/escape_rel/x", "source": "'"$IN"'", "options": ["bind", "ro"]},
  {"destination": "/escape_abs/y", "source": "'"$IN"'", "options": ["bind", "ro"]},
]')
chmod 0777 "$RW" "$IN"
cat >"$RW/run.sh" <<'EOF'
echo "read: $(cat /data/sub/deeper/hello.txt)"
echo "big: $(md5sum </data/big.bin | cut -d' ' -f1) $(stat -c %s /data/big.bin)"
echo "ls: $(ls /data/sub)"
echo from-sandbox >/data/written.txt && echo "write: ok"
mkdir /data/newdir && echo "in dir" >/data/newdir/f && echo "mkdir: ok"
mv /data/newdir/f /data/newdir/g && echo "rename: ok"
echo more >>/data/written.txt
echo "owner: $(stat -c %u:%g /data/written.txt)"
echo abcdef >/data/meta && chmod 640 /data/meta && truncate -s 3 /data/meta && touch -d "2020-01-02 03:04:05" /data/meta && echo "meta: $(stat -c '%a %s %Y' /data/meta)"
echo "inner: $(cat /data/inner/inner.txt)"
echo x >/ro/new 2>/dev/null; echo "ro create: $?"
echo x >>/ro/d/keep 2>/dev/null; echo "ro append: $?"
rm /ro/d/keep 2>/dev/null; echo "ro rm: $?"
touch /ro/d/keep 2>/dev/null; echo "ro touch: $?"
mkdir /ro/nd 2>/dev/null; echo "ro mkdir: $?"
touch /ro/z 2>&1 | grep -q 'Read-only file system' && echo "ro errno: EROFS"
echo "missing dest: $(cat /not/there/yet/inner.txt)"
echo "escape_rel: $(cat /escape_rel/x/inner.txt) escape_abs: $(cat /escape_abs/y/inner.txt)"
grep ' 9p ' /proc/self/mountinfo | cut -d' ' -f4,5,7,8
grep ' 9p ' /proc/mounts | cut -d' ' -f2,4
EOF
# as root (the Sentry's /proc/PID/fd is root's 0500, whatever the process's uid)
cat >"$RW/escape.sh" <<'EOF'
# escapes: every one of these must stay inside the sandbox
echo "up_link: $(cat /data/up_link)"
cat /data/abs_link 2>/dev/null; echo "abs_link: $?"
ls /data/root_link/bin/busybox >/dev/null 2>&1 && echo "root_link: the sandbox's /"
ls /data/../bin/busybox >/dev/null 2>&1 && echo "dotdot: the sandbox's /"
echo "dotdot secret: $(cat /data/../secret /data/../../secret /data/sub/../../../secret | tr '\n' ' ')"
exec 3</data
echo "fd secret: $(cat /proc/self/fd/3/../secret)"
ls /proc/self/fd/3/../bin/busybox >/dev/null 2>&1 && echo "fd dotdot: the sandbox's /"
ln /etc/passwd /data/pw 2>/dev/null; echo "link across: $?"
mv /data /moved 2>/dev/null; echo "mv mountpoint: $?"
rmdir /data 2>/dev/null; echo "rmdir mountpoint: $?"
EOF
out=$(C run --bundle "$b" binds$I </dev/null 2>"$T/binds.err"); rc=$?
out="$out
$(C run --bundle "$(bundle esc '["sh","/data/escape.sh"]' '
c["root"]["readonly"] = False
c["mounts"] += [{"destination": "/data", "source": "'"$RW"'", "options": ["bind", "ro"]}]')" esc$I </dev/null 2>&1)"
echo "$out"
expect "run exit" 0 "$rc"
[ "$rc" = 0 ] || tail -5 "$T/binds.err" >&2
contains "reads a host file" "read: hello" "$out"
contains "reads a 12 MiB host file" "big: $big_sum 12582912" "$out"
contains "lists a host subdirectory" "ls: deeper" "$out"
contains "writes" "write: ok" "$out"
contains "mkdir" "mkdir: ok" "$out"
contains "rename" "rename: ok" "$out"
expect "the host sees the write" "from-sandbox
more" "$(cat "$RW/written.txt" 2>&1)"
expect "the host sees the directory" "in dir" "$(cat "$RW/newdir/g" 2>&1)"
expect "created as the process's uid" "1000" "$(stat -c %u "$RW/written.txt")"
contains "owner in the sandbox" "owner: 1000:1000" "$out"
contains "chmod, truncate, utimes" "meta: 640 3 1577934245" "$out"
expect "chmod, truncate, utimes reach the host" "640 3 1577934245" "$(stat -c '%a %s %Y' "$RW/meta")"
contains "nested bind" "inner: inner" "$out"
for op in create append rm touch mkdir; do
	contains "ro $op fails" "ro $op: 1" "$out"
done
contains "ro: EROFS" "ro errno: EROFS" "$out"
ro_after=$(cd "$RO" && find . -exec stat -c '%n %s %Y %a' {} \; | sort | md5sum)
expect "the ro host dir is unchanged" "$ro_before" "$ro_after"
contains "missing destination created" "missing dest: inner" "$out"
contains "../ symlink in the source stays inside" "up_link: sandbox-side" "$out"
contains "absolute symlink in the source stays inside" "abs_link: 1" "$out"
contains "symlink to / is the sandbox's /" "root_link: the sandbox's /" "$out"
contains ".. from the mount is the sandbox's /" "dotdot: the sandbox's /" "$out"
contains ".. never reaches the host" "dotdot secret: sandbox-side sandbox-side sandbox-side" "$out"
contains "/proc/self/fd/N/.. stays inside" "fd secret: sandbox-side" "$out"
case $out in *host-secret*) fail "a host file outside the binds was read" ;; *) ok "no host file outside the binds read" ;; esac
contains "/proc/self/fd/N/.. is the sandbox's /" "fd dotdot: the sandbox's /" "$out"
contains "hard link across mounts" "link across: 1" "$out"
contains "a mount point does not move" "mv mountpoint: 1" "$out"
contains "a mount point is not removed" "rmdir mountpoint: 1" "$out"
contains "destination symlinks resolved inside the root" "escape_rel: inner escape_abs: inner" "$out"
expect "nothing mounted or created on the host side" "" "$(ls -A "$T/hostside")"
# mountinfo: mount id, parent id, fstype source (field 9, 10) in order
contains "mountinfo /data" "/ /data - 9p" "$out"
contains "mountinfo /data/inner" "/ /data/inner - 9p" "$out"
contains "mountinfo: destination symlinks shown resolved" "/ $T/hostside/x - 9p" "$out"
contains "/proc/mounts ro" "/ro ro" "$out"
contains "/proc/mounts rw" "/data rw" "$out"
# nested: /data/inner's parent is /data's mount id
minfo=$(C run --bundle "$(bundle minfo '["cat","/proc/self/mountinfo"]' '
c["mounts"] += [
  {"destination": "/data", "source": "'"$RW"'", "options": ["bind"]},
  {"destination": "/data/inner", "source": "'"$IN"'", "options": ["bind", "ro"]},
]')" minfo$I </dev/null 2>&1)
nested=$(echo "$minfo" | awk '$5 == "/data" { d = $1 } $5 == "/data/inner" { p = $2 } END { print (d != "" && d == p) ? "yes" : "no" }')
expect "mountinfo: /data/inner's parent is /data" yes "$nested"

# the source is the host's path, resolved on the host (as runc): a symlink
# or .. in it is followed there; a missing source is refused
ln -s "$RW" "$T/rw_link"
b=$(bundle srclink '["cat","/d/sub/deeper/hello.txt"]' '
c["mounts"] += [{"destination": "/d", "source": "'"$T"'/rw_link/../rw", "options": ["bind", "ro"]}]')
expect "source symlink/.. resolved on the host" hello "$(C run --bundle "$b" srclink$I </dev/null 2>&1)"
b=$(bundle nosrc '["true"]' '
c["mounts"] += [{"destination": "/d", "source": "'"$T"'/nope", "options": ["bind"]}]')
err=$(C run --bundle "$b" nosrc$I </dev/null 2>&1); rc=$?
[ $rc != 0 ] && ok "missing source refused" || fail "missing source: exit $rc"
contains "missing source: message" "No such file or directory" "$err"
expect "failed create leaves nothing" "" "$(C list -q)"
# a file at the destination of a directory bind
b=$(bundle notdir '["true"]' '
c["mounts"] += [{"destination": "/bin/busybox", "source": "'"$RW"'", "options": ["bind"]}]')
err=$(C run --bundle "$b" notdir$I </dev/null 2>&1); rc=$?
[ $rc != 0 ] && ok "directory bind over a file refused" || fail "bind over a file: exit $rc"
# over the root itself, directly or through a symlink (the rootfs copy's
# /escape_abs leads to a missing dir; /rootlink is made here): refused
ln -s / "$ROOTFS/rootlink"
for d in / /rootlink /etc/..; do
	b=$(bundle overroot '["true"]' '
c["mounts"] += [{"destination": "'"$d"'", "source": "'"$RW"'", "options": ["bind"]}]')
	C run --bundle "$b" overroot$I </dev/null >/dev/null 2>&1; rc=$?
	[ $rc != 0 ] && ok "bind over / ($d) refused" || fail "bind over / ($d): exit $rc"
	C delete --force overroot$I >/dev/null 2>&1
done
# a device (or socket) source: refused, never silently dropped
b=$(bundle devsrc '["true"]' '
c["mounts"] += [{"destination": "/nul", "source": "/dev/null", "options": ["bind"]}]')
err=$(C run --bundle "$b" devsrc$I </dev/null 2>&1); rc=$?
[ $rc != 0 ] && ok "device bind refused" || fail "device bind: exit $rc"
contains "device bind: message" "not supported" "$err"

# nosuid, nodev, noexec are the mount's flags: noexec refuses execve
cp "$ROOTFS/bin/busybox" "$IN/busybox"
b=$(bundle noexec '["sh","-c","/x/busybox true; echo exec=$?; /e/busybox echo ran; grep \" /x \" /proc/self/mountinfo | cut -d\" \" -f6"]' '
c["mounts"] += [
  {"destination": "/x", "source": "'"$IN"'", "options": ["bind", "ro", "noexec", "nosuid", "nodev"]},
  {"destination": "/e", "source": "'"$IN"'", "options": ["bind", "ro"]},
]')
expect "noexec bind" "exec=126
ran
ro,nosuid,nodev,noexec,relatime" "$(C run --bundle "$b" noexec$I </dev/null 2>/dev/null)"
rm -f "$IN/busybox"

# exec sees the mounts too
b=$(bundle execb '["sleep","30"]' '
c["mounts"] += [{"destination": "/data", "source": "'"$RW"'", "options": ["bind"]}]')
C create --bundle "$b" ex$I </dev/null >/dev/null 2>&1 && C start ex$I
expect "exec sees the bind" hello "$(C exec ex$I cat /data/sub/deeper/hello.txt 2>&1)"
C exec ex$I sh -c 'echo via-exec >/data/exec.txt'
expect "exec writes reach the host" via-exec "$(cat "$RW/exec.txt" 2>&1)"
C kill ex$I KILL >/dev/null 2>&1
C delete --force ex$I >/dev/null 2>&1

# cvisor do -v
out=$("$CVISOR" do --rootfs "$ROOTFS" -v "$RW:/w" --volume "$RO:/r:ro" -- sh -c \
	'cat /w/sub/deeper/hello.txt; echo do >/w/do.txt; (echo x >/r/x) 2>/dev/null || echo ro-refused' 2>&1)
expect "do -v" "hello
ro-refused" "$out"
expect "do -v writes reach the host" do "$(cat "$RW/do.txt" 2>&1)"
expect "do -v :ro,noexec" "ro,nosuid,noexec,relatime" "$("$CVISOR" do --rootfs "$ROOTFS" \
	-v "$RW:/w:ro,noexec,nosuid" -- sh -c 'grep " /w " /proc/self/mountinfo | cut -d" " -f6' 2>&1)"
out=$("$CVISOR" do --rootfs "$ROOTFS" -v "$RW:/w" -- sh -c \
	'mknod /w/null c 1 3 2>/dev/null; echo "mknod $?"; ls /w/null 2>/dev/null' 2>&1)
expect "no device node in a rw bind" "mknod 1" "$out"
[ -e "$RW/null" ] && fail "a device node reached the host" || ok "no device node on the host"
"$CVISOR" do --rootfs "$ROOTFS" -v "$T/nope:/x" -- true 2>/dev/null
expect "do -v missing source" 2 "$?"
"$CVISOR" do --rootfs "$ROOTFS" -v "$RW:relative" -- true 2>/dev/null
expect "do -v relative destination" 2 "$?"

[ $fails = 0 ] && echo "all passed" || echo "$fails failed"
[ $fails = 0 ]
