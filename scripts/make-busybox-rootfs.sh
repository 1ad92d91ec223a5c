#!/bin/sh
# make-busybox-rootfs.sh DIR
#
# Builds a minimal root filesystem around Debian's static busybox
# (package busybox-static, see scripts/install-deps.sh):
#   DIR/bin/busybox, one symlink per applet in DIR/bin, DIR/bin/sh,
#   DIR/sbin, DIR/usr/bin, DIR/usr/sbin -> bin,
#   DIR/etc/{passwd,group,hostname}, DIR/tmp (1777), DIR/proc, DIR/dev,
#   DIR/root, DIR/home.
# Idempotent: re-running over an existing DIR only refreshes what changed.
# The busybox binary may be overridden with BUSYBOX=/path/to/busybox.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
bb=${BUSYBOX:-/bin/busybox}

if [ ! -x "$bb" ]; then
	echo "$0: $bb not found; install Debian's busybox-static" >&2
	exit 1
fi
# The rootfs has no dynamic loader or libc: busybox must be static.
if command -v readelf >/dev/null 2>&1 && readelf -l "$bb" 2>/dev/null | grep -q 'INTERP'; then
	echo "$0: $bb is dynamically linked; install busybox-static" >&2
	exit 1
fi

mkdir -p "$dir/bin" "$dir/etc" "$dir/proc" "$dir/dev" "$dir/root" \
	"$dir/home" "$dir/tmp" "$dir/usr" "$dir/var"
chmod 1777 "$dir/tmp"
chmod 0700 "$dir/root"

# Copy to a temporary name then rename: never rewrite a busybox that a
# concurrent test may be executing (ETXTBSY), and never leave a torn copy.
if ! cmp -s "$bb" "$dir/bin/busybox" 2>/dev/null; then
	cp "$bb" "$dir/bin/.busybox.$$"
	chmod 0755 "$dir/bin/.busybox.$$"
	mv -f "$dir/bin/.busybox.$$" "$dir/bin/busybox"
fi

# One relative symlink per applet, all in bin/ (sbin and usr/* point there).
# Only create the links that are missing or wrong, so a re-run is cheap.
for applet in $("$dir/bin/busybox" --list) sh; do
	[ "$applet" = busybox ] && continue
	link=$dir/bin/$applet
	if [ -L "$link" ] && [ "$(readlink "$link")" = busybox ]; then
		continue
	fi
	rm -f "$link"
	ln -s busybox "$link"
done

for l in sbin:bin usr/bin:../bin usr/sbin:../bin; do
	name=${l%%:*}
	target=${l#*:}
	if [ -L "$dir/$name" ] && [ "$(readlink "$dir/$name")" = "$target" ]; then
		continue
	fi
	rm -rf "${dir:?}/$name"
	ln -s "$target" "$dir/$name"
done

write_if_changed() { # FILE CONTENT
	if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
		printf '%s\n' "$2" >"$1.tmp.$$"
		mv -f "$1.tmp.$$" "$1"
	fi
}

write_if_changed "$dir/etc/passwd" "root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false"
write_if_changed "$dir/etc/group" "root:x:0:
nogroup:x:65534:"
write_if_changed "$dir/etc/hostname" "cvisor"
