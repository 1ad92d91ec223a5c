#!/bin/sh
# net_files.sh CVISOR PLATFORM
#
# What a sandbox (--network=none, the default) shows of the network, seen
# through the host's own programs under `cvisor do --rootfs /`:
#   - `ip addr` / `ip link` (iproute2, netlink underneath) list lo only,
#     up, with 127.0.0.1/8 and ::1/128 (skipped, exit 77, without iproute2);
#   - /etc/hosts, /etc/hostname and /etc/resolv.conf are the runtime's
#     (hostname from --hostname), and getent resolves through them;
#   - /proc/net/dev and /proc/net/if_inet6 list lo;
#   - --overlay=none leaves the image's files alone (read-only root).
set -u
cvisor=$(realpath "$1") platform=$2
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
has() { if grep -qx -- "$2" "$tmp/$3"; then ok "$1"; else fail "$1: no line [$2] in $3:"; cat "$tmp/$3"; fi; }
sb() { "$cvisor" do --rootfs / --platform="$platform" --hostname=cvnet-test -- "$@"; }

sb /bin/cat /etc/hosts >"$tmp/hosts" 2>&1 || fail "cat /etc/hosts"
has "hosts: localhost" "127.0.0.1	localhost" hosts
has "hosts: ::1" "::1	localhost ip6-localhost ip6-loopback" hosts
has "hosts: hostname" "127.0.1.1	cvnet-test" hosts
sb /bin/cat /etc/hostname >"$tmp/hostname" 2>&1 || fail "cat /etc/hostname"
has "hostname file" "cvnet-test" hostname
sb /bin/sh -c 'cat /etc/resolv.conf; echo "status $?"' >"$tmp/resolv" 2>&1
has "resolv.conf readable" "status 0" resolv
if grep -q '^nameserver' "$tmp/resolv"; then fail "resolv.conf names a server in none mode"; else ok "resolv.conf: no nameserver"; fi
sb /usr/bin/getent hosts cvnet-test localhost >"$tmp/getent" 2>&1
has "getent hostname" "127.0.1.1       cvnet-test" getent
sb /bin/cat /proc/net/dev /proc/net/if_inet6 >"$tmp/procnet" 2>&1
if grep -q '^ *lo:' "$tmp/procnet" && [ "$(grep -c '^ *[a-z0-9]*: ' "$tmp/procnet")" -eq 1 ]; then ok "/proc/net/dev: lo only"; else fail "/proc/net/dev:"; cat "$tmp/procnet"; fi
has "/proc/net/if_inet6" "00000000000000000000000000000001 01 80 10 80       lo" procnet
# a read-only root: the image's own /etc/hostname (the host's), nothing written
sb_ro=$("$cvisor" do --rootfs / --platform="$platform" --overlay=none --hostname=cvnet-test -- /bin/cat /etc/hostname 2>&1)
if [ "$sb_ro" = "$(cat /etc/hostname 2>&1)" ]; then ok "--overlay=none keeps the image's files"; else fail "--overlay=none: [$sb_ro]"; fi

if ! command -v ip >/dev/null 2>&1; then
	echo "SKIP: iproute2 (ip) is not installed (scripts/install-deps.sh installs it)"
	[ $fails -eq 0 ] && exit 77
	exit 1
fi
ip=$(command -v ip)
sb "$ip" addr >"$tmp/ipaddr" 2>&1 || { fail "ip addr failed:"; cat "$tmp/ipaddr"; }
has "ip addr: lo" "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000" ipaddr
has "ip addr: link/loopback" "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00" ipaddr
has "ip addr: 127.0.0.1/8" "    inet 127.0.0.1/8 scope host lo" ipaddr
if grep -q "^    inet6 ::1/128 scope host" "$tmp/ipaddr"; then ok "ip addr: ::1/128"; else fail "ip addr: no ::1/128"; fi
if [ "$(grep -c '^[0-9]*: ' "$tmp/ipaddr")" -eq 1 ]; then ok "ip addr: one interface"; else fail "ip addr: more than lo:"; cat "$tmp/ipaddr"; fi
sb "$ip" -o link show lo >"$tmp/iplink" 2>&1 || fail "ip link show lo"
if grep -q "^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536" "$tmp/iplink"; then ok "ip link show lo"; else fail "ip link show lo:"; cat "$tmp/iplink"; fi
sb "$ip" link show nosuch0 >"$tmp/ipnosuch" 2>&1 && fail "ip link show nosuch0 succeeded"
if grep -q 'does not exist' "$tmp/ipnosuch"; then ok "ip link show nosuch0: does not exist"; else fail "ip link nosuch0:"; cat "$tmp/ipnosuch"; fi
sb "$ip" link set lo mtu 1500 >"$tmp/ipset" 2>&1 && fail "ip link set succeeded"
if grep -qi 'not permitted' "$tmp/ipset"; then ok "ip link set: not permitted"; else fail "ip link set:"; cat "$tmp/ipset"; fi
[ $fails -eq 0 ] || exit 1
echo "ok: all"
