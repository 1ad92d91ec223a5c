# Job control basics without a tty: jobs, %N job specs, kill %N, wait %N.
# (ash's "Terminated" notice on stderr comes at a racy moment natively too:
# the kill/wait lines drop stderr.)
sleep 10 &
sleep 10 &
jobs
{ kill %1; wait %1; } 2>/dev/null; echo "wait %1 status $?"
{ kill %2; wait; } 2>/dev/null; echo "all waited $?"
jobs 2>/dev/null | grep -c Running; echo "none running"
( sleep 0.1; exit 7 ) &
wait %1; echo "reused %1 status $?"
