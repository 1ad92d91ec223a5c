#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run "$@" in a new network namespace that holds nothing but lo (up), so that
# no packet can leave the machine whatever the command does.  Needs root
# (the Gofer cannot serve / from inside an unprivileged user namespace):
# exit 77 (skipped) without it.
set -eu
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
	echo "skipped: needs root, unshare and ip to make a private network namespace"
	exit 77
fi
exec unshare -n sh -c 'ip link set lo up && exec "$@"' netns_lo "$@"
