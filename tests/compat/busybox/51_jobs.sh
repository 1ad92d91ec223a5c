# Job control basics without a tty: jobs, %N job specs, kill %N, wait %N.
sleep 10 &
sleep 10 &
jobs
kill %1
wait %1; echo "wait %1 status $?"
jobs
kill %2; wait; echo "all waited $?"
jobs; echo "jobs empty"
( sleep 0.1; exit 7 ) &
wait %1; echo "reused %1 status $?"
