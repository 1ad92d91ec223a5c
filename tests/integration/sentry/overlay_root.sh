#!/bin/sh
# overlay_root.sh CVISOR PLATFORM
#
# The overlay root of `cvisor do`, differentially: one busybox script that
# writes, creates, deletes, renames and chmods across the root runs
#   - natively (busybox sh) on a scratch copy of a throw-away rootfs, with
#     every path prefixed by $R, and
#   - in the sandbox on the rootfs itself, with R empty;
# its transcript and the resulting tree (types, modes, owners, sizes,
# contents, "old" vs "new" mtimes) must be identical, and the host tree
# under the sandbox must be byte-for-byte unchanged afterwards (also after a
# run with --overlay=none, whose writes must fail with EROFS).
set -eu
cvisor=$(realpath "$1") platform=$2
here=$(dirname "$(realpath "$0")")
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
lower=$tmp/lower native=$tmp/native

sh "$here/../../../scripts/make-busybox-rootfs.sh" "$lower" >/dev/null
# Extra lower content: a directory to remove and recreate, a big file
# (copy-up streams it), a file to rename, one to truncate, one to chown.
mkdir -p "$lower/srv/data/sub" "$lower/srv/many" "$lower/home/user"
echo one >"$lower/srv/data/f1"
echo two >"$lower/srv/data/sub/f2"
i=0
while [ $i -lt 300 ]; do : >"$lower/srv/many/file-$i"; i=$((i + 1)); done
# a directory big enough for several getdents64 calls
mkdir "$lower/srv/lots"
(cd "$lower/srv/lots" && seq -f 'a-rather-long-file-name-to-fill-buffers-%04g' 0 2499 | xargs touch)
head -c 300000 /dev/zero | tr '\0' 'z' >"$lower/srv/big"
echo "welcome" >"$lower/etc/motd"
echo "keep me" >"$lower/srv/trunc"
echo "mine" >"$lower/srv/owned"
echo "rc" >"$lower/home/user/.profile"
for j in 1 2 3 4; do echo "$j" >"$lower/srv/c$j"; done
mkdir -p "$lower/srv/nest/x/y" "$lower/srv/nest/z"
echo deep >"$lower/srv/nest/x/y/f"
ln -s x/y "$lower/srv/nest/link"
chmod 0640 "$lower/srv/owned"
# Everything old: mtimes tell copied-up objects from modified ones.
find "$lower" -exec touch -h -d @1577836800 {} +

cp -a "$lower" "$native"
# The runtime writes /etc/hosts, /etc/hostname and /etc/resolv.conf at boot
# (sentry/net/netfiles.h, checked by net_files.sh): the native copy gets
# the same files, taken from a sandbox of the same root.
for f in hosts hostname resolv.conf; do
	"$cvisor" do --rootfs "$lower" --platform="$platform" -- /bin/cat "/etc/$f" >"$native/etc/$f"
	chmod 0644 "$native/etc/$f"
done

