#!/bin/sh
# Build, make a busybox root file system, and run a command in a sandbox
# over it: every syscall is served by the Sentry, every file comes through
# the Gofer.  Usage: scripts/demo.sh [systrap|ptrace] [CMD ARGS...]
# (default: a short tour; `scripts/demo.sh systrap sh` gives a shell).
set -eu
cd "$(dirname "$0")/.."
platform=${1:-systrap}
[ $# -gt 0 ] && shift
scripts/build.sh build
sh scripts/make-busybox-rootfs.sh build/rootfs-busybox >/dev/null
if [ $# -eq 0 ]; then
	set -- sh -c 'echo "uname: $(uname -sr), I am pid $$ in $(pwd)";
		echo "root:" $(ls /); echo "my /proc/self/stat:" $(cut -d" " -f1-3 /proc/self/stat);
		seq 1 5 | awk "{s+=\$1} END {print \"sum 1..5 =\", s}";
		echo hello > /tmp/greeting && cat /tmp/greeting;
		echo "writes to the rootfs:"; touch /etc/x 2>&1 || true'
fi
exec build/runtime/cvisor do --rootfs build/rootfs-busybox --platform="$platform" -- "$@"
