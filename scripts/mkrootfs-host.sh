#!/bin/sh
# mkrootfs-host.sh DIR
#
# Assembles a small root filesystem from the host's own programs (Debian 12,
# glibc, dynamically linked): the programs listed below, every shared library
# `ldd` reports for them and for the shared objects their data directories
# hold, and those data directories (python3's standard library without its
# tests, gcc's cc1/collect2/crt files and libc's headers, perl's modules,
# git's helpers and templates).  Paths are kept as on the host (merged /usr:
# bin, lib, lib64 and sbin are symlinks into usr/), so the programs find their
# files where they were built to look.  DIR also gets etc/{passwd,group,
# hostname}, an ld.so.cache for its libraries, and empty dev, proc, tmp.
#
# The result is what `cvisor do --rootfs DIR` serves: tests/compat/host runs
# its scripts against it (host_rootfs_* tests) besides the whole host root.
# DIR/.cvisor-host-rootfs marks it for tests/compat/busybox/run.sh.
# Rebuilt from scratch each time (a few seconds, ~200 MB).
set -eu

if [ $# -ne 1 ] || [ -z "$1" ] || [ "$1" = / ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1

# Programs: the shells and tools the compat scripts use, the toolchain, the
# interpreters.  A missing one is an error (scripts/install-deps.sh installs
# them all).
progs="sh dash bash env cat echo printf ls cp mv rm ln mkdir rmdir touch chmod
 stat readlink head tail sort uniq cut tr paste wc seq tac xargs find cmp diff
 sha256sum md5sum grep sed awk mawk tar gzip xz bzip2 date sleep true false test
 timeout mktemp id uname basename dirname tee yes expr pwd du df od
 python3 perl sqlite3 make git gcc cc cpp as ld ld.bfd ar ranlib strip nm"
# Data directories and files, copied whole when present.
gccdir=/usr/lib/gcc/x86_64-linux-gnu/12
data="/usr/lib/python3.11 $gccdir/cc1 $gccdir/collect2 $gccdir/lto-wrapper
 $gccdir/liblto_plugin.so $gccdir/include $gccdir/include-fixed $gccdir/libgcc.a
 $gccdir/libgcc_eh.a $gccdir/libgcc_s.so $gccdir/libssp_nonshared.a
 /usr/lib/x86_64-linux-gnu/libgcc_s.so.1
 $(ls -d $gccdir/crt*.o 2>/dev/null) /usr/lib/git-core /usr/share/git-core
 /usr/share/perl /usr/share/perl5 /usr/lib/x86_64-linux-gnu/perl
 /usr/lib/x86_64-linux-gnu/perl5 /usr/lib/x86_64-linux-gnu/perl-base
 /usr/lib/locale/C.utf8 /etc/ld.so.conf
 /etc/ld.so.conf.d /etc/localtime /etc/nsswitch.conf /etc/perl /etc/python3.11
 /usr/share/zoneinfo/UTC /usr/lib/x86_64-linux-gnu/ldscripts /usr/lib/bfd-plugins"

list=$(mktemp "${TMPDIR:-/tmp}/mkrootfs.XXXXXX")
trap 'rm -f "$list" "$list.libs"' EXIT

# add PATH: the path and, for a symlink, the whole chain to its target.
add() {
	p=$1
	while :; do
		echo "$p" >>"$list"
		[ -L "$p" ] || break
		t=$(readlink "$p")
		case $t in
		/*) p=$t ;;
		*) p=$(realpath -m -s "$(dirname "$p")/$t") ;;
		esac
	done
}

# where PROG: its path in /usr/bin, /bin, /usr/sbin or /sbin
where() {
	for d in /usr/bin /bin /usr/sbin /sbin; do
		if [ -x "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

for prog in $progs; do
	p=$(where "$prog") || {
		echo "$0: $prog not found on the host" >&2
		exit 1
	}
	add "$p"
done
for d in $data; do
	[ -e "$d" ] && add "$d"
done
# libc's development files (headers, crt*.o, libc.so, libc_nonshared.a, ...)
# from their packages' file lists.
for pkg in libc6-dev libcrypt-dev linux-libc-dev; do
	dpkg -L "$pkg" 2>/dev/null | while read -r f; do
		case $f in /usr/share/doc/* | /usr/share/man/* | /usr/share/lintian/*) continue ;; esac
		[ -f "$f" ] || [ -L "$f" ] || continue
		add "$f"
	done
done

# Every library ldd names for the programs and for the shared objects and
# executables inside the data directories (python's extension modules,
# perl's XS modules, cc1, git's helpers), plus the dynamic loader.
{
	for prog in $progs; do where "$prog"; done
	for d in $data; do
		[ -e "$d" ] && find "$d" -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null
	done
} | sort -u | while read -r f; do
	[ -f "$f" ] || continue
	ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}'
done | sort -u >"$list.libs"
while read -r lib; do
	add "$lib"
done <"$list.libs"

rm -rf "$dir"
mkdir -p "$dir"
# Merged /usr as on the host: bin -> usr/bin and so on.
for l in bin lib lib64 sbin; do
	if [ -L "/$l" ]; then
		ln -s "$(readlink "/$l")" "$dir/$l"
	fi
done
mkdir -p "$dir/usr/bin" "$dir/usr/lib" "$dir/usr/lib64" "$dir/usr/sbin"
# Through the /usr paths only (tar would replace the bin -> usr/bin link by a
# directory): /bin/x is usr/bin/x inside DIR as on the host.
sed -e 's|^/bin/|/usr/bin/|' -e 's|^/sbin/|/usr/sbin/|' -e 's|^/lib/|/usr/lib/|' \
	-e 's|^/lib64/|/usr/lib64/|' -e 's|^/||' "$list" | sort -u >"$list.rel"
mv "$list.rel" "$list"
tar -C / --exclude='usr/lib/python3.11/test' --exclude='usr/lib/python3.11/test/*' \
	--exclude='usr/lib/python3.11/idlelib' --exclude='usr/lib/python3.11/tkinter' \
	-cf - --files-from="$list" 2>/dev/null | tar -C "$dir" -xf -

mkdir -p "$dir/etc" "$dir/dev" "$dir/proc" "$dir/tmp" "$dir/root" "$dir/var/tmp"
chmod 1777 "$dir/tmp" "$dir/var/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
	>"$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
echo cvisor >"$dir/etc/hostname"
if command -v ldconfig >/dev/null 2>&1 || [ -x /sbin/ldconfig ]; then
	PATH=$PATH:/sbin:/usr/sbin ldconfig -r "$dir" 2>/dev/null || true
fi
touch "$dir/.cvisor-host-rootfs"

# Every program must start: a missing library shows here, not in a test.
for prog in python3 perl sqlite3 make git gcc tar gzip find sort sh; do
	if [ ! -x "$dir/usr/bin/$prog" ]; then
		echo "$0: $prog missing from $dir" >&2
		exit 1
	fi
done
echo "rootfs in $dir: $(du -sm "$dir" | cut -f1) MB, $(find "$dir" -type f | wc -l) files"
