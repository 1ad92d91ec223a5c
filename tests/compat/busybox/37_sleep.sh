# sleep: statuses, fractional sleeps, elapsed time lower bound, timeout.
# (The shell's "Terminated" notice for the killed job depends on when it
# reaps it, as in 11_kill_bg: wait's stderr is dropped, the status checked.)
sleep 0; echo "sleep 0: $?"
sleep 0.1; echo "sleep 0.1: $?"
start=$(date +%s)
sleep 1.1
end=$(date +%s)
el=$((end - start))
if [ $el -ge 1 ] && [ $el -le 10 ]; then echo "elapsed ok"; else echo "elapsed $el"; fi
sleep bad 2>/dev/null; echo "invalid arg status $?"
timeout 1 sleep 5; echo "timeout status $?"
timeout 5 sleep 0.1; echo "no timeout status $?"
usleep 1000; echo "usleep: $?"
sleep 5 & p=$!
sleep 0.1
kill $p; wait $p 2>/dev/null; echo "killed sleep: $?"
