#!/bin/sh
# bench_programs: real programs natively and under `cvisor do --rootfs /`
# (the host's root through the Gofer, systrap platform).  Not a pass/fail
# test; prints the median of REPS runs in ms and the ratio to native.
#   python3 -c pass     timed inside one shell (warm caches; sandbox start-up
#                       excluded), and whole `cvisor do` runs from outside
#   gcc -O2 -c          one generated C file of ~2,000 lines
#   make -j2            a generated project of 20 C files + a link
# The same script text runs natively and in the sandbox: it generates its
# inputs in a fresh temp dir (untimed), then times each command with
# `date +%s%N` around it (the sandbox's clock is the host's).
# Usage: bench_programs.sh CVISOR [REPS] [PLATFORM]
set -eu
cvisor=$1 reps=${2:-5} platform=${3:-systrap}

# $1 = REPS.  Prints "<name> <median ns>" per benchmark.
# shellcheck disable=SC2016 # expanded by the inner shell
inner='set -eu
reps=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-programs.XXXXXX")
cd "$dir"
median() { sort -n | awk "{v[NR] = \$1} END {print v[int((NR + 1) / 2)]}"; }
timeit() { # NAME CMD...: REPS timed runs after one warm-up
	name=$1
	shift
	"$@" >/dev/null 2>&1
	i=0
	while [ $i -lt "$reps" ]; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $((t1 - t0))
		i=$((i + 1))
	done | median | sed "s/^/$name /"
}
# ~2,000 lines: 105 functions of 19 lines
awk "BEGIN {
	print \"#include <stdint.h>\"
	for (f = 0; f < 105; f++) {
		printf \"uint64_t f%d(uint64_t x, const uint64_t *v, int n)\\n{\\n\", f
		print \"\tuint64_t acc = x;\"
		print \"\tfor (int i = 0; i < n; i++) {\"
		printf \"\t\tacc = acc * %d + v[i];\\n\", f * 2 + 3
		print \"\t\tif (acc & 1)\"
		printf \"\t\t\tacc ^= acc >> %d;\\n\", f % 13 + 1
		print \"\t\telse\"
		printf \"\t\t\tacc += (acc << %d) | i;\\n\", f % 7 + 1
		print \"\t\tswitch (v[i] & 3) {\"
		printf \"\t\tcase 0: acc -= %d; break;\\n\", f
		printf \"\t\tcase 1: acc *= %d; break;\\n\", f + 5
		print \"\t\tcase 2: acc = ~acc; break;\"
		print \"\t\tdefault: acc = (acc >> 1) + i;\"
		print \"\t\t}\"
		print \"\t}\"
		print \"\treturn acc;\"
		print \"}\"
		print \"\"
	}
}" >big.c
mkdir proj
i=0
while [ $i -lt 20 ]; do
	sed "s/uint64_t f\([0-9]*\)(/uint64_t m${i}_\1(/" big.c | head -n 191 >proj/m$i.c
	i=$((i + 1))
done
printf "int main(void) { return 0; }\n" >proj/main.c
printf "OBJS = \$(patsubst %%.c,%%.o,\$(wildcard *.c))\nprog: \$(OBJS)\n\tgcc -o prog \$(OBJS)\n%%.o: %%.c\n\tgcc -O2 -c \$<\nclean:\n\trm -f *.o prog\n" >proj/Makefile
make -C proj -s >/dev/null
timeit python3_c_pass /usr/bin/python3 -c pass
timeit gcc_O2_c_2000_lines gcc -O2 -c big.c -o big.o
timeit make_j2_20_files sh -c "make -C proj -s clean && make -C proj -s -j2"
cd /
rm -rf "$dir"'

env="PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/"
# shellcheck disable=SC2086 # $env is a list of assignments
native=$(/usr/bin/env -i $env /bin/sh -c "$inner" sh "$reps")
# shellcheck disable=SC2086,SC1010
sandbox=$("$cvisor" do --rootfs / --platform "$platform" -- /usr/bin/env -i $env \
	/bin/sh -c "$inner" sh "$reps")

# Whole runs from outside: `python3 -c pass` and `true`, natively and each
# in a new sandbox (boot of Sentry + Gofer included).
now() { date +%s%N; }
outside() { # CMD...: median ns of REPS runs after one warm-up
	"$@" >/dev/null 2>&1
	i=0
	while [ $i -lt "$reps" ]; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		echo $((t1 - t0))
		i=$((i + 1))
	done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
# shellcheck disable=SC1010 # "do" is cvisor's verb
native="$native
cvisor_do_python3_c_pass $(outside /usr/bin/python3 -c pass)
cvisor_do_true $(outside /bin/true)"
# shellcheck disable=SC1010
sandbox="$sandbox
cvisor_do_python3_c_pass $(outside "$cvisor" do --rootfs / --platform "$platform" -- /usr/bin/python3 -c pass)
cvisor_do_true $(outside "$cvisor" do --rootfs / --platform "$platform" -- /bin/true)"

printf "programs, median of %s runs, platform %s\n" "$reps" "$platform"
printf "%-26s %12s %12s %9s\n" benchmark "native ms" "sandbox ms" "x native"
echo "$native" | while read -r name n; do
	s=$(echo "$sandbox" | awk -v k="$name" '$1 == k {print $2}')
	[ -n "$s" ] || s=0
	awk -v k="$name" -v n="$n" -v s="$s" \
		'BEGIN {printf "%-26s %12.1f %12.1f %9.2f\n", k, n / 1e6, s / 1e6, (n > 0 ? s / n : 0)}'
done
