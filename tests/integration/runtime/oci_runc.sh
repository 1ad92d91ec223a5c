#!/bin/sh
# oci_runc.sh CVISOR ROOTFS: the same bundles under `runc` (the reference,
# Debian's runc package) and under cvisor: stdout and exit codes must match.
# Exit 77 (skip, with the reason) when runc is missing or cannot run here.
CVISOR=$1 ROOTFS=$2
. "$(dirname "$0")/oci_lib.sh"
RUNC=${RUNC:-$(command -v runc)}
if [ -z "$RUNC" ]; then
	echo "SKIP: runc not installed (apt-get install runc; scripts/install-deps.sh)"; exit 77
fi
RR=$T/runc-root
R() { "$RUNC" --root "$RR" "$@"; }
cleanup_runc() { for id in $(R list -q 2>/dev/null); do R delete --force "$id" >/dev/null 2>&1; done; }
trap 'cleanup_runc; cleanup' EXIT
b=$(bundle probe '["true"]')
if ! (cd "$b" && R run probe </dev/null >"$T/probe.out" 2>&1); then
	echo "SKIP: runc cannot run a container here: $(tail -1 "$T/probe.out")"; exit 77
fi

# Known differences, each with its reason; they are reported, not counted,
# and reported again when they start to match (then drop them from here).
KNOWN_DIFF=""

# same NAME ARGS_JSON [EDIT]: `run` under both, stdout + exit code compared
same() {
	case " $KNOWN_DIFF " in *" $1 "*) known=1 ;; *) known=0 ;; esac
	b=$(bundle "$1" "$2" "${3:-}")
	(cd "$b" && R run "r$1" </dev/null >"$T/$1.runc" 2>"$T/$1.runc.err"); rc=$?
	C run --bundle "$b" "c$1" </dev/null >"$T/$1.cvisor" 2>"$T/$1.cvisor.err"; cc=$?
	if [ $rc = $cc ] && cmp -s "$T/$1.runc" "$T/$1.cvisor"; then
		ok "$1 (exit $rc)"
		[ $known = 1 ] && echo "NOTE: $1 now matches runc: remove it from KNOWN_DIFF"
	elif [ $known = 1 ]; then
		echo "KNOWN DIFF: $1: runc exit $rc, cvisor exit $cc"
	else
		fail "$1: runc exit $rc, cvisor exit $cc"
		diff "$T/$1.runc" "$T/$1.cvisor" | head -20 >&2
		tail -3 "$T/$1.cvisor.err" >&2
	fi
}

same echo_exit '["sh","-c","echo one; echo two; exit 3"]'
same ids '["sh","-c","hostname; echo $FOO; pwd; id -u; id -g; id -G; ulimit -n; ulimit -Hn"]' '
c["hostname"] = "box1"
c["process"]["env"].append("FOO=bar baz")
c["process"]["cwd"] = "/tmp"
c["process"]["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6]}
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]
'
same sigkill '["sh","-c","echo before; kill -9 $$; echo after"]'
same init_ignores_term '["sh","-c","kill -TERM $$; echo survived"]'
same init_term_handler '["sh","-c","trap \"echo got-TERM; exit 5\" TERM; kill -TERM $$; echo after"]'
same init_child_kills '["sh","-c","sh -c \"kill -TERM 1; kill -KILL 1; kill -STOP 1\"; echo still-here"]'
same child_segv '["sh","-c","sh -c \"kill -SEGV \\$\\$\"; echo child=$?"]'
same readonly_root '["sh","-c","touch /newfile 2>/dev/null && echo wrote || echo read-only"]'
same pipeline '["sh","-c","seq 1 200 | sort -rn | head -3; echo $((6*7))"]'
same umask '["sh","-c","umask"]' 'c["process"]["user"]["umask"] = 63'
same args '["echo","a b","c"]'
same exit_255 '["sh","-c","exit 255"]'
same pid1 '["sh","-c","echo $$"]'

