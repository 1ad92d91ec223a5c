# kill a background job: default, -9, -0, -s, trap in the job.
# (Not SIGINT: background jobs of a non-interactive shell ignore it.)
sleep 100 &
p=$!
kill $p
wait $p; echo "TERM status $?"
sleep 100 &
p=$!
kill -9 $p
wait $p; echo "KILL status $?"
sleep 100 &
p=$!
kill -0 $p && echo "kill -0 alive"
kill -s HUP $p
wait $p; echo "HUP status $?"
kill -0 $p 2>/dev/null || echo "kill -0 after reap fails"
( trap 'echo job caught TERM; exit 5' TERM; : > ready; while :; do sleep 0.05; done ) &
p=$!
while [ ! -e ready ]; do sleep 0.01; done
kill -TERM $p
wait $p; echo "trapped job status $?"
kill -l 15
kill -l 9
