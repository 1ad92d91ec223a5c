#!/usr/bin/env python3
"""run.py: CPython's own regression tests, natively and in the sandbox.

    run.py [options] MODULE...        e.g. run.py --cvisor build/runtime/cvisor test_os

For each MODULE (a test package of /usr/lib/python3.11/test, Debian's
libpython3.11-testsuite) the host's python3 runs `python3 -m test -v
--junit-xml FILE MODULE` twice:

  native   in a fresh temp dir (TMPDIR and cwd), env -i PATH HOME LANG;
  sandbox  `cvisor do --rootfs / --platform P -- /bin/sh -c ...`, the host root
           served read-only by the Gofer with the in-memory overlay, cwd and
           TMPDIR the sandbox's /tmp.  The junit XML is printed after a marker
           line on stdout, so nothing has to leave the sandbox as a file.

Per test case the result is one of ok, xfail (expected failure), skipped,
FAIL, ERROR, unexpected-success, or, when the run died before writing its XML
(timeout, crash), whatever the verbose log says, with the last started case
marked TIMEOUT/CRASH; such a run is started again with --ignorefile listing
the cases already reported (at most MAX_RESUMES times).  `*VSOCK*` is left
out on both sides (it hangs natively on VM hosts).

Check (exit status 1 on failure): every case listed in BASELINE/MODULE.pass
(sorted case ids that passed in the sandbox when it was recorded) must pass
(ok or xfail) in the sandbox.  A baseline case that fails is first run again
alone in the sandbox (FLAKY when it passes then); one that still fails but
also fails natively is reported as an environment difference, not a
regression.  Cases that pass now but are not in the baseline are reported as
improvements.  --record rewrites BASELINE/MODULE.pass from this run.

Options:
  --cvisor PATH        the cvisor binary (required unless --native-only)
  --platform P         systrap (default) or ptrace
  --baseline DIR       default: baseline/ next to this script
  --record             write the sandbox passes as the new baseline
  --no-native          run natively only to classify failing baseline cases
  --native-only        only the native run
  --timeout S          wall-clock limit per run (default 300); a run that
                       dies is resumed without the cases it reported
  --test-timeout S     regrtest --timeout per test file (default: none)
  --keep DIR           keep the logs of each run in DIR
  --markdown FILE      append one summary row per module (docs/compatibility.md)
  --show-failures      print each sandbox non-pass with the first line of why
  --json FILE          write every case's result on both sides to FILE
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

MARK = "@@CVISOR-CPYTHON-JUNIT@@"
PASS = ("ok", "xfail")
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

# Inside the sandbox: run regrtest, then print the marker, its exit status
# and the XML on stdout.
# Inside the sandbox: $1 is --ignorefile or --matchfile, whose patterns
# arrive on stdin; run regrtest, then print the marker, its exit status and
# the XML on stdout.
SANDBOX_SH = r'''
cd /tmp || exit 125
export TMPDIR=/tmp HOME=/tmp
cat >/tmp/cvisor-patterns.txt
mode=$1
shift
/usr/bin/python3 -m test -v --junit-xml /tmp/cvisor-junit.xml \
	"$mode" /tmp/cvisor-patterns.txt "$@" 2>&1
rc=$?
echo "%s $rc"
cat /tmp/cvisor-junit.xml 2>/dev/null
exit 0
''' % MARK

# Cases that hang natively on some hosts (AF_VSOCK in a VM without a peer);
# they are skipped in the sandbox (no AF_VSOCK) and left out on both sides.
IGNORE = ["*VSOCK*"]
# A run that dies (crash, timeout) is resumed without the cases it reported,
# at most this many times.
MAX_RESUMES = 400


def parse_xml(text):
    """{case id: (result, reason)} from regrtest's junit XML."""
    res = {}
    root = ET.fromstring(text)
    for tc in root.iter("testcase"):
        name = tc.get("name")
        if not name:
            continue
        result, why = "ok", ""
        for child in tc:
            if child.tag == "error":
                result, why = "ERROR", child.get("message") or ""
            elif child.tag == "failure":
                result, why = "FAIL", child.get("message") or ""
            elif child.tag == "skipped":
                result, why = "skipped", child.text or ""
            elif child.tag == "output":
                result = "xfail"
            elif child.tag == "outcome":
                result = "unexpected-success"
        # A case reported twice (subtests) keeps its worst result.
        if name in res and res[name][0] not in PASS + ("skipped",):
            continue
        res[name] = (result, why.strip())
    return res


CASE_RE = re.compile(r"^(\w+) \(([\w.]+)\)(?: \(.*\))? \.\.\. ?(.*)$")
EXC_RE = re.compile(r"^(\w+\.)*\w*(Error|Exception|Interrupt)\b.*")
STATUS_RE = re.compile(r"^(ok|FAIL|ERROR|skipped .*|expected failure|unexpected success)$")