# lifecycle side by side: states seen, TERM to a trap, exec, KILL
b=$(bundle life '["sh","-c","trap \"echo got-TERM; exit 7\" TERM; echo ready; while :; do sleep 0.05; done"]')
runtime_seq() { # RUNTIME-FUNC ID: prints the sequence of observations
	rt=$1 id=$2
	st() { $rt state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
	(cd "$b" && $rt create "$id" </dev/null >"$T/$id.out" 2>/dev/null)
	echo "create=$? $(st)"
	$rt start "$id"; echo "start=$?"
	for i in $(seq 100); do grep -q ready "$T/$id.out" && break; sleep 0.05; done
	echo "$(st)"
	echo "exec: $($rt exec "$id" sh -c 'echo $((1+2)); exit 4') $?"
	$rt start "$id" 2>/dev/null; echo "start-again=$?"
	$rt delete "$id" 2>/dev/null; echo "delete-running=$?"
	$rt kill "$id" TERM; echo "kill=$?"
	for i in $(seq 100); do [ "$(st)" = stopped ] && break; sleep 0.05; done
	echo "$(st) pid=$($rt state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')"
	cat "$T/$id.out"
	$rt delete "$id"; echo "delete=$?"
	$rt state "$id" >/dev/null 2>&1; echo "state-after-delete=$?"
}
runtime_seq R rlife >"$T/seq.runc"
runtime_seq C clife >"$T/seq.cvisor"
if cmp -s "$T/seq.runc" "$T/seq.cvisor"; then ok "lifecycle sequence"; else
	fail "lifecycle sequence differs"; diff "$T/seq.runc" "$T/seq.cvisor" >&2; fi

# `kill` from outside of a pid 1 without a handler: TERM is dropped (the
# kernel protects a pid namespace's init), KILL always works.
b=$(bundle noh '["sh","-c","echo ready; exec sleep 60"]')
kill_seq() { # RUNTIME-FUNC ID
	rt=$1 id=$2
	st() { $rt state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
	(cd "$b" && $rt create "$id" </dev/null >"$T/$id.out" 2>/dev/null)
	$rt start "$id"; echo "start=$?"
	for i in $(seq 100); do grep -q ready "$T/$id.out" && break; sleep 0.05; done
	sleep 0.2 # past the exec of sleep
	$rt kill "$id" TERM; echo "kill-TERM=$?"
	sleep 0.5
	echo "after TERM: $(st)"
	$rt kill "$id" KILL; echo "kill-KILL=$?"
	for i in $(seq 200); do [ "$(st)" = stopped ] && break; sleep 0.05; done
	echo "after KILL: $(st)"
	$rt delete "$id"; echo "delete=$?"
}
kill_seq R rnoh >"$T/kseq.runc"
kill_seq C cnoh >"$T/kseq.cvisor"
if cmp -s "$T/kseq.runc" "$T/kseq.cvisor"; then ok "kill TERM/KILL of a handler-less pid 1"; else
	fail "kill TERM/KILL of a handler-less pid 1 differs"; diff "$T/kseq.runc" "$T/kseq.cvisor" >&2; fi
grep -q "after TERM: running" "$T/kseq.cvisor" || fail "TERM was not dropped"
# directory bind mounts (rw, ro, nested, a missing destination) on a private
# copy of the rootfs: runc makes the missing mount points in it
ROOTFS_SHARED=$ROOTFS ROOTFS=$T/rootfs-binds
cp -a "$ROOTFS_SHARED" "$ROOTFS" || exit 2
mkdir -p "$T/vol/sub" "$T/volro/d" "$T/volin"
echo hello >"$T/vol/sub/f"; echo ro >"$T/volro/d/f"; echo inner >"$T/volin/f"
head -c 3000000 /dev/urandom >"$T/vol/big"
ln -s ../../../../../../../etc "$ROOTFS/up" # a destination through it stays in the root
same binds '["sh","-c","cat /data/sub/f; md5sum </data/big; rm -rf /data/out /data/dir; echo w >/data/out; cat /data/out; mkdir /data/dir && echo y >/data/dir/y && ls /data/dir; ls /data; (echo x >/ro/x) 2>&1; (rm /ro/d/f) 2>&1; cat /ro/d/f; cat /missing/dir/f /data/nested/f /etc/volmnt/f; ls /data/.. | grep -c data; awk \"\\$5 ~ /^\\/(data|ro|missing|etc)/ {print \\$5, substr(\\$6, 1, 2)}\" /proc/self/mountinfo"]' '
c["mounts"] += [
  {"destination": "/data", "type": "bind", "source": "'"$T"'/vol", "options": ["rbind", "rw"]},
  {"destination": "/ro", "source": "'"$T"'/volro", "options": ["bind", "ro"]},
  {"destination": "/missing/dir", "source": "'"$T"'/volin", "options": ["bind", "ro"]},
  {"destination": "/data/nested", "source": "'"$T"'/volin", "options": ["bind"]},
  {"destination": "/up/volmnt", "source": "'"$T"'/volin", "options": ["bind", "ro"]},
]'
expect "binds: the host sees the write" w "$(cat "$T/vol/out" 2>&1)"
# tmpfs mounts away from the Sentry's own: a fresh tmpfs (1777), ro, nested
same tmpfs '["sh","-c","echo hi >/scratch/f && cat /scratch/f; stat -c %a /scratch; (echo x >/rotmp/g) 2>&1; ls /data/scratch2; awk \"\\$5 ~ /^\\/(scratch|rotmp|data)/ {for (i = 7; i <= NF; i++) if (\\$i == \\\"-\\\") print \\$5, substr(\\$6, 1, 2), \\$(i + 1)}\" /proc/self/mountinfo"]' '
c["mounts"] += [
  {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]},
  {"destination": "/rotmp", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]},
  {"destination": "/data/scratch2", "type": "tmpfs", "source": "tmpfs"},
]'
ROOTFS=$ROOTFS_SHARED

echo "$fails failure(s)"
[ $fails -eq 0 ]
