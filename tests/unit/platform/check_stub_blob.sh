#!/bin/sh
# Usage: check_stub_blob.sh stub_code.o stub_entry.o
# Fails if the stub blob references anything outside its own section.
set -eu
status=0
allowed="stub_first_trap stub_syscall6 stub_thread_entry stub_main stub_thread_main stub_handler"
defined=""
for o in "$@"; do
	defined="$defined $(nm --defined-only "$o" | awk '{print $3}')"
done
for o in "$@"; do
	for sym in $(nm -u "$o" | awk '{print $2}'); do
		case " $allowed $defined " in
		*" $sym "*) ;;
		*) echo "FAIL: $o references $sym"; status=1 ;;
		esac
	done
	# Any allocated section other than cvisor_stub with a non-zero size
	# (rodata, data, bss, text) would not be copied into the stub.
	objdump -h "$o" | awk -v o="$o" '
		/^ *[0-9]+ / { name=$2; size=$3; getline; flags=$0;
			if (flags ~ /ALLOC/ && name != "cvisor_stub" && size !~ /^0+$/) {
				print "FAIL: " o " has section " name " of size " size; bad=1 } }
		END { exit bad }' || status=1
done
[ $status -eq 0 ] && echo "stub blob is self-contained"
exit $status
