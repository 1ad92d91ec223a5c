# Process ids: $$, $PPID, $!, subshells keep $$, children get new pids.
[ "$$" -gt 0 ] && echo "shell pid positive"
[ "$(sh -c 'echo $PPID')" = "$$" ] && echo "child's PPID is the shell"
[ "$(sh -c 'echo $$')" != "$$" ] && echo "child has its own pid"
[ "$( (echo $$) )" = "$$" ] && echo "subshell keeps \$\$"
sleep 0.1 & bg=$!
[ "$bg" != "$$" ] && echo "background pid differs"
wait $bg; echo "wait status $?"
a=$(sh -c 'echo $$'); b=$(sh -c 'echo $$')
[ "$a" != "$b" ] && echo "successive children differ"
kill -0 $$ && echo "kill -0 self"
sh -c 'kill -0 $PPID' && echo "child can signal parent with 0"
wait $bg 2>/dev/null; echo "wait reaped pid status $?"
pidof busybox >/dev/null 2>&1; echo "pidof ran"
