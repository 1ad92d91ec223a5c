# SPDX-License-Identifier: Apache-2.0
"""A small client of cvisord's REST API (Python 3 standard library only).

    from cvisor_client import Client
    c = Client("http://127.0.0.1:8080", token)          # or $CVISOR_URL, $CVISOR_TOKEN
    print(c.run(["python3", "-c", "print(6*7)"])["stdout"])   # "42\\n"
    with c.sandbox(pool="default", labels={"job": "x"}) as sb:
        sb.put_file("/tmp/a.py", b"print('hi')\\n")
        for ev in sb.exec_stream(["python3", "/tmp/a.py"]):
            print(ev)                                     # {"type": "stdout", "data": "hi\\n"} ...

Errors are raised as CvisorError(status, problem) with the server's
application/problem+json document.
"""
import http.client
import json
import os
import urllib.parse

__all__ = ["Client", "Sandbox", "CvisorError"]


class CvisorError(Exception):
    def __init__(self, status, problem):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {"detail": str(problem)}
        super().__init__("HTTP %d: %s" % (status, self.problem.get("detail", "")))


class Client:
    def __init__(self, url=None, token=None, timeout=300):
        u = urllib.parse.urlsplit(url or os.environ.get("CVISOR_URL", "http://127.0.0.1:8080"))
        self._https = u.scheme == "https"
        self._host, self._port = u.hostname, u.port or (443 if self._https else 80)
        self._token = token or os.environ.get("CVISOR_TOKEN") or os.environ.get("TOKEN")
        self._timeout = timeout
        self._conn = None

    # --- plumbing ---
    def _connect(self):
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self._timeout)

    def _request(self, method, path, body=None, ctype="application/json", stream=False):
        headers = {}
        if self._token:
            headers["Authorization"] = "Bearer " + self._token
        if body is not None:
            if not isinstance(body, (bytes, bytearray)):
                body = json.dumps(body).encode()
            headers["Content-Type"] = ctype
        conn = self._connect() if stream else (self._conn or self._connect())
        try:
            conn.request(method, path, body, headers)
            resp = conn.getresponse()
        except (http.client.HTTPException, OSError):
            if stream:
                raise
            # a kept-alive connection the server closed: once more, fresh
            conn = self._connect()
            conn.request(method, path, body, headers)
            resp = conn.getresponse()
        if not stream:
            self._conn = conn
        if resp.status >= 400:
            data = resp.read()
            try:
                problem = json.loads(data)
            except ValueError:
                problem = data.decode(errors="replace")
            raise CvisorError(resp.status, problem)
        return resp

    def _json(self, method, path, body=None):
        resp = self._request(method, path, body)
        data = resp.read()
        return json.loads(data) if data else None

    # --- pools ---
    def pools(self):
        return self._json("GET", "/v1/pools")["pools"]

    def pool(self, name):
        return self._json("GET", "/v1/pools/" + urllib.parse.quote(name, safe=""))

    def create_pool(self, name, rootfs, min_ready=0, **kw):
        """resources={"memory_bytes": N, "cpus": 0.5, "pids": N}: each sandbox's limits."""
        return self._json("POST", "/v1/pools", dict(name=name, rootfs=rootfs, min_ready=min_ready, **kw))

    def create_pool_from_snapshot(self, name, snapshot, min_ready=0, **kw):
        """A pool whose warm sandboxes run restored copies of @snapshot."""
        return self._json("POST", "/v1/pools", dict(name=name, template={"snapshot": snapshot},
                                                    min_ready=min_ready, **kw))

    def update_pool(self, name, **kw):
        return self._json("PATCH", "/v1/pools/" + urllib.parse.quote(name, safe=""), kw)

    def delete_pool(self, name):
        self._json("DELETE", "/v1/pools/" + urllib.parse.quote(name, safe=""))

    # --- run ---
    def run(self, argv, pool=None, **kw):
        """Lease, run, destroy: {exit_code, stdout, stderr, duration_ms, ...}."""
        body = dict(argv=list(argv), **kw)
        if pool:
            body["pool"] = pool
        return self._json("POST", "/v1/run", body)

    def run_stream(self, argv, pool=None, **kw):
        body = dict(argv=list(argv), **kw)
        if pool:
            body["pool"] = pool
        return _events(self._request("POST", "/v1/run?stream=1", body, stream=True))

    # --- sandboxes ---
    def sandbox(self, pool=None, rootfs=None, timeout_s=None, labels=None, snapshot=None,
                resources=None):
        """Lease one; with snapshot: a new sandbox restored from that snapshot;
        with rootfs, resources={"memory_bytes", "cpus", "pids"} limit it."""
        body = {}
        if resources:
            body["resources"] = resources
        if snapshot:
            body["snapshot"] = snapshot
        if pool:
            body["pool"] = pool
        if rootfs:
            body["rootfs"] = rootfs
        if timeout_s:
            body["timeout_s"] = timeout_s
        if labels:
            body["labels"] = labels
        return Sandbox(self, self._json("POST", "/v1/sandboxes", body))

    def sandboxes(self, label=None, state=None):
        out, token = [], None
        while True:
            q = {k: v for k, v in (("label", label), ("state", state), ("page_token", token)) if v}
            page = self._json("GET", "/v1/sandboxes" + ("?" + urllib.parse.urlencode(q) if q else ""))
            out += page["sandboxes"]
            token = page.get("next_page_token")
            if not token:
                return out

    # --- snapshots ---
    def snapshots(self, label=None):
        """label "KEY=VALUE": only the snapshots with that label."""
        q = "?" + urllib.parse.urlencode({"label": label}) if label else ""
        return self._json("GET", "/v1/snapshots" + q)["snapshots"]

    def snapshot_info(self, sid):
        return self._json("GET", "/v1/snapshots/" + urllib.parse.quote(sid, safe=""))

    def delete_snapshot(self, sid):
        self._json("DELETE", "/v1/snapshots/" + urllib.parse.quote(sid, safe=""))

    def health(self):
        return self._json("GET", "/healthz")