host_listing() {
	(cd "$1" && find . -printf '%p %y %m %U %G %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
host_listing "$lower" >"$tmp/host.before"

cat >"$tmp/script.sh" <<'EOF'
say() { echo "$*"; }
ino() { ls -id "$1" | awk '{print $1}'; }
i1=$(ino "$R/etc/passwd")
echo "extra:x:1000:1000::/home/extra:/bin/sh" >>"$R/etc/passwd"
[ "$i1" = "$(ino "$R/etc/passwd")" ] && say "passwd ino stable" || say "passwd ino changed"
tail -1 "$R/etc/passwd"
rm "$R/bin/vi"; say "rm vi: $?"
[ -e "$R/bin/vi" ]; say "vi exists: $?"
ls "$R/bin" | wc -l
mkdir -p "$R/opt/a/b"; say "mkdir -p: $?"
echo x >"$R/opt/a/b/f"
mv "$R/etc/motd" "$R/opt/a/motd"; say "mv motd: $?"
cat "$R/opt/a/motd"
[ -e "$R/etc/motd" ]; say "motd still in etc: $?"
mv "$R/opt/a" "$R/opt/c"; say "mv upper dir: $?"
ln -s ../etc/hostname "$R/srv/link"; say "ln -s: $?"
cat "$R/srv/link" >/dev/null; say "read through link: $?"
chmod 600 "$R/etc/group"; say "chmod: $?"
chmod 4755 "$R/srv/owned"
chown 12:34 "$R/srv/owned"; say "chown: $?"
touch -d '2021-06-01 00:00:00' "$R/etc/hostname"; say "touch -d: $?"
: >"$R/srv/trunc"; say "truncate: $?"
wc -c <"$R/srv/trunc"
echo tail >>"$R/srv/big"
md5sum <"$R/srv/big"
rmdir "$R/srv/data" 2>/dev/null; say "rmdir non-empty: $?"
rm -rf "$R/srv/data"; say "rm -rf lower dir: $?"
[ -e "$R/srv/data" ]; say "data exists: $?"
mkdir "$R/srv/data"; say "mkdir again: $?"
ls -a "$R/srv/data"
echo new >"$R/srv/data/f1"
ls "$R/srv/data"
rm -rf "$R/srv/many"; say "rm -rf 300 files: $?"
ls "$R/srv/lots" | md5sum
find "$R/srv/lots" | wc -l
rm "$R/srv/lots/"*[13579]; say "rm half: $?"
touch "$R/srv/lots/zz-new"
ls "$R/srv/lots" | md5sum
find "$R/srv/lots" | wc -l
rm -rf "$R/srv/lots"; say "rm -rf lots: $?"
[ -e "$R/srv/many" ]; say "many exists: $?"
mv "$R/home/user" "$R/home/people"; say "mv lower dir: $?"
cat "$R/home/people/.profile"
rm "$R/srv/nest/x/y/f"; echo later >"$R/srv/nest/z/g"
i1=$(ino "$R/srv/nest/x")
mv "$R/srv/nest" "$R/opt/nest2"; say "mv nested lower dir: $?"
[ "$i1" = "$(ino "$R/opt/nest2/x")" ] && say "moved ino stable" || say "moved ino changed"
[ -e "$R/srv/nest" ]; say "nest exists: $?"
mkdir "$R/srv/nest"; ls -a "$R/srv/nest"
cat "$R/opt/nest2/z/g"; ls "$R/opt/nest2/link/"
mkdir "$R/srv/empty"; rmdir "$R/srv/empty"; say "rmdir upper: $?"
ln "$R/srv/trunc" "$R/srv/trunc2"; say "link: $?"
echo same >"$R/srv/trunc2"; cat "$R/srv/trunc"
mv "$R/srv/trunc2" "$R/srv/renamed"; say "mv file: $?"
for j in 1 2 3 4; do
	(mkdir -p "$R/usr/share/w$j" && echo "w$j" >>"$R/etc/group" &&
		touch "$R/home/user$j" && rm "$R/srv/c$j") &
done
wait
# (the appends' order is not deterministic, natively either)
sort "$R/etc/group" >"$R/tmp/group.sorted"
cat "$R/tmp/group.sorted" >"$R/etc/group"
cat "$R/etc/group"
ls "$R/usr/share"
ls "$R/"
ls -a "$R/srv"
ls -a "$R/etc"
cd "$R/" && find . -path ./proc -prune -o -path ./dev -prune -o -path ./tmp -prune -o -print |
	LC_ALL=C sort | while read -r p; do
	t=$(stat -c %F "$p")
	if [ "$t" = directory ]; then
		line=$(stat -c '%n %F %a %u %g' "$p")
	else
		line=$(stat -c '%n %F %a %u %g %s' "$p")
	fi
	mt=$(stat -c %Y "$p")
	[ "$mt" = 1577836800 ] && mt=old
	[ "$mt" = 1622505600 ] || [ "$mt" = old ] || mt=new
	sum=
	[ "$t" = "regular file" ] && sum=$(md5sum <"$p")
	[ "$t" = "regular empty file" ] && sum=empty
	echo "$line $mt $sum"
done
EOF

set +e
(cd "$native" && env -i PATH="$native/bin" R="$native" TZ=UTC \
	"$native/bin/busybox" sh "$tmp/script.sh") >"$tmp/native.out" 2>&1
nst=$?
"$cvisor" do --rootfs "$lower" --platform="$platform" -- \
	/bin/sh -c "TZ=UTC R= exec sh -s 2>&1" <"$tmp/script.sh" >"$tmp/sandbox.out" 2>"$tmp/sandbox.err"
sst=$?
# /proc/mounts names the overlay; --overlay=none keeps the root read-only.
m=$("$cvisor" do --rootfs "$lower" --platform="$platform" -- /bin/head -n 1 /proc/mounts)
ro=$("$cvisor" do --rootfs "$lower" --platform="$platform" --overlay=none -- \
	/bin/sh -c 'echo x >>/etc/passwd || echo refused; mkdir /newdir || echo refused' 2>&1)
set -e
host_listing "$lower" >"$tmp/host.after"
fail=0
case $m in
"overlay / overlay rw"*) ;;
*) echo "/proc/mounts: $m"; fail=1 ;;
esac
case $ro in
*"Read-only file system"*refused*"Read-only file system"*refused*) ;;
*) echo "--overlay=none: $ro"; fail=1 ;;
esac
if ! cmp -s "$tmp/host.before" "$tmp/host.after"; then
	echo "the host tree changed:"
	diff -u "$tmp/host.before" "$tmp/host.after" | head -40
	fail=1
fi
[ -s "$tmp/native.out" ] || { echo "native run printed nothing"; fail=1; }
if ! diff -u "$tmp/native.out" "$tmp/sandbox.out"; then
	cat "$tmp/sandbox.err"
	fail=1
fi
[ "$nst" -eq "$sst" ] || { echo "status native $nst sandbox $sst"; fail=1; }
[ $fail -eq 0 ] || exit 1
echo "ok: $(wc -l <"$tmp/native.out") identical lines, host tree unchanged"