def status_of(word):
    if word == "ok":
        return "ok", ""
    if word.startswith("skipped"):
        return "skipped", word[8:].strip("'\"")
    if word == "expected failure":
        return "xfail", ""
    if word == "unexpected success":
        return "unexpected-success", ""
    return word, ""


def parse_log(text, died):
    """Fallback when there is no XML: the verbose unittest log."""
    res, pending, crash_why, in_crash = {}, None, "", False
    for line in text.splitlines():
        if "crashed -- Traceback" in line:
            in_crash = True
            continue
        if in_crash and not crash_why and EXC_RE.match(line):
            crash_why = line.strip()
        m = CASE_RE.match(line)
        if m:
            if pending and pending not in res:
                res[pending] = ("CRASH", "no result in the log")
            pending = m.group(2)
            rest = m.group(3).strip()
            if STATUS_RE.match(rest):
                res[pending] = status_of(rest)
                pending = None
            continue
        if pending and STATUS_RE.match(line.strip()):
            res[pending] = status_of(line.strip())
            pending = None
    if pending and pending not in res:
        res[pending] = (died, crash_why or "the run ended during this case")
    return res


def run_one(argv, timeout, cwd=None, env=None, stdin=b""):
    """(stdout+stderr text, exit status or 'TIMEOUT').  The run has its own
    process group, killed whole at the timeout."""
    with tempfile.TemporaryFile() as inp:
        inp.write(stdin)
        inp.seek(0)
        p = subprocess.Popen(argv, stdin=inp, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, cwd=cwd, env=env,
                             start_new_session=True)
        try:
            out, _ = p.communicate(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            rc = "TIMEOUT"
    return out.decode("utf-8", "replace"), rc


def regrtest_args(module, args):
    extra = ["--timeout", str(args.test_timeout)] if args.test_timeout else []
    return extra + [module]


def run_native(module, args, patterns, mode="--ignorefile"):
    with tempfile.TemporaryDirectory(prefix="cvisor-cpython.") as tmp:
        env = dict(ENV, HOME=tmp, TMPDIR=tmp)
        xml = os.path.join(tmp, "junit.xml")
        pat = os.path.join(tmp, "patterns.txt")
        with open(pat, "w") as f:
            f.write("".join(i + "\n" for i in patterns))
        log, rc = run_one(["/usr/bin/python3", "-m", "test", "-v", "--junit-xml", xml,
                           mode, pat] + regrtest_args(module, args),
                          args.timeout, cwd=tmp, env=env)
        xml_text = open(xml).read() if os.path.exists(xml) else ""
    return log, rc, xml_text


def run_sandbox(module, args, patterns, mode="--ignorefile"):
    argv = [args.cvisor, "do", "--rootfs", "/", "--platform", args.platform, "--",
            "/usr/bin/env", "-i"] + ["%s=%s" % kv for kv in ENV.items()] + \
           ["/bin/sh", "-c", SANDBOX_SH, "sh", mode] + regrtest_args(module, args)
    out, rc = run_one(argv, args.timeout, env=dict(os.environ),
                      stdin="".join(i + "\n" for i in patterns).encode())
    log, sep, tail = out.partition(MARK)
    if not sep:
        return log, rc, ""
    first, _, xml_text = tail.partition("\n")
    try:
        rc = int(first.strip())
    except ValueError:
        pass
    return log, rc, xml_text.strip()


def results(log, rc, xml_text):
    """({case: (result, why)}, complete): complete when regrtest wrote its XML."""
    if xml_text:
        try:
            res = parse_xml(xml_text)
            if res:
                return res, True
        except ET.ParseError:
            pass
    return parse_log(log, "TIMEOUT" if rc == "TIMEOUT" else "CRASH"), False


def run_resuming(runner, module, args):
    """Run @module until it completes; a run that dies is started again
    without the cases already reported (the dying case counts as failed).
    Returns (results, log of every run, exit status of the last, runs)."""
    done, logs, ignore, runs = {}, [], list(IGNORE), 0
    while True:
        log, rc, xml_text = runner(module, args, ignore)
        runs += 1
        logs.append(log)
        res, complete = results(log, rc, xml_text)
        new = {k: v for k, v in res.items() if k not in done}
        done.update(new)
        if complete or not new or runs >= MAX_RESUMES:
            return done, "\n".join(logs), rc, runs
        ignore += sorted(new)


def counts(res):
    c = {"pass": 0, "skipped": 0, "fail": 0}
    for r, _ in res.values():
        c["pass" if r in PASS else "skipped" if r == "skipped" else "fail"] += 1
    return c


def fmt(c):
    return "%d pass, %d skipped, %d fail" % (c["pass"], c["skipped"], c["fail"])


def first_line(why):
    lines = [l for l in why.splitlines() if l.strip()]
    return lines[-1][:160] if lines else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("modules", nargs="+")
    ap.add_argument("--cvisor")
    ap.add_argument("--platform", default="systrap")
    ap.add_argument("--baseline",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline"))
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--no-native", action="store_true")
    ap.add_argument("--native-only", action="store_true")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--test-timeout", type=int, default=0)
    ap.add_argument("--keep")
    ap.add_argument("--markdown")
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    if not args.native_only and not args.cvisor:
        ap.error("--cvisor is required unless --native-only")
    if not os.path.isdir("/usr/lib/python3.11/test/libregrtest"):
        print("SKIP: CPython's test suite is missing (apt-get install libpython3.11-testsuite)")
        return 77
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)

    bad, dump = 0, {}
    for module in args.modules:
        native = sandbox = None
        if not args.no_native:
            native, log, rc, runs = run_resuming(run_native, module, args)
            if args.keep:
                open(os.path.join(args.keep, module + ".native.log"), "w").write(log)
            print("%-16s native : %s (regrtest status %s, %d run%s)" % (
                module, fmt(counts(native)), rc, runs, "s" if runs > 1 else ""))
        if args.native_only:
            continue
        sandbox, log, rc, runs = run_resuming(run_sandbox, module, args)
        if args.keep:
            open(os.path.join(args.keep, module + ".sandbox.log"), "w").write(log)
        print("%-16s sandbox: %s (regrtest status %s, %d run%s)" % (
            module, fmt(counts(sandbox)), rc, runs, "s" if runs > 1 else ""))
        if not sandbox:
            print("  no result parsed from the sandbox run; its log ends with:")
            for line in log.splitlines()[-20:]:
                print("  | " + line)

        dump[module] = {"native": native, "sandbox": sandbox}
        passed = sorted(k for k, (r, _) in sandbox.items() if r in PASS)
        path = os.path.join(args.baseline, module + ".pass")
        if args.record:
            os.makedirs(args.baseline, exist_ok=True)
            with open(path, "w") as f:
                f.write("".join(p + "\n" for p in passed))
            print("  recorded %d passing cases in %s" % (len(passed), path))
        base = []
        if os.path.exists(path):
            base = [l.strip() for l in open(path) if l.strip() and not l.startswith("#")]
        elif not args.record:
            print("  no baseline %s: nothing to check" % path)
        failing = [c for c in base if sandbox.get(c, ("missing",))[0] not in PASS]
        if failing:
            # a second chance for timing-sensitive cases on a loaded machine
            log, rc, xml_text = run_sandbox(module, args, failing, "--matchfile")
            again, _ = results(log, rc, xml_text)
            for case in failing:
                if again.get(case, ("missing",))[0] in PASS:
                    print("  FLAKY %s: %s, then passed when run again" %
                          (case, sandbox.get(case, ("missing",))[0]))
                    sandbox[case] = again[case]
        for case in base:
            r, why = sandbox.get(case, ("missing", "not run"))
            if r in PASS:
                continue
            if native is None:
                native, _, _, _ = run_resuming(run_native, module, args)
            if native.get(case, ("missing",))[0] not in PASS:
                print("  ENV   %s: %s in the sandbox and %s natively" %
                      (case, r, native.get(case, ("missing",))[0]))
                continue
            print("  REGRESSION %s: %s %s" % (case, r, first_line(why)))
            bad += 1
        improved = sorted(set(passed) - set(base))
        if base and improved:
            print("  improvements (pass now, not in the baseline): %d" % len(improved))
            for case in improved:
                print("    + " + case)
        if args.show_failures:
            for case, (r, why) in sorted(sandbox.items()):
                if r in PASS:
                    continue
                nat = native.get(case, ("?",))[0] if native is not None else "?"
                if r == "skipped" and nat in ("skipped", "?"):
                    continue
                print("  %-8s (native %-7s) %s: %s" % (r, nat, case, first_line(why)))
        if args.markdown:
            n = counts(native) if native is not None else None
            s = counts(sandbox)
            with open(args.markdown, "a") as f:
                f.write("| %s | %s | %d | %d | %d |\n" % (
                    module, "%d (%d skipped)" % (n["pass"], n["skipped"]) if n else "-",
                    s["pass"], s["skipped"], s["fail"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dump, f, indent=1, sort_keys=True)
    if bad:
        print("FAIL: %d baseline case(s) regressed in the sandbox" % bad)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
