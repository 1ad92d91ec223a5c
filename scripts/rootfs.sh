#!/bin/sh
# rootfs.sh DIR
#
# The default pool's template, built offline from Debian packages already on
# the host (scripts/install-deps.sh installs them): the busybox-static tree of
# make-busybox-rootfs.sh plus python3 with its standard library, its
# extension modules and every shared library `ldd` lists for them.
# No network, no registry.  Idempotent: an up-to-date DIR is left alone.
set -eu
if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
here=$(dirname "$(realpath "$0")")
sh "$here/make-busybox-rootfs.sh" "$dir"

# Debian's interpreter (not a pyenv/venv shim earlier in PATH).
py=$(realpath "${PYTHON:-/usr/bin/python3}") # /usr/bin/python3.11
ver=$(basename "$py")                  # python3.11
stdlib=/usr/lib/$ver
[ -d "$stdlib" ] || { echo "$0: $stdlib missing; install python3" >&2; exit 1; }

# Merged /usr as on the host: /lib and /lib64 point into usr/.
mkdir -p "$dir/usr/lib" "$dir/usr/lib64"
for l in lib lib64; do
	if [ ! -L "$dir/$l" ]; then
		rm -rf "${dir:?}/$l"
		ln -s "usr/$l" "$dir/$l"
	fi
done

copy() { # host file -> same path in DIR (under usr/ for /lib*), content of the target
	src=$1
	case $src in
	/lib/* | /lib64/*) dst=$dir/usr$src ;;
	*) dst=$dir$src ;;
	esac
	if [ ! -e "$dst" ] || ! cmp -s "$src" "$dst"; then
		mkdir -p "$(dirname "$dst")"
		cp -L "$src" "$dst.tmp.$$"
		mv -f "$dst.tmp.$$" "$dst"
	fi
}
libs_of() {
	ldd "$1" 2>/dev/null | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}'
}

# bin/ is usr/bin in the busybox tree.
cp_bin() {
	if ! cmp -s "$py" "$dir/bin/$ver" 2>/dev/null; then
		cp "$py" "$dir/bin/.$ver.$$"
		mv -f "$dir/bin/.$ver.$$" "$dir/bin/$ver"
	fi
	ln -sfn "$ver" "$dir/bin/python3"
	ln -sfn "$ver" "$dir/bin/python"
}
cp_bin

stamp=$dir/usr/lib/.$ver.stamp
want=$(ls -ld --time-style=+%s "$stdlib" "$py" | md5sum | cut -c1-32)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	mkdir -p "$dir$stdlib"
	# The standard library without its tests and GUI parts.
	(cd "$stdlib" && tar cf - --exclude=./test --exclude=./idlelib --exclude=./tkinter \
		--exclude=./turtledemo --exclude=./ensurepip --exclude='./site-packages' \
		--exclude='./dist-packages' .) | (cd "$dir$stdlib" && tar xf -)
	for f in "$py" "$stdlib"/lib-dynload/*.so; do
		for l in $(libs_of "$f"); do
			copy "$l"
		done
	done
	echo "$want" >"$stamp"
fi
echo "$dir: busybox + $ver"
