#!/bin/sh
# oci_podman.sh CVISOR ROOTFS: a real container engine end to end: podman
# (with conmon as the shim) driving `cvisor` as its OCI runtime, on an image
# imported from a tarball of ROOTFS (no registry, no network).  Everything
# podman keeps lives under a temp dir (--root/--runroot/--tmpdir, vfs
# storage, cgroupfs, file events), so the host's podman state is neither
# used nor touched.  Exit 77 (skip, with the reason) when podman is missing.
CVISOR=$1 ROOTFS=$2
. "$(dirname "$0")/oci_lib.sh"
if ! command -v podman >/dev/null 2>&1; then
	echo "SKIP: podman not installed (apt-get install podman; scripts/install-deps.sh)"; exit 77
fi
CVISOR=$(realpath "$CVISOR")
mkdir -p "$T/pm/tmp"
PM() {
	podman --root "$T/pm/root" --runroot "$T/pm/run" --tmpdir "$T/pm/tmp" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
		--runtime "$CVISOR" "$@"
}
cleanup_pm() {
	PM rm -af -t 0 >/dev/null 2>&1
	PM rmi -af >/dev/null 2>&1
}
trap 'cleanup_pm; cleanup' EXIT
IMG=localhost/cvisor-test/busybox:1
tar -C "$ROOTFS" -cf "$T/rootfs.tar" . || exit 2
if ! PM import "$T/rootfs.tar" "$IMG" >"$T/import.out" 2>&1; then
	fail "podman import"; cat "$T/import.out" >&2; exit 1
fi
ok "podman import of the rootfs"
R() { PM run --network=none "$@"; }

expect "run --rm echo" hello "$(R --rm "$IMG" echo hello 2>"$T/e1")" || cat "$T/e1" >&2
R --rm "$IMG" sh -c 'exit 3' 2>/dev/null; expect "run exit code" 3 $?
expect "run env and hostname" "podman box1" \
	"$(R --rm --hostname box1 "$IMG" sh -c 'echo $container $(hostname)' 2>&1)"
# podman's file binds are copied in (/run made on the way)
expect "file bind /etc/hostname" box2 \
	"$(R --rm --hostname box2 "$IMG" cat /etc/hostname 2>&1)"
expect "file bind /run/.containerenv" yes \
	"$(R --rm "$IMG" sh -c 'test -f /run/.containerenv && echo yes' 2>&1)"
expect "run -i with stdin piped" 3 "$(printf 'a\nb\nc\n' | R --rm -i "$IMG" wc -l 2>&1)"
out=$(R --rm -t "$IMG" sh -c 'tty; echo on-a-tty' 2>&1 | tr -d '\r')
contains "run -t: a pty" /dev/pts/ "$out"
contains "run -t: output" on-a-tty "$out"
# volumes: directory binds served by the Gofer, rw and ro
mkdir -p "$T/vol" "$T/volro"; echo from-host >"$T/volro/f"
expect "volume -v rw: the host sees the write" in-vol \
	"$(R --rm -v "$T/vol:/vol" "$IMG" sh -c 'echo in-vol >/vol/out' 2>&1; cat "$T/vol/out" 2>&1)"
expect "volume -v ro: read, write refused" "from-host refused" \
	"$(R --rm -v "$T/volro:/ro:ro" "$IMG" sh -c 'cat /ro/f; (echo x >/ro/g) 2>/dev/null || echo refused' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
# pid 1 ignores its own default-action signals, as in a pid namespace
expect "pid 1 survives kill -TERM \$\$" survived \
	"$(R --rm "$IMG" sh -c 'kill -TERM $$; echo survived' 2>&1)"

# detached: exec, exec -i, exit codes of exec, stop of a pid 1 with a handler
id=$(R -d "$IMG" sh -c 'trap "exit 0" TERM; echo ready; while :; do sleep 0.1; done' 2>"$T/d.err")
ids="$id"
[ -n "$id" ] || { fail "run -d"; cat "$T/d.err" >&2; }
expect "state running" running "$(PM inspect -f '{{.State.Status}}' "$id" 2>&1)"
expect "exec" in-exec "$(PM exec "$id" echo in-exec 2>&1)"
PM exec "$id" sh -c 'exit 7' 2>/dev/null; expect "exec exit code" 7 $?
expect "exec -i stdin" hi "$(echo hi | PM exec -i "$id" cat 2>&1)"
contains "exec ps sees pid 1" "sleep" "$(PM exec "$id" ps 2>&1)"
expect "logs" ready "$(PM logs "$id" 2>&1)"
PM stop -t 20 "$id" >/dev/null 2>"$T/stop.err" || { fail "stop"; cat "$T/stop.err" >&2; }
expect "stop: the TERM trap ran (exit 0)" 0 "$(PM inspect -f '{{.State.ExitCode}}' "$id" 2>&1)"
PM rm "$id" >/dev/null 2>&1; expect "rm" 0 $?

# stop of a pid 1 without a handler: TERM is dropped, SIGKILL after the timeout
id=$(R -d "$IMG" sleep 600 2>/dev/null)
ids="$ids $id"
PM stop -t 1 "$id" >/dev/null 2>&1
expect "stop of a handler-less pid 1: SIGKILL (137)" 137 "$(PM inspect -f '{{.State.ExitCode}}' "$id" 2>&1)"
PM rm "$id" >/dev/null 2>&1
# kill from outside with a signal pid 1 handles
id=$(R -d "$IMG" sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done' 2>/dev/null)
ids="$ids $id"
PM kill -s USR1 "$id" >/dev/null 2>&1
expect "kill -s USR1 reaches the handler" 9 "$(PM wait "$id" 2>&1)"
PM rm "$id" >/dev/null 2>&1
expect "nothing left" "" "$(PM ps -aq 2>&1)"
# podman passes no --root: cvisor's state is under its default /run/cvisor
left=""
for c in $ids; do
	"$CVISOR" list -q 2>/dev/null | grep -qx "$c" && left="$left $c"
done
expect "no cvisor state left behind by podman rm" "" "$left"

echo "$fails failure(s)"
[ $fails -eq 0 ]
