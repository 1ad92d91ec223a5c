#!/bin/sh
# serve.sh [cvisord flags...]
#
# Build cvisor (Release) into build-release/, build the default pool's
# rootfs (busybox + python3, offline) if absent, then run cvisord in the
# foreground on 127.0.0.1:8080 with a "default" pool on it.  Prints the API
# token and a curl example.  Ctrl-C (SIGINT) or SIGTERM stops it and
# destroys every sandbox.
#   BUILD=DIR ROOTFS=DIR STATE=DIR REST=HOST:PORT override the locations.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build-release}
rootfs=${ROOTFS:-$build/rootfs-default}
rest=${REST:-127.0.0.1:8080}
if [ "$(id -u)" = 0 ]; then state=${STATE:-/run/cvisord}; else state=${STATE:-/tmp/cvisord-$(id -u)}; fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target cvisord cvisor >/dev/null
cmake --build "$build" -j "$(nproc)" --target cvisorctl >/dev/null 2>&1 || true # needs libcurl
[ -x "$rootfs/bin/python3" ] || sh "$root/scripts/rootfs.sh" "$rootfs" >/dev/null

if [ -n "${CVISOR_TOKEN:-}" ]; then
	token=$CVISOR_TOKEN
else
	# cvisord creates the token file at first start; make it now to print it.
	mkdir -p "$state" && chmod 700 "$state"
	if [ ! -s "$state/token" ]; then
		(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/token.tmp" &&
			echo >>"$state/token.tmp" && mv "$state/token.tmp" "$state/token")
	fi
	token=$(cat "$state/token")
fi
port=${rest##*:}
cat <<MSG
cvisord on http://$rest  (state in $state, default pool on $rootfs)
  export TOKEN=$token
  curl -s -H "Authorization: Bearer \$TOKEN" localhost:$port/v1/run -d '{"argv":["python3","-c","print(6*7)"]}'
  $build/clients/cvisorctl run -- python3 -c 'print(6*7)'     # reads \$TOKEN too
gRPC on 127.0.0.1:50051 (--grpc HOST:PORT):
  CVISOR_TOKEN=\$TOKEN /usr/bin/python3 clients/python/grpc_example.py
Ctrl-C stops the server and destroys every sandbox.
MSG
exec "$build/server/cvisord" --rest "$rest" --state-dir "$state" --default-rootfs "$rootfs" "$@"
