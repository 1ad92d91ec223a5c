# Shared by the OCI runtime tests (sourced): bundles from `cvisor spec` over
# the busybox rootfs, a private --root, assertions.
#   CVISOR, ROOTFS set by the caller; creates $T (removed on exit).
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/cvisor-oci.XXXXXX")
ROOT=$T/root
fails=0
C() { "$CVISOR" --root "$ROOT" "$@"; }
cleanup() {
	for id in $(C list -q 2>/dev/null); do C delete --force "$id" >/dev/null 2>&1; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: want [$2] got [$3]"; fi; }
# contains NAME NEEDLE HAYSTACK
contains() { case $3 in *"$2"*) ok "$1" ;; *) fail "$1: [$2] not in [$3]" ;; esac; }

# bundle NAME ARGS_JSON [PYTHON EDITS on c]: $T/NAME with config.json.
bundle() {
	b=$T/$1
	mkdir -p "$b"
	"$CVISOR" spec --bundle "$b" || exit 2
	python3 - "$b/config.json" "$2" "${3:-}" "$ROOTFS" <<'PY' || exit 2
import json, os, sys
p, args, edit = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
c = json.load(open(p))
c["root"]["path"] = os.path.realpath(sys.argv[4])  # absolute: runc refuses symlinks
c["process"]["terminal"] = False
c["process"]["args"] = args
exec(edit)
json.dump(c, open(p, "w"), indent=1)
PY
	echo "$b"
}
status_of() { C state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || echo none; }