def _events(resp):
    try:
        for line in resp:
            line = line.strip()
            if line:
                yield json.loads(line)
    finally:
        resp.close()


class Sandbox:
    """A leased sandbox; a context manager that deletes it on exit."""

    def __init__(self, client, info):
        self._c = client
        self.info = info
        self.id = info["id"]

    def _p(self, suffix=""):
        return "/v1/sandboxes/" + urllib.parse.quote(self.id, safe="") + suffix

    def refresh(self):
        self.info = self._c._json("GET", self._p())
        return self.info

    def exec(self, argv, **kw):
        return self._c._json("POST", self._p("/exec"), dict(argv=list(argv), **kw))

    def exec_stream(self, argv, **kw):
        return _events(self._c._request("POST", self._p("/exec?stream=1"), dict(argv=list(argv), **kw), stream=True))

    def set_timeout(self, seconds):
        self.info = self._c._json("POST", self._p("/timeout"), {"timeout_s": seconds})
        return self.info

    def put_file(self, path, data, mode=0o644):
        q = urllib.parse.urlencode({"path": path, "mode": "%o" % mode})
        self._c._request("PUT", self._p("/files?" + q), bytes(data), "application/octet-stream").read()

    def get_file(self, path):
        return self._c._request("GET", self._p("/files?" + urllib.parse.urlencode({"path": path}))).read()

    def list_dir(self, path):
        q = urllib.parse.urlencode({"path": path, "list": 1})
        return self._c._json("GET", self._p("/files?" + q))["entries"]

    def remove_file(self, path):
        self._c._request("DELETE", self._p("/files?" + urllib.parse.urlencode({"path": path}))).read()

    def snapshot(self, leave_running=True, ttl_seconds=None, labels=None, compress=False):
        """Snapshot its processes: {id, sandbox, pool, created_at, size_bytes,
        expires_at (if it expires), labels}.  A limit reached: 507."""
        body = {"leave_running": leave_running}
        if ttl_seconds is not None:
            body["ttl_seconds"] = ttl_seconds
        if labels:
            body["labels"] = labels
        if compress:
            body["compress"] = True
        return self._c._json("POST", self._p("/snapshots"), body)

    def delete(self):
        self._c._request("DELETE", self._p()).read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.delete()
        return False
