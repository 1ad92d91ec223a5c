#!/bin/sh
# oci_cgroup.sh CVISOR ROOTFS: linux.resources through the container's
# cgroup (v2, else v1): a memory limit being hit kills the sandbox and
# run/wait/state report it; update changes limits; delete removes the cgroup.
# Exit 77 (skip) when no writable cgroup hierarchy is mounted.
CVISOR=$1 ROOTFS=$2
. "$(dirname "$0")/oci_lib.sh"

if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
	v=2 cg=/sys/fs/cgroup/cvisor
	memf=memory.max
elif [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ]; then
	v=1 cg=/sys/fs/cgroup/memory/cvisor
	memf=memory.limit_in_bytes
else
	echo "SKIP: no cgroup hierarchy mounted"; exit 77
fi
if ! mkdir -p "$cg/.probe-$$" 2>/dev/null; then
	echo "SKIP: cgroups not writable here"; exit 77
fi
rmdir "$cg/.probe-$$"
echo "cgroup v$v"
memdir() { if [ $v = 2 ]; then echo /sys/fs/cgroup/cvisor/$1; else echo /sys/fs/cgroup/memory/cvisor/$1; fi; }
pidsdir() { if [ $v = 2 ]; then echo /sys/fs/cgroup/cvisor/$1; else echo /sys/fs/cgroup/pids/cvisor/$1; fi; }

hog='["awk","BEGIN{s=\"xxxxxxxxxxxxxxxx\"; while (1) s = s s}"]'
lim='c["linux"]["resources"] = {"memory": {"limit": 33554432}, "pids": {"limit": 64}}'

# foreground: the run ends with SIGKILL's status
b=$(bundle oomfg "$hog" "$lim")
C run --bundle "$b" oomfg </dev/null 2>/dev/null; expect "run over the memory limit -> 137" 137 $?
[ ! -d "$(memdir oomfg)" ] && ok "run removed its cgroup" || fail "cgroup left behind"

# detached: wait and state report it
b=$(bundle oombg "$hog" "$lim")
C create --bundle "$b" oombg </dev/null; expect "create" 0 $?
expect "memory limit set" 33554432 "$(cat "$(memdir oombg)/$memf")"
expect "pids limit set" 64 "$(cat "$(pidsdir oombg)/pids.max")"
C start oombg
C wait oombg >/dev/null; expect "wait after the memory limit -> 137" 137 $?
expect "state stopped" stopped "$(status_of oombg)"
C delete oombg; expect "delete" 0 $?
[ ! -d "$(memdir oombg)" ] && ok "delete removed the cgroup" || fail "cgroup left behind"

# a sandbox under its limit runs normally; update changes the limits
b=$(bundle upd '["sleep","100"]' 'c["linux"]["resources"] = {"memory": {"limit": 268435456}}')
C run -d --bundle "$b" upd </dev/null
expect "under the limit: running" running "$(status_of upd)"
procs=$(cat "$(memdir upd)/cgroup.procs" | wc -l)
[ "$procs" -ge 2 ] && ok "sandbox processes in the cgroup ($procs)" || fail "cgroup.procs has $procs"
C update --memory 200m --pids-limit 50 upd; expect "update" 0 $?
expect "updated memory" 209715200 "$(cat "$(memdir upd)/$memf")"
expect "updated pids" 50 "$(cat "$(pidsdir upd)/pids.max")"
C update --cpu-quota 50000 --cpu-period 100000 upd; expect "update cpu" 0 $?
if [ $v = 2 ]; then
	expect "cpu.max" "50000 100000" "$(cat /sys/fs/cgroup/cvisor/upd/cpu.max)"
else
	expect "cfs quota/period" "50000 100000" \
		"$(cat /sys/fs/cgroup/cpu/cvisor/upd/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cvisor/upd/cpu.cfs_period_us)"
fi
echo '{"memory": {"limit": 150000000}, "pids": {"limit": 40}}' >"$T/res.json"
C update -r "$T/res.json" upd; expect "update -r" 0 $?
expect "updated memory (-r)" 150000000 "$(cat "$(memdir upd)/$memf" | sed 's/^149999616$/150000000/;s/^150003712$/150000000/')"
expect "updated pids (-r)" 40 "$(cat "$(pidsdir upd)/pids.max")"
echo '{"blockIO": {"weight": 10}}' >"$T/bad.json"
C update -r "$T/bad.json" upd 2>/dev/null; [ $? -ne 0 ] && ok "unsupported resource refused" || fail "blockIO accepted"
expect "still running" running "$(status_of upd)"
"$CVISOR" --root "$T/other-root" run -d --bundle "$b" upd </dev/null 2>"$T/e"
[ $? -ne 0 ] && ok "same id under another --root refused" || fail "two containers share a cgroup"
contains "cgroup in use message" "in use" "$(cat "$T/e")"
expect "first one untouched" running "$(status_of upd)"
C delete --force upd
[ ! -d "$(memdir upd)" ] && ok "delete --force removed the cgroup" || fail "cgroup left behind"

echo "$fails failure(s)"
[ $fails -eq 0 ]
