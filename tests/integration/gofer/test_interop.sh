#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Interop: Debian's diod 9P2000.L clients (diodls, diodcat), which nobody
# here wrote, against `cvisor gofer` (gofer_run) fully confined (namespaces,
# capabilities, seccomp).  Listings, sizes and contents are compared with the
# real directory; escapes through symlinks and ".." must fail.
#
# usage: test_interop.sh GOFER_RUN
set -u
GOFER=${1:?usage: test_interop.sh GOFER_RUN}
for t in diodls diodcat; do
	if ! command -v "$t" >/dev/null; then
		echo "SKIP: $t not installed (apt-get install diod)"
		exit 77
	fi
done

T=$(mktemp -d /tmp/cvisor-interop-XXXXXX)
GPID=
cleanup() {
	[ -n "$GPID" ] && kill "$GPID" 2>/dev/null && wait "$GPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -s "$T/gofer.err" ] && sed 's/^/gofer: /' "$T/gofer.err"
	exit 1
}

R=$T/root
mkdir -p "$R/sub/deep" "$R/empty" "$T/outside" "$T/data"
echo "hello interop" >"$R/hello.txt"
printf 'no newline' >"$R/sub/plain"
head -c 1048577 /dev/urandom >"$R/sub/big.bin"     # > 16 reads at msize 64 KiB
: >"$R/sub/deep/zero"
for i in $(seq 1 150); do echo "$i" >"$R/sub/deep/file-$i"; done   # several Treaddir rounds
echo SECRET >"$T/outside/secret"
ln -s "$T/outside/secret" "$R/abs_link"
ln -s ../outside/secret "$R/rel_link"
ln -s ../outside "$R/dir_link"
echo "bound data" >"$T/data/d.txt"

SOCK=$T/gofer.sock
"$GOFER" --root "$R" --ro --bind "$T/data:/data:ro" --socket "$SOCK" 2>"$T/gofer.err" &
GPID=$!
for _ in $(seq 1 100); do
	[ -S "$SOCK" ] && diodls -s "$SOCK" -a / / >/dev/null 2>&1 && break
	sleep 0.05
done
kill -0 "$GPID" 2>/dev/null || fail "gofer did not start"

# 1. listings: names of every directory equal the real ones; diodls hides
#    dot entries like ls, its long form shows them (. and .. included)
for d in / sub sub/deep empty; do
	want=$(cd "$R/$d" && ls | sort)
	got=$(diodls -s "$SOCK" -a / "$d" 2>&1 | sed '/^$/d' | sort) || fail "diodls $d"
	[ "$want" = "$got" ] || fail "listing of $d differs: want [$want] got [$got]"
	want=$(cd "$R/$d" && ls -a | sort)
	got=$(diodls -s "$SOCK" -a / -l "$d" 2>&1 | awk 'NF >= 9 {print $NF}' | sort) ||
		fail "diodls -l $d"
	[ "$want" = "$got" ] || fail "long listing of $d differs: want [$want] got [$got]"
done

# 2. long listing: size of every file of sub/ matches stat
while read -r name; do
	[ -f "$R/sub/$name" ] || continue   # diodls -l DIR lists the directory
	want=$(stat -c %s "$R/sub/$name")
	got=$(diodls -s "$SOCK" -a / -l "sub/$name" | awk '{print $5}')
	[ "$want" = "$got" ] || fail "size of sub/$name: want $want got $got"
done < <(cd "$R/sub" && ls -a)

# 3. contents, byte for byte
for f in hello.txt sub/plain sub/big.bin sub/deep/zero sub/deep/file-77; do
	diodcat -s "$SOCK" -a / "$f" >"$T/out" 2>"$T/cat.err" || fail "diodcat $f: $(cat "$T/cat.err")"
	cmp -s "$T/out" "$R/$f" || fail "contents of $f differ"
done

# 4. bind export
got=$(diodcat -s "$SOCK" -a /data d.txt) || fail "diodcat /data d.txt"
[ "$got" = "bound data" ] || fail "bind export contents: $got"

# 5. escapes: symlinks are never followed by the Gofer, ".." stops at the root
for f in abs_link rel_link dir_link/secret ../outside/secret ../../outside/secret \
	sub/../../outside/secret; do
	out=$(diodcat -s "$SOCK" -a / "$f" 2>&1) && fail "diodcat $f succeeded: $out"
	case "$out" in *SECRET*) fail "secret leaked through $f" ;; esac
done
out=$(diodls -s "$SOCK" -a /data .. 2>&1)
case "$out" in *hello.txt*) fail "bind export's .. reached the rootfs" ;; esac
out=$(diodls -s "$SOCK" -a /nope / 2>&1) && fail "attach to an unknown export succeeded"

# 6. many concurrent clients
for i in $(seq 1 8); do
	(diodcat -s "$SOCK" -a / sub/big.bin | cmp -s - "$R/sub/big.bin" || echo "client $i failed") &
done >"$T/conc" 2>&1
wait $(jobs -p | grep -v "^$GPID$") 2>/dev/null
[ -s "$T/conc" ] && fail "concurrent clients: $(cat "$T/conc")"

kill -0 "$GPID" 2>/dev/null || fail "gofer died"
echo "PASS: diodls/diodcat interop"
exit 0
