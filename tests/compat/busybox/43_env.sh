# Environment: export, env, unset, per-command assignments, readonly.
export FOO=bar
sh -c 'echo "child sees FOO=$FOO"'
BAZ=temp sh -c 'echo "child sees BAZ=$BAZ"'; echo "parent BAZ=[$BAZ]"
notexp=hidden; sh -c 'echo "notexp=[$notexp]"'
env | grep -c '^FOO=bar$'
env -i A=1 B=2 env | sort
env -u FOO sh -c 'echo "after env -u FOO=[$FOO]"'
unset FOO; sh -c 'echo "after unset FOO=[$FOO]"'
readonly R=1; (R=2) 2>/dev/null; echo "readonly assign status $?"
echo "HOME=$HOME"
export -p | grep -c 'PATH'
x=1 y=2; echo "$x$y"
set | grep -c '^x='
f() { echo "in f: $TMPV"; }; TMPV=scoped f
