# kill a background job: default, -9, -0, -s, trap in the job.
# (Not SIGINT: background jobs of a non-interactive shell ignore it.)
# The shell's own "Terminated"/"Hangup" notices depend on when it reaps the
# job, natively too: wait's stderr is dropped, the statuses are checked.
sleep 100 &
p=$!
kill $p
wait $p 2>/dev/null; echo "TERM status $?"
sleep 100 &
p=$!
kill -9 $p
wait $p 2>/dev/null; echo "KILL status $?"
sleep 100 &
p=$!
kill -0 $p && echo "kill -0 alive"
kill -s HUP $p
wait $p 2>/dev/null; echo "HUP status $?"
kill -0 $p 2>/dev/null || echo "kill -0 after reap fails"
( trap 'echo job caught TERM; exit 5' TERM; : > ready; while :; do sleep 0.05; done ) &
p=$!
while [ ! -e ready ]; do sleep 0.01; done
kill -TERM $p
wait $p 2>/dev/null; echo "trapped job status $?"
kill -l 15
kill -l 9
