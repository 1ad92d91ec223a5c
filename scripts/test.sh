#!/bin/sh
# Build with -Werror and run every test; then rebuild the unit tests under
# ASan+UBSan and run them again.  Used by the README and by .ci/run.
set -eu
cd "$(dirname "$0")/.."
J=$(nproc)

scripts/build.sh build -DCVISOR_WERROR=ON
# "long": CPython test_socket (minutes); run with `ctest -L long`
(cd build && ctest --output-on-failure -j "$J" --timeout 300 -LE long)

scripts/build.sh build-asan -DCVISOR_WERROR=ON -DCVISOR_SANITIZE=address,undefined \
	-DCMAKE_BUILD_TYPE=Debug
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j "$J" --timeout 600 -L unit)

if command -v clang >/dev/null 2>&1; then
	scripts/build.sh build-fuzz -DCVISOR_FUZZ=ON -DCMAKE_C_COMPILER=clang \
		-DCVISOR_SANITIZE=address,undefined
	(cd build-fuzz && ctest --output-on-failure -j "$J" -L fuzz --timeout 300)
fi
echo "all tests passed"
