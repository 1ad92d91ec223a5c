#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A python3 process on the host's root file system (read-only, under the
# memory overlay) that imported modules and holds a dict of ~100 MB (720,000 entries) is
# checkpointed with --leave-running and restored twice; every copy checks
# its dict and modules and prints PASS.  Skipped (77) without python3.
#   python.sh CKPT_RUN CVISOR PLATFORM
[ -x /usr/bin/python3 ] || exit 77
CKPT_ROOTFS=/ CKPT_CODE='
import signal, json, collections, re, os, hashlib
d = {i: str(i) * 3 for i in range(720000)}
h = hashlib.sha256(b"cvisor").hexdigest()
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
print("READY", flush=True)
signal.sigwait([signal.SIGUSR2])  # in progress at the checkpoint
ok = (len(d) == 720000 and d[12345] == "123451234512345" and d[719999] == "719999" * 3 and json.dumps([1]) == "[1]"
      and hashlib.sha256(b"cvisor").hexdigest() == h and re.match("a+", "aaa"))
print("PASS" if ok else "FAIL", flush=True)
' exec "$1" "$2" "$3" /usr/bin/python3
