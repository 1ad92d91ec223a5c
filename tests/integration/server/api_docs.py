#!/usr/bin/env python3
# api_docs.py REPO
#
# api/openapi.yaml, docs/api.md and server/routes.c stay in sync: every
# OpenAPI path has a curl example in docs/api.md, and every route literal
# the router matches appears in the OpenAPI paths.
import re, sys, yaml

repo = sys.argv[1]
spec = yaml.safe_load(open(repo + "/api/openapi.yaml"))
doc = open(repo + "/docs/api.md").read()
routes = open(repo + "/server/routes.c").read()
fail = 0
for path, ops in spec["paths"].items():
    # /v1/pools/{name} -> a curl line containing /v1/pools/<something>
    pat = re.escape(path)
    pat = re.sub(r"\\\{[a-z_]+\\\}", r"[^/ \"?]+", pat)
    if not re.search(r"curl[^\n]*" + pat + r"(?:[?\"' ]|$)", doc, re.M):
        print("docs/api.md has no curl example for", path)
        fail = 1
    for m in ops:
        if m in ("get", "post", "put", "patch", "delete") and "responses" not in ops[m]:
            print("no responses for", m, path)
            fail = 1
# literal segments the router compares against
segs = set(re.findall(r'strcmp\(p\[\d\], "([a-z0-9]+)"\)', routes))
specsegs = set(s for p in spec["paths"] for s in p.strip("/").split("/") if not s.startswith("{"))
for s in sorted(segs - specsegs):
    print("routes.c matches", repr(s), "which api/openapi.yaml does not document")
    fail = 1
print("ok: %d paths documented with curl examples, %d route segments in the spec" % (len(spec["paths"]), len(segs)) if not fail else "FAIL")
sys.exit(fail)
