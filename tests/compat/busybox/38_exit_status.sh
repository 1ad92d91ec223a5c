# Exit statuses: builtins, commands, signals, not found, not executable.
true; echo "true $?"
false; echo "false $?"
sh -c 'exit 255'; echo "255: $?"
sh -c 'exit 256'; echo "256: $?"
sh -c 'kill -9 $$'; echo "self KILL: $?"
sh -c 'kill -SEGV $$'; echo "self SEGV: $?"
nonexistent-command 2>/dev/null; echo "not found: $?"
printf 'echo hi\n' > noexec; chmod 644 noexec
./noexec 2>/dev/null; echo "not executable: $?"
printf '#!/bin/sh\necho script ran with $# args\nexit 6\n' > withshebang; chmod 755 withshebang
./withshebang a b; echo "shebang: $?"
printf 'echo no shebang\n' > noshebang; chmod 755 noshebang
./noshebang; echo "no shebang: $?"
mkdir adir; ./adir 2>/dev/null; echo "directory: $?"
if false; then :; fi; echo "if false: $?"
{ false; }; echo "group: $?"
f() { return 300; }; f; echo "return 300: $?"
exit 0
