#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Checkpoint/restore benchmark (issue 8 targets), 10 MiB vs 1 GiB of touched
# heap, on both platforms.  Usage: tests/bench/restore/run.sh [BUILD_DIR]
B=${1:-build}
for p in systrap ptrace; do
	"$B/tests/bench/restore/bench_restore" "$B/runtime/cvisor" \
		"$B/tests/bench/restore/bench_restore_guest" "$p" 10 1024
done
