#!/bin/sh
# Build, then run a static guest program on the platform: every syscall it
# makes is trapped into the stub and served by the demo "kernel".
# Usage: scripts/demo.sh [systrap|ptrace]
set -eu
cd "$(dirname "$0")/.."
scripts/build.sh build
exec build/runtime/cvisor demo --platform="${1:-systrap}" build/tests/guest/guest_hello
