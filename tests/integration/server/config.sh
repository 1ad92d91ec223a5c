#!/bin/bash
# config.sh CVISORD
#
# cvisord driven by a JSON config file: tokens, pools and limits from the
# file (output cap -> truncated, body cap -> 413, max_inflight -> 503), no
# token file when the config has tokens, a bad config refused at start.
set -eu
cvisord=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
tmp=$(mktemp -d /tmp/cvcfg.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}
sh "$here/../../../scripts/make-busybox-rootfs.sh" "$tmp/rootfs" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tok=cfg-token-0123456789abcdef
cat >"$tmp/cfg.json" <<JSON
{"rest": "127.0.0.1:$port", "grpc": "127.0.0.1:0", "state_dir": "$tmp/state", "tokens": ["$tok"],
 "limits": {"max_output_bytes": 1000, "max_body_bytes": 2000, "max_inflight": 4,
            "drain_timeout_ms": 1000},
 "pools": [{"name": "cfg", "rootfs": "$tmp/rootfs", "min_ready": 1}]}
JSON
env -u CVISOR_TOKEN "$cvisord" --config "$tmp/cfg.json" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
	curl -sf "127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
H="Authorization: Bearer $tok"
U=127.0.0.1:$port
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "$H" "$U/v1/pools/cfg")
[ "$code" = 200 ] && ok "pool and token from the config" || bad "GET pool: $code"
[ -e "$tmp/state/token" ] && bad "a token file was created" || ok "no token file with configured tokens"

curl -s -H "$H" "$U/v1/run" -d '{"pool":"cfg","argv":["sh","-c","yes | head -c 5000; yes e | head -c 3000 >&2"]}' >"$tmp/body"
python3 - "$tmp/body" <<'PY' && ok "output capped at 1000 bytes per stream, truncated" || bad "cap: $(head -c 300 "$tmp/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stdout"] == "y\n" * 500 and d["stderr"] == "e\n" * 500 and d["truncated"] and d["exit_code"] == 0, d
PY
curl -s -H "$H" "$U/v1/run?stream=1" -d '{"pool":"cfg","argv":["sh","-c","yes | head -c 5000"]}' >"$tmp/body"
python3 - "$tmp/body" <<'PY' && ok "streamed output capped too" || bad "stream cap: $(tail -c 300 "$tmp/body")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert "".join(e.get("data", "") for e in ev if e["type"] == "stdout") == "y\n" * 500
assert ev[-1]["type"] == "exit" and ev[-1]["truncated"]
PY
head -c 3000 /dev/zero | tr '\0' x >"$tmp/big"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "$H" "$U/v1/run" --data-binary @"$tmp/big")
[ "$code" = 413 ] && ok "body over max_body_bytes -> 413" || bad "big body: $code"

# 8 concurrent slow requests with max_inflight 4: some are refused with 503.
seq 8 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "$H" "$U/v1/run" \
	-d '{"pool":"cfg","argv":["sleep","1"]}' >"$tmp/codes"
n503=$(grep -c '^503$' "$tmp/codes" || true)
n200=$(grep -c '^200$' "$tmp/codes" || true)
[ "$n503" -ge 1 ] && [ "$n200" -ge 1 ] && [ $((n503 + n200)) = 8 ] &&
	ok "max_inflight: $n200 served, $n503 refused with 503" || bad "inflight: $(sort "$tmp/codes" | uniq -c | tr '\n' ' ')"
# SIGTERM with a request that outlives drain_timeout_ms (1 s): its sandbox
# is ended, the request answered, the server gone within a few seconds.
curl -s -o "$tmp/long" -w '%{http_code}' -H "$H" "$U/v1/run" -d '{"pool":"cfg","argv":["sleep","60"]}' >"$tmp/long.code" &
lpid=$!
sleep 0.5
t0=$(date +%s)
kill -TERM $pid
wait $pid || bad "exit status"
pid=
wait $lpid || true
t1=$(($(date +%s) - t0))
[ $t1 -le 6 ] && [ "$(cat "$tmp/long.code")" = 200 ] &&
	ok "SIGTERM past the drain timeout: stopped in ${t1} s, the request answered: $(head -c 60 "$tmp/long")" ||
	bad "stop took $t1 s; request: $(cat "$tmp/long.code") $(cat "$tmp/long" 2>/dev/null)"

# HTTPS with --tls-cert/--tls-key (a self-signed certificate made here).
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
	CVISOR_TOKEN=$tok "$cvisord" --rest "127.0.0.1:$port" --grpc 127.0.0.1:0 --state-dir "$tmp/state3" \
		--tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" 2>"$tmp/log3" &
	pid=$!
	for _ in $(seq 100); do
		curl -sf --cacert "$tmp/cert.pem" "https://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" -H "$H" "https://127.0.0.1:$port/v1/pools") || true
	[ "$code" = 200 ] && ok "HTTPS with the token" || bad "HTTPS: $code $(cat "$tmp/log3")"
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" "https://127.0.0.1:$port/v1/pools") || true
	[ "$code" = 401 ] && ok "HTTPS without a token -> 401" || bad "HTTPS no token: $code"
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz") || true
	[ "$code" != 200 ] && ok "plain HTTP refused on the TLS port ($code)" || bad "plain HTTP answered"
	kill -TERM $pid
	wait $pid || bad "TLS server exit status"
	pid=
else
	echo "skip: no openssl to make a certificate"
fi

# A bad config is refused with a message naming the problem.
echo '{"pools":[{"name":"Bad"}]}' >"$tmp/bad.json"
rc=0
"$cvisord" --config "$tmp/bad.json" --state-dir "$tmp/state2" 2>"$tmp/err" || rc=$?
[ $rc = 2 ] && grep -q 'pools\[0\]' "$tmp/err" && ok "bad config refused: $(cat "$tmp/err")" || bad "bad config: rc $rc $(cat "$tmp/err")"
[ $fail = 0 ] || cat "$tmp/log"
exit $fail
