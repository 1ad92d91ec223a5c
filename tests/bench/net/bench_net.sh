#!/bin/sh
# bench_net: loopback TCP inside the sandbox against native, in one run.
# Throughput of one connection with 64 KiB writes, and the round trip of a
# 1-byte ping-pong, natively (the host's loopback) and under `cvisor demo`
# on each platform (the Sentry's netstack), printed with ratios to native.  Not a pass/fail test (the issue's target is
# >= 0.5x native throughput).
# Usage: bench_net.sh CVISOR BENCH_NET [MIB] [ROUNDS]
set -eu
cvisor=$1 prog=$2 mib=${3:-1024} rounds=${4:-20000}
nat_t=$("$prog" tput "$mib" | awk '{print $2}')
nat_r=$("$prog" rtt "$rounds" | awk '{print $2}')
printf "loopback TCP: %s MiB in 64 KiB writes; %s 1-byte round trips\n" "$mib" "$rounds"
printf "%-10s %12s %9s %12s %9s\n" path "MiB/s" "x native" "rtt us" "x native"
printf "%-10s %12.1f %9.2f %12.2f %9.2f\n" native "$nat_t" 1 "$nat_r" 1
for p in systrap ptrace; do
	t=$("$cvisor" demo --platform="$p" "$prog" tput "$mib" | awk '{print $2}')
	r=$("$cvisor" demo --platform="$p" "$prog" rtt "$rounds" | awk '{print $2}')
	printf "%-10s %12.1f %9.2f %12.2f %9.2f\n" "$p" "$t" \
		"$(echo "$t $nat_t" | awk '{print $1/$2}')" "$r" \
		"$(echo "$r $nat_r" | awk '{print $1/$2}')"
done
