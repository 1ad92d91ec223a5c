#!/bin/sh
# `cvisor spec`: writes a config.json that is valid JSON with the runc
# defaults' shape, refuses to overwrite it, and overwrites with --force.
set -eu
cvisor=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$cvisor" spec --bundle "$d"
python3 - "$d/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["ociVersion"].startswith("1."), c["ociVersion"]
assert c["process"]["args"] == ["sh"], c["process"]["args"]
assert c["root"] == {"path": "rootfs", "readonly": True}, c["root"]
assert any(m["destination"] == "/proc" for m in c["mounts"])
assert {"type": "pid"} in c["linux"]["namespaces"]
PY
echo changed > "$d/config.json"
if "$cvisor" spec --bundle "$d" 2>/dev/null; then
	echo "FAIL: overwrote an existing config.json" >&2
	exit 1
fi
[ "$(cat "$d/config.json")" = changed ] || { echo "FAIL: file changed" >&2; exit 1; }
"$cvisor" spec --bundle "$d" --force
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/config.json"
if "$cvisor" spec --bundle "$d/missing" 2>/dev/null; then
	echo "FAIL: wrote into a missing directory" >&2
	exit 1
fi
echo "PASS spec"
