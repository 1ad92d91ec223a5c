# timeout(1) ends a command with a signal; a trapped signal interrupts the
# shell's wait for a foreground-ish job; kill -STOP/-CONT on a pipeline job.
timeout 0.2 sleep 10; echo "timeout status $?"
timeout -s KILL 0.2 sleep 10; echo "timeout -s KILL status $?"
timeout 5 true; echo "fast command status $?"
# a job stopped and continued still finishes its work
( sleep 0.2; echo "job output" ) > out &
p=$!
kill -STOP $p
sleep 0.3
kill -CONT $p
wait $p; echo "continued job status $?"
cat out
# USR1 trapped in a child shell while it sleeps in the foreground: the
# trap runs once sleep returns
sh -c 'trap "echo trap ran" USR1; : > ready; sleep 0.3; echo after sleep' &
p=$!
while [ ! -e ready ]; do sleep 0.01; done
kill -USR1 $p
wait $p; echo "trap shell status $?"
