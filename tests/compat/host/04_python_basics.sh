# python3: json, hashlib, re, collections, math, struct, base64, zlib
/usr/bin/python3 - <<'PY'
import json, hashlib, re, collections, math, struct, base64, zlib, sys
d = {"b": [1, 2, {"c": None}], "a": "é"}
print(json.dumps(d, sort_keys=True, ensure_ascii=False))
print(hashlib.sha256(b"cvisor").hexdigest())
print(hashlib.md5(b"x" * 10000).hexdigest())
print(re.findall(r"\d+", "a1b22c333"))
print(collections.Counter("mississippi").most_common(2))
print(round(math.pi, 6), math.factorial(20))
print(struct.pack("<IH", 1, 2).hex(), base64.b64encode(b"sandbox").decode())
print(len(zlib.compress(b"a" * 100000)))
print(sys.version_info[0], sys.byteorder)
PY
